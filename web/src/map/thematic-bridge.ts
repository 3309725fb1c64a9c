import { computed, ref, type ComputedRef, type Ref } from 'vue'
import type { Layer } from '@deck.gl/core'

/** What the thematic-layers module exports (agreed interface); its legend shape is its own. */
export interface ThematicLegendItem {
  label?: string | { zh: string; en: string }
  color?: string | number[]
}
export interface ThematicLayers {
  catalog: Ref<{ id: string; title: { zh: string; en: string }; legend?: unknown }[]>
  enabled: Ref<string[]>
  toggle: (id: string) => void
  deckLayers: ComputedRef<Layer[]>
  legends: ComputedRef<unknown>
}

// Another module (web/src/map/thematic) provides the analysts' thematic layers; until it exists in
// this checkout the map shows its built-in layers only.
const mod = import.meta.glob<{ useThematicLayers: () => ThematicLayers }>('./thematic/useThematicLayers.ts', { eager: true })
const factory = Object.values(mod)[0]?.useThematicLayers

export const hasThematic = Boolean(factory)

/** The thematic layers, or an empty stand-in with nothing to list or draw when the module is absent. */
export function useThematic(): ThematicLayers {
  if (factory) return factory()
  const none = ref<string[]>([])
  return {
    catalog: ref([]),
    enabled: none,
    toggle: () => undefined,
    deckLayers: computed(() => []),
    legends: computed(() => []),
  }
}
