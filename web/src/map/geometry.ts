import type { RegionFeature } from '../api'

/** Where a region's label goes: its `centroid` property, else the middle of its outer ring's bounds. */
export function centroidOf(f: RegionFeature): [number, number] | null {
  let c = f.properties.centroid
  if (typeof c === 'string') {
    try {
      c = JSON.parse(c) as [number, number]
    } catch {
      c = undefined
    }
  }
  if (Array.isArray(c) && c.length === 2 && c.every(Number.isFinite)) return [c[0], c[1]]
  const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0]?.[0]
  if (!ring?.length) return null
  const xs = ring.map((p) => p[0]!)
  const ys = ring.map((p) => p[1]!)
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2]
}

/** Area of the bounding box in square degrees: only used to rank regions by size. */
export function bboxArea(f: RegionFeature): number {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
  for (const poly of polys) {
    for (const [x, y] of poly[0] ?? []) {
      if (x! < w) w = x!
      if (x! > e) e = x!
      if (y! < s) s = y!
      if (y! > n) n = y!
    }
  }
  return Number.isFinite(w) ? (e - w) * (n - s) : 0
}
