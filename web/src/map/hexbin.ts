/**
 * Points binned into flat-topped hexagons of a given radius in metres, on a local equirectangular
 * plane around the data (good to well under 1 % over a city). Plain arithmetic, so it runs the
 * same in every browser and GPU-less kiosk; deck.gl then draws each bin as a six-sided column.
 */
export interface HexBin {
  position: [number, number]
  count: number
}

const M_PER_DEG_LAT = 111_320

export function hexbin(points: { position: [number, number] }[], radiusM: number): HexBin[] {
  if (points.length === 0 || !(radiusM > 0)) return []
  const lat0 = points.reduce((s, p) => s + p.position[1], 0) / points.length
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180)
  const w = Math.sqrt(3) * radiusM // distance between neighbouring centres
  const bins = new Map<string, HexBin & { q: number; r: number }>()
  for (const p of points) {
    const x = p.position[0] * mPerDegLon
    const y = p.position[1] * M_PER_DEG_LAT
    // Axial coordinates of a pointy-topped grid, then cube rounding to the nearest centre.
    const qf = ((Math.sqrt(3) / 3) * x - y / 3) / radiusM
    const rf = ((2 / 3) * y) / radiusM
    const [q, r] = cubeRound(qf, rf)
    const key = `${q},${r}`
    const bin = bins.get(key)
    if (bin) bin.count++
    else {
      const cx = w * (q + r / 2)
      const cy = 1.5 * radiusM * r
      bins.set(key, { q, r, count: 1, position: [cx / mPerDegLon, cy / M_PER_DEG_LAT] })
    }
  }
  return [...bins.values()].map(({ position, count }) => ({ position, count }))
}

function cubeRound(qf: number, rf: number): [number, number] {
  const sf = -qf - rf
  let q = Math.round(qf)
  let r = Math.round(rf)
  const s = Math.round(sf)
  const dq = Math.abs(q - qf)
  const dr = Math.abs(r - rf)
  const ds = Math.abs(s - sf)
  if (dq > dr && dq > ds) q = -r - s
  else if (dr > ds) r = -q - s
  return [q, r]
}
