import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { router } from '../router'
import { parseWall, placeCanvas } from '../util/wall'

export { DESIGN_H, DESIGN_W, parseWall, placeCanvas, type WallSpec } from '../util/wall'

export const useDisplayStore = defineStore('display', () => {
  const vw = ref(window.innerWidth)
  const vh = ref(window.innerHeight)
  const coarse = window.matchMedia?.('(pointer: coarse)')
  const touch = ref(Boolean(coarse?.matches))

  const query = computed(() => router.currentRoute.value.query)
  const wall = computed(() => parseWall(query.value.wall, query.value.tile))

  const mode = computed<'wall' | 'tablet'>(() => {
    const forced = query.value.layout
    if (forced === 'wall' || forced === 'tablet') return forced
    if (wall.value) return 'wall'
    // A phone or tablet (touch, up to 1400 px wide) or any small window re-flows rather than shrinks.
    return (touch.value && vw.value <= 1400) || vw.value < 1000 ? 'tablet' : 'wall'
  })
  const portrait = computed(() => vh.value > vw.value)

  const placement = computed(() => placeCanvas(vw.value, vh.value, wall.value))
  /** Design px → device px: the map's drawing buffers use it so they stay sharp on the wall. */
  const pixelRatio = computed(
    () => (window.devicePixelRatio || 1) * (mode.value === 'wall' ? placement.value.scale : 1),
  )

  function onResize(): void {
    vw.value = window.innerWidth
    vh.value = window.innerHeight
    touch.value = Boolean(coarse?.matches)
  }
  window.addEventListener('resize', onResize)

  return { vw, vh, wall, mode, portrait, placement, pixelRatio }
})
