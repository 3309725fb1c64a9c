/**
 * Points binned into flat-topped hexagons of a given radius in metres, on a local equirectangular
 * plane around the data (good to well under 1 % over a city). Plain arithmetic, so it runs the
 * same in every browser and GPU-less kiosk; deck.gl then draws each bin as a six-sided column.
 */
export interface HexBin {
  position: [number, number]
  /** Points in the cell, or the sum of their weights. */
  count: number
}

const M_PER_DEG_LAT = 111_320

export function hexbin(points: { position: [number, number] }[], radiusM: number): HexBin[] {
  const x = Float64Array.from(points, (p) => p.position[0])
  const y = Float64Array.from(points, (p) => p.position[1])
  return hexbinColumns(x, y, null, radiusM)
}

/** The same over columns (a layer frame's typed arrays): no object per point. NaN positions are skipped. */
export function hexbinColumns(
  lon: ArrayLike<number>,
  lat: ArrayLike<number>,
  weight: ArrayLike<number> | null,
  radiusM: number,
): HexBin[] {
  const n = lon.length
  if (n === 0 || !(radiusM > 0)) return []
  let sum = 0
  let m = 0
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(lat[i]) && Number.isFinite(lon[i])) {
      sum += lat[i]!
      m++
    }
  }
  if (m === 0) return []
  const lat0 = sum / m
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180)
  const w = Math.sqrt(3) * radiusM // distance between neighbouring centres
  const bins = new Map<string, HexBin>()
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(lat[i]) || !Number.isFinite(lon[i])) continue
    const x = lon[i]! * mPerDegLon
    const y = lat[i]! * M_PER_DEG_LAT
    // Axial coordinates of a pointy-topped grid, then cube rounding to the nearest centre.
    const qf = ((Math.sqrt(3) / 3) * x - y / 3) / radiusM
    const rf = ((2 / 3) * y) / radiusM
    const [q, r] = cubeRound(qf, rf)
    const key = `${q},${r}`
    const add = weight ? weight[i]! : 1
    const bin = bins.get(key)
    if (bin) bin.count += add
    else {
      const cx = w * (q + r / 2)
      const cy = 1.5 * radiusM * r
      bins.set(key, { count: add, position: [cx / mPerDegLon, cy / M_PER_DEG_LAT] })
    }
  }
  return [...bins.values()]
}

/**
 * Hexagon size for a region: about forty cells across its width, so a city shows kilometre cells
 * and a grid a few metres, whatever the size of the district or street.
 */
export function hexRadiusFor(bbox: readonly number[] | undefined): number {
  const [w, s, e, n] = bbox ?? []
  if (![w, s, e, n].every((v) => typeof v === 'number' && Number.isFinite(v))) return 1000
  const widthM = (e! - w!) * 111_320 * Math.cos((((s! + n!) / 2) * Math.PI) / 180)
  return Math.min(5000, Math.max(15, widthM / 40))
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
