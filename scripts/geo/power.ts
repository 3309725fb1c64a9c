/**
 * Power diagrams (additively weighted Voronoi diagrams): the cell of seed i is
 * { x : |x - s_i|^2 - w_i <= |x - s_j|^2 - w_j  for all j }. With all weights
 * equal this is the plain Voronoi diagram; raising w_i grows cell i. We use
 * it to give children cells whose size follows their share of the parent
 * (e.g. a street with 30 communities gets more room than one with 1).
 *
 * Cells are convex; each is the bounding box clipped by n - 1 half-planes.
 * A vertex shared by several cells is computed once per cell, so the copies
 * can differ in the last bits; canonicalVertices() replaces every cluster of
 * nearly equal vertices by one representative so that shared edges are
 * bit-identical (which the later clipping and noding rely on).
 */
import type { Pt, Ring } from './types.js'

/** Clips a convex polygon (open ring) by the half-plane a . x <= b (Sutherland-Hodgman). */
function clipHalfPlane(poly: Pt[], ax: number, ay: number, b: number): Pt[] {
  const out: Pt[] = []
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i]
    const q = poly[(i + 1) % poly.length]
    const fp = ax * p[0] + ay * p[1] - b
    const fq = ax * q[0] + ay * q[1] - b
    if (fp <= 0) out.push(p)
    if ((fp < 0 && fq > 0) || (fp > 0 && fq < 0)) {
      const t = fp / (fp - fq)
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])])
    }
  }
  return out
}

/** Power cells of `seeds` with weights `w`, clipped to the box; open rings, possibly empty. */
export function powerCells(seeds: Pt[], w: number[], box: [number, number, number, number]): Pt[][] {
  const [x0, y0, x1, y1] = box
  return seeds.map((si, i) => {
    let poly: Pt[] = [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ]
    for (let j = 0; j < seeds.length && poly.length; j++) {
      if (j === i) continue
      const sj = seeds[j]
      const ax = 2 * (sj[0] - si[0])
      const ay = 2 * (sj[1] - si[1])
      const b = sj[0] * sj[0] + sj[1] * sj[1] - si[0] * si[0] - si[1] * si[1] - w[j] + w[i]
      poly = clipHalfPlane(poly, ax, ay, b)
    }
    return poly
  })
}

/**
 * Replaces nearly equal vertices (within `eps`) across all cells by one
 * representative (the lexicographically smallest), drops repeated points and
 * closes the rings. Returns null for cells that degenerate.
 */
export function canonicalVertices(cells: Pt[][], eps: number): (Ring | null)[] {
  const all = cells.flat().sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const reps: Pt[] = []
  const bucket = new Map<string, Pt[]>()
  const cellKey = (x: number, y: number): string => `${Math.floor(x / (eps * 4))},${Math.floor(y / (eps * 4))}`
  const find = (p: Pt): Pt | undefined => {
    const cx = Math.floor(p[0] / (eps * 4))
    const cy = Math.floor(p[1] / (eps * 4))
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const r of bucket.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (Math.abs(r[0] - p[0]) <= eps && Math.abs(r[1] - p[1]) <= eps) return r
        }
      }
    }
    return undefined
  }
  for (const p of all) {
    if (find(p)) continue
    reps.push(p)
    const k = cellKey(p[0], p[1])
    const list = bucket.get(k)
    if (list) list.push(p)
    else bucket.set(k, [p])
  }
  return cells.map((cell) => {
    const ring: Ring = []
    for (const p of cell) {
      const r = find(p)!
      const last = ring[ring.length - 1]
      if (!last || last[0] !== r[0] || last[1] !== r[1]) ring.push([r[0], r[1]])
    }
    while (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1])
      ring.pop()
    if (ring.length < 3) return null
    ring.push([ring[0][0], ring[0][1]])
    return ring
  })
}

/** Index of the power-nearest seed. */
export function powerOwner(p: Pt, seeds: Pt[], w: number[]): number {
  let best = 0
  let bestD = Infinity
  for (let i = 0; i < seeds.length; i++) {
    const d = (p[0] - seeds[i][0]) ** 2 + (p[1] - seeds[i][1]) ** 2 - w[i]
    if (d < bestD) {
      bestD = d
      best = i
    }
  }
  return best
}
