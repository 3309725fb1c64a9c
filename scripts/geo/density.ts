/**
 * A crude population-density field for Nanjing, used only to make synthetic
 * cells smaller where the city is dense (so that e.g. 东山街道 next to the
 * core is smaller than a rural town in south 江宁). Gaussian bumps on the main
 * centres; a constant floor for the countryside. Units are arbitrary.
 */
import { KM_PER_DEG_LAT, KM_PER_DEG_LON } from './polygon.js'

interface Centre {
  name: string
  lon: number
  lat: number
  /** Peak density above the rural floor of 1. */
  peak: number
  /** Gaussian radius (sigma) in km. */
  sigmaKm: number
}

const CENTRES: readonly Centre[] = [
  { name: '新街口', lon: 118.784, lat: 32.041, peak: 10, sigmaKm: 6 },
  { name: '河西', lon: 118.73, lat: 32.0, peak: 3, sigmaKm: 4 },
  { name: '江北新区', lon: 118.7, lat: 32.16, peak: 3, sigmaKm: 5 },
  { name: '东山', lon: 118.84, lat: 31.94, peak: 3, sigmaKm: 5 },
  { name: '仙林', lon: 118.93, lat: 32.1, peak: 2, sigmaKm: 4 },
  { name: '雄州', lon: 118.83, lat: 32.34, peak: 2, sigmaKm: 3 },
  { name: '永阳', lon: 119.03, lat: 31.65, peak: 2, sigmaKm: 3 },
  { name: '淳溪', lon: 118.88, lat: 31.33, peak: 2, sigmaKm: 3 },
]

export function urbanDensity(lon: number, lat: number): number {
  let d = 1
  for (const c of CENTRES) {
    const dx = (lon - c.lon) * KM_PER_DEG_LON
    const dy = (lat - c.lat) * KM_PER_DEG_LAT
    d += c.peak * Math.exp(-(dx * dx + dy * dy) / (2 * c.sigmaKm * c.sigmaKm))
  }
  return d
}
