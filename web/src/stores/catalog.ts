import { defineStore } from 'pinia'
import { ref } from 'vue'
import { classOf } from '#core/category'
import type { CatalogNamesBody } from '#core/schemas/api'
import { api } from '../api'
import type { Locale } from '../i18n'
import { loadOnce } from '../util/load-once'

export type Stream = 'events' | 'tickets'

/**
 * The name of a matter / category / channel / department id in a language: the catalogue's name of
 * the id, else of its class; in English the Chinese name where the server gives no English one (an
 * older server), and the id itself when the catalogue does not know it (a sender newer than the files).
 */
export function lookupName(names: CatalogNamesBody, stream: Stream, id: string, l: Locale): string | null {
  const tables = l === 'en' && names.en ? [names.en[stream], names[stream]] : [names[stream]]
  for (const table of tables) {
    const hit = table[id] ?? table[classOf(id)]
    if (hit) return hit
  }
  return null
}

/** Names of catalogue ids, from the api, so a catalogue change needs no rebuild of the screen. */
export const useCatalogStore = defineStore('catalog', () => {
  const names = ref<CatalogNamesBody>({ events: {}, tickets: {} })
  // Ids are shown until it has loaded; a failed load does not stop the screen.
  const load = loadOnce(api.catalog, (n) => {
    names.value = n
  })
  return { names, load }
})
