import type { EventCatalog, HotlineCatalog } from './schemas/catalog.js'

/** Display names for breakdown keys, per stream (the two catalogues reuse some ids). */
export interface CatalogNames {
  events: Map<string, string>
  tickets: Map<string, string>
}
export function catalogNames(ev: EventCatalog, hl: HotlineCatalog): CatalogNames {
  const departments = ev.departments.map((d) => [d.id, d.name] as const)
  const events = new Map<string, string>(departments)
  for (const c of ev.classes) {
    events.set(c.id, c.name)
    for (const m of c.matters) events.set(m.id, m.name)
  }
  const tickets = new Map<string, string>(departments)
  for (const c of hl.channels) tickets.set(c.id, c.name)
  for (const c of hl.categories) tickets.set(c.id, c.name)
  return { events, tickets }
}
