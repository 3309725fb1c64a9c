import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { CatalogNamesBody } from '#core/schemas/api'
import { api } from '../api'

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
