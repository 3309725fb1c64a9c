/**
 * Label points: the pole of inaccessibility (polylabel) of the largest-margin
 * piece, i.e. the interior point farthest from any edge. Unlike the plain
 * centroid it is always inside, even for crescent-shaped or multi-part units.
 */
import polylabel from 'polylabel'
import { LON_SCALE, multiPolygonContains, polygonArea } from './polygon.js'
import type { MultiPolygon, Pt } from './types.js'

const round = (v: number, digits: number): number => {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

/** Pole of inaccessibility in the locally isotropic plane, rounded to `digits` decimals. */
export function labelPoint(mp: MultiPolygon, digits = 5): Pt {
  let best: { p: Pt; d: number } | null = null
  for (const poly of mp) {
    const projected = poly.map((ring) => ring.map(([x, y]): [number, number] => [x * LON_SCALE, y]))
    const precision = Math.max(1e-6, Math.sqrt(Math.abs(polygonArea(poly)) * LON_SCALE) / 500)
    const p = polylabel(projected, precision)
    if (!best || p.distance > best.d) best = { p: [p[0] / LON_SCALE, p[1]], d: p.distance }
  }
  if (!best) throw new Error('empty geometry')
  const rounded: Pt = [round(best.p[0], digits), round(best.p[1], digits)]
  if (multiPolygonContains(mp, rounded[0], rounded[1])) return rounded
  throw new Error(`label point ${rounded.join(',')} falls outside its polygon`)
}

export function roundedBBox(mp: MultiPolygon, digits = 5): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const poly of mp) {
    for (const [x, y] of poly[0]) {
      x0 = Math.min(x0, x)
      y0 = Math.min(y0, y)
      x1 = Math.max(x1, x)
      y1 = Math.max(y1, y)
    }
  }
  return [round(x0, digits), round(y0, digits), round(x1, digits), round(y1, digits)]
}
