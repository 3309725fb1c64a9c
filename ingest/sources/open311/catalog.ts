import type { EventCatalog, HotlineCatalog } from '#core/schemas/catalog.js'

/** An Open311 service: one matter of the event catalogue. */
export interface Service {
  service_code: string
  service_name: string
  description: string
  metadata: boolean
  type: 'realtime'
  keywords: string
  group: string
  /** Not part of the answer: who handles it, and in how long. */
  department: string
  departmentName: string
  slaHours: number
}

/** services.json: every matter of the event catalogue, grouped by its class (事项目录 → Open311 services). */
export function servicesOf(events: EventCatalog): Service[] {
  const departments = new Map(events.departments.map((d) => [d.id, d.name]))
  return events.classes.flatMap((c) =>
    c.matters.map((m) => ({
      service_code: m.id,
      service_name: m.name,
      description: `${m.name_en} (${c.name_en})`,
      metadata: false,
      type: 'realtime' as const,
      keywords: [c.name, c.name_en, m.name_en].join(', '),
      group: c.name,
      department: m.department,
      departmentName: departments.get(m.department) ?? m.department,
      slaHours: m.sla_hours,
    })),
  )
}

/** The name of a ticket's category, whether an Open311 service (a matter) or a hotline category. */
export function serviceNames(events: EventCatalog, hotline: HotlineCatalog): Map<string, string> {
  const names = new Map<string, string>(hotline.categories.map((c) => [c.id, c.name]))
  for (const c of events.classes) for (const m of c.matters) names.set(m.id, m.name)
  return names
}
