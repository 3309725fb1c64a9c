import { locale } from '../i18n'
import { lookupName, useCatalogStore, type Stream } from '../stores/catalog'

/** The name of a matter / category / channel / department id in the screen's language; the id when unknown. */
export function catalogName(stream: Stream, id: string | undefined): string {
  if (!id) return '—'
  return lookupName(useCatalogStore().names, stream, id, locale.value) ?? id
}

/**
 * A breakdown row's name in the screen's language: the server names rows in Chinese, so in English the
 * key is looked up in the catalogue; a key the catalogue does not know keeps the server's name.
 */
export function rowName(stream: Stream, row: { key: string; name: string }): string {
  if (locale.value === 'zh') return row.name || row.key
  return lookupName(useCatalogStore().names, stream, row.key, 'en') ?? (row.name || row.key)
}
