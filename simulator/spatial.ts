/**
 * Where things happen: a weight per grid. Dense central districts and a few hotspot communities
 * (an old neighbourhood, a market quarter) get more of everything; each grid also gets a random
 * factor of its own, so the map has texture rather than flat district blocks.
 */
import { type City, type Grid, type RegionRow, UNINHABITED } from './city.js'
import { type Rng, WeightedPicker, lognormal } from './random.js'
import { localStamp } from './rhythm.js'

export interface Spatial {
  grids: WeightedPicker<Grid>
  hotspotCommunities: RegionRow[]
  /** The city's zone, for the rhythm of whatever happens in these grids. */
  timeZone: string
}

export function buildSpatial(city: City, rng: Rng, hotspotCount = 6, hotspotFactor = 6): Spatial {
  // Hotspots are drawn from the dense districts when the city has them (a fixture may not).
  const dense = city.communities.filter(
    (c) => city.denseDistricts.includes(c.code.slice(0, 6)) && city.gridsOf.has(c.code),
  )
  const pool = dense.length >= hotspotCount ? dense : city.communities.filter((c) => city.gridsOf.has(c.code))
  const hot = new Set<string>()
  while (hot.size < Math.min(hotspotCount, pool.length)) hot.add(pool[Math.floor(rng() * pool.length)].code)
  const weights = city.grids.map(
    (g) =>
      (city.districtWeight[g.district.code] ?? 1) *
      (hot.has(g.community.code) ? hotspotFactor : 1) *
      (UNINHABITED.test(g.street.name) ? 0.2 : 1) *
      lognormal(rng, 1, 0.5),
  )
  return {
    grids: new WeightedPicker(city.grids, weights),
    hotspotCommunities: city.communities.filter((c) => hot.has(c.code)),
    timeZone: city.timeZone,
  }
}

/**
 * Ids like `E20261123-101502-03`: prefix, local date, local time of the first step, and a counter
 * within that second. Tied to the time rather than a daily counter so that a restarted simulator
 * cannot hand out an id that an earlier run already used the same day.
 */
export class IdMaker {
  private second = -1
  private n = 0

  constructor(
    private readonly prefix: string,
    private readonly timeZone: string,
  ) {}

  next(ts: number): string {
    const second = Math.floor(ts / 1000)
    if (second !== this.second) {
      this.second = second
      this.n = 0
    }
    this.n++
    const { date, hms } = localStamp(ts, this.timeZone)
    return `${this.prefix}${date}-${hms}-${String(this.n).padStart(2, '0')}`
  }
}
