/**
 * Plain GeoJSON-style coordinate arrays. We keep our own minimal aliases
 * (rather than @types/geojson's Position = number[]) so that tuples are
 * enforced where it matters: polygon-clipping and polylabel both use them.
 */
export type Pt = [number, number]
export type Ring = Pt[]
export type Polygon = Ring[]
export type MultiPolygon = Polygon[]

export type { Level } from '#core/regions.js'
export { LEVELS } from '#core/regions.js'
import type { Level } from '#core/regions.js'

/** One administrative unit before geometry is attached. */
export interface Unit {
  code: string
  name: string
  level: Level
  parent: string | null
}

/** The record written to regions.json (key order is the output order). */
export interface RegionRecord extends Unit {
  centroid: Pt
  bbox: [number, number, number, number]
}
