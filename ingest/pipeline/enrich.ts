import type { City } from '../../core/city.js'
import type { Crs } from '../../core/schemas/common.js'
import type { Enrichment } from '../../core/schemas/records.js'
import { toWgs84 } from './coords.js'
import type { Step } from './validate.js'

interface Placed {
  grid_code?: string
  lon?: number
  lat?: number
  crs?: Crs
}

/**
 * Place a record in the hierarchy: its grid (given, or found by point-in-polygon from the position)
 * and that grid's community, street and district; its position in WGS84 (given, or the grid's centroid).
 */
export function createEnricher(city: City) {
  return function enrich<T extends Placed>(record: T): Step<Omit<T, 'crs'> & Enrichment> {
    let pos: [number, number] | undefined
    if (record.lon !== undefined && record.lat !== undefined) pos = toWgs84(record.lon, record.lat, record.crs)
    let gridCode = record.grid_code
    if (gridCode) {
      const grid = city.get(gridCode)
      if (!grid || grid.level !== 'grid') return { ok: false, path: 'grid_code', message: `unknown grid ${gridCode}` }
    } else if (pos) {
      const grid = city.locate(pos[0], pos[1])
      if (!grid) return { ok: false, path: 'lon', message: `position ${pos[0].toFixed(5)},${pos[1].toFixed(5)} is outside the city` }
      gridCode = grid.code
    } else {
      return { ok: false, path: 'grid_code', message: 'a grid_code or a position (lon, lat) is required' }
    }
    const [lon, lat] = pos ?? city.get(gridCode)!.centroid
    const { crs: _crs, ...rest } = record
    return {
      ok: true,
      value: {
        ...rest,
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
export type Enricher = ReturnType<typeof createEnricher>
