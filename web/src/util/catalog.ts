import { classOf } from '#core/category'
import { useCatalogStore } from '../stores/catalog'

/** The Chinese name of a matter / category / channel / department id; the id itself when unknown. */
export function catalogName(stream: 'events' | 'tickets', id: string | undefined): string {
  if (!id) return '—'
  const map = useCatalogStore().names[stream]
  return map[id] ?? map[classOf(id)] ?? id
}
