/**
 * The city as the simulator sees it: grids with their centroid and bbox, the street / community /
 * district each belongs to, and where the self-service terminals stand. Derived from the one city
 * model (core/city.ts, loaded by platform/config/city.ts): `simCity` for a loaded city, `buildCity`
 * (pure) for rows and parameters a test makes.
 */
import type { City as LoadedCity, Region } from '#core/city.js'
import type { CityConfig } from '#core/schemas/city.js'
import { type Rng, lognormal, uniform } from './random.js'

/** One row of regions.json, as core/city.ts reads it. */
export type RegionRow = Region

export interface Grid {
  code: string
  /** A point inside the grid's polygon (regions.json guarantees it), WGS84. */
  centroid: [number, number]
  bbox: [number, number, number, number]
  community: RegionRow
  street: RegionRow
  district: RegionRow
}

/** What the simulator takes from city.yaml beyond the map. */
export type CityParams = Pick<CityConfig, 'time_zone' | 'simulator'>

export interface City {
  regions: Map<string, RegionRow>
  districts: RegionRow[]
  streets: RegionRow[]
  communities: RegionRow[]
  grids: Grid[]
  /** Grid indices per street and per community code, in code order. */
  gridsOf: Map<string, number[]>
  /** The simulated people's clock (city.yaml `time_zone`). */
  timeZone: string
  /** How busy each district is (unlisted: 1) and which are the dense centre (city.yaml `simulator`). */
  districtWeight: Readonly<Record<string, number>>
  denseDistricts: readonly string[]
}

/** The simulator's view of the loaded city. */
export function simCity(city: LoadedCity): City {
  return buildCity([...city.regions.values()], city.config)
}

export function buildCity(rows: readonly RegionRow[], params: CityParams): City {
  // Sort by code so that the city (and every seeded choice made over it) does not depend on the
  // order of the file.
  const sorted = [...rows].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  const regions = new Map(sorted.map((r) => [r.code, r]))
  const byLevel = (level: RegionRow['level']) => sorted.filter((r) => r.level === level)
  const grids: Grid[] = []
  const gridsOf = new Map<string, number[]>()
  for (const g of byLevel('grid')) {
    // Codes are prefixes of their children's (core/regions.ts), so ancestry is by slicing.
    const community = regions.get(g.code.slice(0, 12))
    const street = regions.get(g.code.slice(0, 9))
    const district = regions.get(g.code.slice(0, 6))
    if (!community || !street || !district) throw new Error(`regions: grid ${g.code} has no community/street/district`)
    const i = grids.push({ code: g.code, centroid: g.centroid, bbox: g.bbox, community, street, district }) - 1
    for (const key of [community.code, street.code]) {
      const list = gridsOf.get(key)
      if (list) list.push(i)
      else gridsOf.set(key, [i])
    }
  }
  if (grids.length === 0) throw new Error('regions: no grids')
  return {
    regions,
    districts: byLevel('district'),
    streets: byLevel('street'),
    communities: byLevel('community'),
    grids,
    gridsOf,
    timeZone: params.time_zone,
    districtWeight: params.simulator.district_weight,
    denseDistricts: params.simulator.dense_districts,
  }
}

/**
 * "梅园新村社区居委会" → "梅园新村社区", "钱家村委会" → "钱家村": the committee suffix reads badly in
 * addresses and site names.
 */
export function shortName(name: string): string {
  return name.replace(/(居民委员会|居委会)$/, '').replace(/(村民委员会|村委会)$/, '村') || name
}

/**
 * Units that are statistical divisions but where nobody lives or queues for a terminal: prisons,
 * forest and state farms, breeding and tea stations.
 */
export const UNINHABITED = /(监狱|林场|农场|繁育场|实验场)/

/** A point near the grid centroid, kept in the middle of the bbox so it stays in the grid. */
export function jitterInGrid(rng: Rng, g: Grid, spread = 0.15): [number, number] {
  const [x0, y0, x1, y1] = g.bbox
  const [cx, cy] = g.centroid
  const lon = clamp(cx + uniform(rng, -spread, spread) * (x1 - x0), x0 + 0.1 * (x1 - x0), x1 - 0.1 * (x1 - x0))
  const lat = clamp(cy + uniform(rng, -spread, spread) * (y1 - y0), y0 + 0.1 * (y1 - y0), y1 - 0.1 * (y1 - y0))
  return [round6(lon), round6(lat)]
}

const clamp = (v: number, lo: number, hi: number) => (lo <= hi ? Math.min(hi, Math.max(lo, v)) : (lo + hi) / 2)
/** Six decimals is ~0.1 m: plenty, and it keeps records short. */
export const round6 = (v: number) => Math.round(v * 1e6) / 1e6

/** The grid of a region whose centroid lies nearest the region's own: where its service centre is. */
function centralGrid(city: City, region: RegionRow): Grid | undefined {
  const list = city.gridsOf.get(region.code)
  if (!list) return undefined
  let best = list[0]
  let bestD = Infinity
  for (const i of list) {
    const [x, y] = city.grids[i].centroid
    const d = (x - region.centroid[0]) ** 2 + (y - region.centroid[1]) ** 2
    if (d < bestD) {
      bestD = d
      best = i
    }
  }
  return city.grids[best]
}

export interface TerminalSite {
  terminal_id: string
  site: string
  kind: 'street' | 'community'
  grid_code: string
  lon: number
  lat: number
  /** Mean transactions per day: a street centre serves several times a community's traffic. */
  dailyTransactions: number
}

export interface TerminalPlacement {
  /** Share of streets whose service centre has a second terminal. */
  secondAtStreet: number
  /** Share of communities with a terminal in their 党群服务中心. */
  communityShare: number
  /** Multiplies the chance of a community terminal in the given districts. */
  districtBoost: Record<string, number>
}

/**
 * Places the terminals: one or two in every street's 便民服务中心, one in a share of the
 * communities' 党群服务中心. With the demo city's 140 streets and 1,322 communities the defaults give
 * about 300, the order of Wuhan's 197 and Dongguan's 763.
 */
export function placeTerminals(city: City, rng: Rng, opts: TerminalPlacement): TerminalSite[] {
  const out: TerminalSite[] = []
  const add = (kind: TerminalSite['kind'], region: RegionRow, count: number, site: string, medianTx: number) => {
    const g = centralGrid(city, region)
    if (!g) return
    for (let n = 1; n <= count; n++) {
      // Terminals of one centre stand side by side: a few metres apart, same grid.
      const lon = round6(g.centroid[0] + (n - 1) * 0.00005)
      const lat = round6(g.centroid[1])
      out.push({
        terminal_id: `T${region.code}-${String(n).padStart(2, '0')}`,
        site,
        kind,
        grid_code: g.code,
        lon,
        lat,
        dailyTransactions: lognormal(rng, medianTx, 0.4),
      })
    }
  }
  for (const s of city.streets) {
    if (UNINHABITED.test(s.name)) continue
    add('street', s, rng() < opts.secondAtStreet ? 2 : 1, `${s.name}便民服务中心`, 90)
  }
  for (const c of city.communities) {
    // Virtual communities of development zones and the like have no 党群服务中心.
    if (UNINHABITED.test(c.name) || c.name.includes('虚拟社区')) continue
    const boost = opts.districtBoost[c.code.slice(0, 6)] ?? 1
    if (rng() < opts.communityShare * boost) add('community', c, 1, `${shortName(c.name)}党群服务中心`, 25)
  }
  return out
}
