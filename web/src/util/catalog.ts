import { useCatalogStore } from '../stores/catalog'

/** `appearance.garbage` → `appearance` (as core/schemas/catalog.ts; not imported to keep zod out of the bundle). */
const classOf = (id: string) => (id.includes('.') ? id.slice(0, id.indexOf('.')) : id)

/** The Chinese name of a matter / category / channel / department id; the id itself when unknown. */
export function catalogName(stream: 'events' | 'tickets', id: string | undefined): string {
  if (!id) return '—'
  const catalog = useCatalogStore()
  void catalog.load()
  const map = catalog.names[stream]
  return map[id] ?? map[classOf(id)] ?? id
}
