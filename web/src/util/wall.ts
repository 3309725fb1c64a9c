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

/** Walls wider than 16:9 widen the canvas up to this aspect; beyond it they are letterboxed. */
const MAX_ASPECT = 6

/**
 * Where the design canvas sits: 1080 design px high and 1920 wide, or wider on a wall wider than
 * 16:9 (5760×1080, 7680×2160), where the map and the columns take the extra width rather than
 * leaving black bars. It is fitted (never stretched) into the whole wall and each browser shows its
 * own tile; the scale is applied with CSS zoom, so text and SVG charts are laid out at the real
 * resolution, and the WebGL map raises its pixel ratio by the same factor. A touch tablet gets its
 * own re-flowed layout at native size instead.
 */
export function placeCanvas(vw: number, vh: number, wall: WallSpec | null) {
  const cols = wall?.cols ?? 1
  const rows = wall?.rows ?? 1
  const totalW = vw * cols
  const totalH = vh * rows
  const aspect = Math.min(MAX_ASPECT, totalW / totalH)
  const width = aspect > DESIGN_W / DESIGN_H ? Math.round(DESIGN_H * aspect) : DESIGN_W
  const scale = Math.min(totalW / width, totalH / DESIGN_H)
  const i = (wall?.tile ?? 1) - 1
  const col = i % cols
  const row = Math.floor(i / cols)
  // Whole pixels: a sub-pixel offset would blur every edge of the tile.
  const left = Math.round((totalW - width * scale) / 2 - col * vw)
  const top = Math.round((totalH - DESIGN_H * scale) / 2 - row * vh)
  return { scale, left, top, width }
}
