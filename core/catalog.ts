import type { EventCatalog, HotlineCatalog } from './schemas/catalog.js'

/** Names of catalogue ids per stream (the two catalogues reuse some ids). */
export interface NamesByStream {
  events: Map<string, string>
  tickets: Map<string, string>
}
/** Display names for breakdown keys, per stream, in Chinese; `en` has the catalogue's English names. */
export interface CatalogNames extends NamesByStream {
  en: NamesByStream
}

type Named = { id: string; name: string; name_en: string }

function byStream(ev: EventCatalog, hl: HotlineCatalog, name: (n: Named) => string): NamesByStream {
  const departments = ev.departments.map((d) => [d.id, name(d)] as const)
  const events = new Map<string, string>(departments)
  for (const c of ev.classes) {
    events.set(c.id, name(c))
    for (const m of c.matters) events.set(m.id, name(m))
  }
  const tickets = new Map<string, string>(departments)
  for (const c of hl.channels) tickets.set(c.id, name(c))
  for (const c of hl.categories) tickets.set(c.id, name(c))
  return { events, tickets }
}

export function catalogNames(ev: EventCatalog, hl: HotlineCatalog): CatalogNames {
  return { ...byStream(ev, hl, (n) => n.name), en: byStream(ev, hl, (n) => n.name_en) }
}
