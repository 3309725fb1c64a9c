/**
 * "Nodes" polygons and snaps them to an integer lattice: wherever a vertex of
 * one ring lies on a segment of another ring, that vertex is inserted into
 * the segment. Cells clipped separately on both sides of a shared border
 * carry different vertices along it (each side's own Voronoi junctions);
 * after noding, both sides list the same vertices, so TopoJSON recognises
 * the border as one shared arc instead of two nearly coincident lines.
 */
import type { MultiPolygon, Pt, Ring } from './types.js'

/** Integer lattice point. */
export type IPt = [number, number]
export type IRing = IPt[]
export type IMultiPolygon = IPt[][][]

/** Lattice: 1e5 steps per degree (~1 m). Coordinates are stored relative to an origin. */
export interface Lattice {
  perDegree: number
  /** Origin in lattice units (so the origin is exactly representable in degrees). */
  originX: number
  originY: number
}

function ringAreaI(r: IRing): number {
  let s = 0
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1])
  return s / 2
}

/** Removes consecutive duplicates and A-B-A spikes; returns a closed ring or null if degenerate. */
export function cleanRing(input: IRing): IRing | null {
  const pts: IPt[] = []
  // Work on the open ring (without the closing point).
  for (const p of input.slice(0, -1)) {
    const q = pts[pts.length - 1]
    if (!q || q[0] !== p[0] || q[1] !== p[1]) pts.push(p)
  }
  let changed = true
  while (changed && pts.length >= 3) {
    changed = false
    for (let i = 0; i < pts.length && pts.length >= 3; i++) {
      const n = pts.length
      const a = pts[(i + n - 1) % n]
      const b = pts[i]
      const c = pts[(i + 1) % n]
      const dup = a[0] === b[0] && a[1] === b[1]
      const spike = a[0] === c[0] && a[1] === c[1]
      if (dup || spike) {
        // A spike a-b-a collapses to a; a duplicate b==a just drops b.
        pts.splice(i, 1)
        if (spike) pts.splice(i % pts.length, 1)
        changed = true
        i = Math.max(-1, i - 2)
      }
    }
  }
  if (pts.length < 3) return null
  const ring = [...pts, pts[0]]
  return ringAreaI(ring) === 0 ? null : ring
}

export function snap(mp: MultiPolygon, lat: Lattice): IMultiPolygon {
  const out: IMultiPolygon = []
  for (const poly of mp) {
    const rings = poly.map((r) =>
      cleanRing(
        r.map(([x, y]): IPt => [
          Math.round(x * lat.perDegree) - lat.originX,
          Math.round(y * lat.perDegree) - lat.originY,
        ]),
      ),
    )
    const [outer, ...holes] = rings
    if (!outer) continue // the piece collapsed (thinner than the lattice)
    out.push([outer, ...holes.filter((h): h is IRing => h !== null)])
  }
  return out
}

/** Spatial hash of the distinct vertices of all rings. */
class VertexGrid {
  private readonly cells = new Map<string, Pt[]>()
  constructor(private readonly size: number) {}
  add(p: Pt): void {
    const k = `${Math.floor(p[0] / this.size)},${Math.floor(p[1] / this.size)}`
    const list = this.cells.get(k)
    if (list) list.push(p)
    else this.cells.set(k, [p])
  }
  /** Vertices in the axis-aligned box (inclusive). */
  *query(x0: number, y0: number, x1: number, y1: number): Generator<Pt> {
    for (let cx = Math.floor(x0 / this.size); cx <= Math.floor(x1 / this.size); cx++) {
      for (let cy = Math.floor(y0 / this.size); cy <= Math.floor(y1 / this.size); cy++) {
        const list = this.cells.get(`${cx},${cy}`)
        if (list) for (const p of list) if (p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1) yield p
      }
    }
  }
}

/** Vertices strictly inside segment a-b (within `tol`), ordered from a to b. */
function verticesOnSegment(a: Pt, b: Pt, grid: VertexGrid, cell: number, tol: number): Pt[] {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const len = Math.hypot(dx, dy)
  if (len <= tol) return []
  const steps = Math.max(1, Math.ceil(len / cell))
  const found = new Map<string, { p: Pt; t: number }>()
  for (let s = 0; s < steps; s++) {
    // Walk the segment in pieces so a long diagonal does not scan its whole bbox.
    const ax = a[0] + (dx * s) / steps
    const ay = a[1] + (dy * s) / steps
    const bx = a[0] + (dx * (s + 1)) / steps
    const by = a[1] + (dy * (s + 1)) / steps
    for (const p of grid.query(
      Math.min(ax, bx) - tol,
      Math.min(ay, by) - tol,
      Math.max(ax, bx) + tol,
      Math.max(ay, by) + tol,
    )) {
      // Parameter along the segment, in length units; ends (within tol) are the end points themselves.
      const along = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len
      if (along <= tol || along >= len - tol) continue
      const off = Math.abs((p[0] - a[0]) * dy - (p[1] - a[1]) * dx) / len
      if (off > tol) continue
      found.set(`${p[0]},${p[1]}`, { p, t: along })
    }
  }
  return [...found.values()].sort((u, v) => u.t - v.t || u.p[0] - v.p[0] || u.p[1] - v.p[1]).map((e) => e.p)
}

/**
 * Inserts every vertex lying on another ring's segment into that segment.
 * Runs on the exact floating-point output of the clipping, where a junction
 * lies on its neighbour's border to ~1e-13 degrees, so a tiny tolerance is
 * unambiguous (a vertex 1 m from a border is not mistaken for a junction).
 */
export function node(shapes: MultiPolygon[], tol = 1e-9, cell = 5e-4): { shapes: MultiPolygon[]; inserted: number } {
  const grid = new VertexGrid(cell)
  const seen = new Set<string>()
  for (const mp of shapes) {
    for (const poly of mp) {
      for (const ring of poly) {
        for (const p of ring) {
          const k = `${p[0]},${p[1]}`
          if (!seen.has(k)) {
            seen.add(k)
            grid.add(p)
          }
        }
      }
    }
  }
  let inserted = 0
  const noded = shapes.map((mp) =>
    mp.map((poly) =>
      poly.map((ring) => {
        const out: Ring = [ring[0]]
        for (let i = 1; i < ring.length; i++) {
          const extra = verticesOnSegment(ring[i - 1], ring[i], grid, cell, tol)
          inserted += extra.length
          out.push(...extra, ring[i])
        }
        return out
      }),
    ),
  )
  return { shapes: noded, inserted }
}
