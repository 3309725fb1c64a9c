import gcoord from 'gcoord'
import type { Crs } from '#core/schemas/common.js'

const SYSTEMS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const

/** Phones and Chinese maps give GCJ-02 or BD-09; we store WGS84 and convert at the edge. */
export function toWgs84(lon: number, lat: number, crs: Crs = 'wgs84'): [number, number] {
  if (crs === 'wgs84') return [lon, lat]
  const [x, y] = gcoord.transform([lon, lat], SYSTEMS[crs], gcoord.WGS84) as [number, number]
  return [x, y]
}
