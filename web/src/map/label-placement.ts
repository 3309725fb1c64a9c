export interface Placed {
  dx: number
  dy: number
  visible: boolean
}

interface Box {
  x0: number
  y0: number
  x1: number
  y1: number
}

interface Candidate {
  code: string
  name: string
  /** Screen position of the anchor (centroid). */
  x: number
  y: number
  /** Area of the region, for priority: the small ones keep their exact spot. */
  area: number
}

/**
 * Greedy label placement: smallest regions first keep the spot on their centroid; bigger ones,
 * which have room around them, are nudged to the first free neighbouring spot, or hidden when
 * none is free. Runs on the dozen-or-so child labels after every camera move.
 */
export function placeLabels(
  items: Candidate[],
  size: number,
  view: { width: number; height: number },
): Map<string, Placed> {
  const out = new Map<string, Placed>()
  const taken: Box[] = []
  const h = size * 1.25
  const sorted = [...items].sort((a, b) => a.area - b.area)
  for (const it of sorted) {
    const w = it.name.length * size + 6
    const offsets: [number, number][] = [
      [0, 0],
      [0, -h],
      [0, h],
      [-w * 0.6, 0],
      [w * 0.6, 0],
      [-w * 0.5, -h],
      [w * 0.5, -h],
      [-w * 0.5, h],
      [w * 0.5, h],
      [0, -2 * h],
      [0, 2 * h],
    ]
    let placed: Placed = { dx: 0, dy: 0, visible: false }
    for (const [dx, dy] of offsets) {
      const box = { x0: it.x + dx - w / 2, y0: it.y + dy - h / 2, x1: it.x + dx + w / 2, y1: it.y + dy + h / 2 }
      if (box.x1 < 0 || box.y1 < 0 || box.x0 > view.width || box.y0 > view.height) continue
      if (taken.some((t) => box.x0 < t.x1 && box.x1 > t.x0 && box.y0 < t.y1 && box.y1 > t.y0)) continue
      taken.push(box)
      placed = { dx, dy, visible: true }
      break
    }
    out.set(it.code, placed)
  }
  return out
}
