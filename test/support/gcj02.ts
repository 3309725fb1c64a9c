import gcoord from 'gcoord'

/** WGS84 → GCJ-02, as a phone map app would report a position. */
export function toGcj02(lon: number, lat: number): [number, number] {
  return gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02) as [number, number]
}
