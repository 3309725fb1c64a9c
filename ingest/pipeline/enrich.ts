import type { City } from '#core/city.js'
import type { Crs } from '#core/schemas/common.js'
import type { Enrichment } from '#core/schemas/records.js'
import { toWgs84 } from './coords.js'
import type { Step } from './validate.js'

interface Placed {
  grid_code?: string
  lon?: number
  lat?: number
  crs?: Crs
}

/** Where a record is stored: its grid and that grid's parents, and its WGS84 position. */
export type Placement = Enrichment

/**
 * The placement of a record without copying it: the grid (given, or found by point-in-polygon from
 * the position) and its parents, and the position in WGS84 (given, or the grid's centroid).
 */
export function createLocator(city: City) {
  return function locate(record: Readonly<Placed>): Step<Placement> {
    let pos: [number, number] | undefined
    if (record.lon !== undefined && record.lat !== undefined) pos = toWgs84(record.lon, record.lat, record.crs)
    let gridCode = record.grid_code
    let grid
    if (gridCode) {
      grid = city.get(gridCode)
      if (!grid || grid.level !== 'grid') return { ok: false, path: 'grid_code', message: `unknown grid ${gridCode}` }
    } else if (pos) {
      grid = city.locate(pos[0], pos[1])
      if (!grid)
        return {
          ok: false,
          path: 'lon',
          message: `position ${pos[0].toFixed(5)},${pos[1].toFixed(5)} is outside the city`,
        }
      gridCode = grid.code
    } else {
      return { ok: false, path: 'grid_code', message: 'a grid_code or a position (lon, lat) is required' }
    }
    const [lon, lat] = pos ?? grid.centroid
    return {
      ok: true,
      value: {
        grid_code: gridCode,
        community: gridCode.slice(0, 12),
        street: gridCode.slice(0, 9),
        district: gridCode.slice(0, 6),
        lon,
        lat,
      },
    }
  }
}

/**
 * Place a record in the hierarchy: its grid (given, or found by point-in-polygon from the position)
 * and that grid's community, street and district; its position in WGS84 (given, or the grid's centroid).
 */
export function createEnricher(city: City) {
  const locate = createLocator(city)
  return function enrich<T extends Placed>(record: T): Step<Omit<T, 'crs'> & Enrichment> {
    const placed = locate(record)
    if (!placed.ok) return placed
    const { crs: _crs, ...rest } = record
    return { ok: true, value: { ...rest, ...placed.value } }
  }
}
export type Enricher = ReturnType<typeof createEnricher>
