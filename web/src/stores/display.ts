import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { router } from '../router'

export const DESIGN_W = 1920
export const DESIGN_H = 1080

export interface WallSpec {
  cols: number
  rows: number
  /** 1-based, row by row from the top left. */
  tile: number
}

/** `?wall=3x2&tile=4`: this browser is tile 4 of a wall 3 screens wide and 2 high. */
export function parseWall(wall: unknown, tile: unknown): WallSpec | null {
  if (typeof wall !== 'string') return null
  const m = /^(\d{1,2})x(\d{1,2})$/.exec(wall)
  if (!m) return null
  const cols = Number(m[1])
  const rows = Number(m[2])
  const n = typeof tile === 'string' && /^\d{1,3}$/.test(tile) ? Number(tile) : 1
  if (cols < 1 || rows < 1 || n < 1 || n > cols * rows) return null
  return { cols, rows, tile: n }
}

/**
 * Where the 1920×1080 design canvas sits: the wall fits it (letterboxed, never stretched) into the
 * whole wall and each browser shows its own tile; the scale is applied with CSS zoom, so text and
 * SVG charts are laid out at the real resolution, and the WebGL map raises its pixel ratio by the
 * same factor. A touch tablet gets its own re-flowed layout at native size instead.
 */
export function placeCanvas(vw: number, vh: number, wall: WallSpec | null) {
  const cols = wall?.cols ?? 1
  const rows = wall?.rows ?? 1
  const totalW = vw * cols
  const totalH = vh * rows
  const scale = Math.min(totalW / DESIGN_W, totalH / DESIGN_H)
  const i = (wall?.tile ?? 1) - 1
  const col = i % cols
  const row = Math.floor(i / cols)
  // Whole pixels: a sub-pixel offset would blur every edge of the tile.
  const left = Math.round((totalW - DESIGN_W * scale) / 2 - col * vw)
  const top = Math.round((totalH - DESIGN_H * scale) / 2 - row * vh)
  return { scale, left, top }
}

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
  const pixelRatio = computed(() => (window.devicePixelRatio || 1) * (mode.value === 'wall' ? placement.value.scale : 1))

  function onResize(): void {
    vw.value = window.innerWidth
    vh.value = window.innerHeight
    touch.value = Boolean(coarse?.matches)
  }
  window.addEventListener('resize', onResize)

  return { vw, vh, wall, mode, portrait, placement, pixelRatio }
})
