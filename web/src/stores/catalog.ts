import { defineStore } from 'pinia'
import { ref } from 'vue'
import { classOf } from '#core/category'
import type { CatalogNamesBody } from '#core/schemas/api'
import { api } from '../api'
import type { Locale } from '../i18n'

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
  let loading: Promise<void> | undefined
  function load(): Promise<void> {
    loading ??= api.catalog().then(
      (n) => {
        names.value = n
      },
      () => {
        // Ids are shown meanwhile; a failed load must not stop the screen, and it tries again.
        loading = undefined
        setTimeout(() => void load(), 30_000)
      },
    )
    return loading
  }
  return { names, load }
})
