/** Small planar helpers on lon/lat polygons (the city spans < 1.5 degrees, so planar is fine). */
import type { MultiPolygon, Polygon, Ring } from './types.js'

/** km per degree of latitude, and of longitude at Nanjing's latitude (~32 N). */
export const KM_PER_DEG_LAT = 110.9
export const LON_SCALE = Math.cos((32 * Math.PI) / 180)
export const KM_PER_DEG_LON = KM_PER_DEG_LAT * LON_SCALE

/** Signed shoelace area in square degrees (positive = counter-clockwise). */
export function ringArea(ring: Ring): number {
  let s = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    s += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1])
  }
  return s / 2
}

export function polygonArea(poly: Polygon): number {
  return poly.reduce((s, r, i) => s + (i === 0 ? 1 : -1) * Math.abs(ringArea(r)), 0)
}

const EARTH_RADIUS_KM = 6371.0088

/** Spherical area of a ring in km^2 (the formula @turf/area uses), unsigned. */
function ringAreaKm2(ring: Ring): number {
  const rad = Math.PI / 180
  let s = 0
  for (let i = 0; i < ring.length; i++) {
    const lower = ring[i]
    const middle = ring[(i + 1) % ring.length]
    const upper = ring[(i + 2) % ring.length]
    s += (upper[0] - lower[0]) * rad * Math.sin(middle[1] * rad)
  }
  return Math.abs((s * EARTH_RADIUS_KM * EARTH_RADIUS_KM) / 2)
}

/** Area in km^2 (outer rings minus holes). */
export function areaKm2(mp: MultiPolygon | Polygon[]): number {
  return mp.reduce((t, poly) => t + poly.reduce((s, r, i) => s + (i === 0 ? 1 : -1) * ringAreaKm2(r), 0), 0)
}

export type BBox = [number, number, number, number]

export function bboxOf(mp: MultiPolygon): BBox {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const poly of mp) {
    for (const [x, y] of poly[0]) {
      if (x < x0) x0 = x
      if (y < y0) y0 = y
      if (x > x1) x1 = x
      if (y > y1) y1 = y
    }
  }
  return [x0, y0, x1, y1]
}

/** Even-odd ray casting over every ring: valid because pieces do not overlap. */
export function ringContains(ring: readonly (readonly number[])[], x: number, y: number): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

export function multiPolygonContains(mp: MultiPolygon, x: number, y: number): boolean {
  let inside = false
  for (const poly of mp) for (const ring of poly) if (ringContains(ring, x, y)) inside = !inside
  return inside
}

/** The pieces of a multipolygon, largest first (stable for equal areas). */
export function piecesBySize(mp: MultiPolygon): Polygon[] {
  return mp
    .map((p, i) => ({ p, i, a: polygonArea(p) }))
    .sort((a, b) => b.a - a.a || a.i - b.i)
    .map((e) => e.p)
}
