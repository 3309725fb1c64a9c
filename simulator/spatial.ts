/**
 * Where things happen: a weight per grid. Dense central districts and a few hotspot communities
 * (an old neighbourhood, a market quarter) get more of everything; each grid also gets a random
 * factor of its own, so the map has texture rather than flat district blocks.
 */
import { type City, type Grid, type RegionRow, UNINHABITED } from './city.js'
import { type Rng, WeightedPicker, lognormal } from './random.js'
import { localStamp } from './rhythm.js'

/** Nanjing's districts by how busy their streets are (division codes; unknown districts get 1). */
export const DISTRICT_WEIGHT: Record<string, number> = {
  '320102': 3, // 玄武
  '320104': 3.2, // 秦淮
  '320105': 2.6, // 建邺
  '320106': 3.2, // 鼓楼
  '320111': 1.0, // 浦口
  '320113': 1.3, // 栖霞
  '320114': 1.4, // 雨花台
  '320115': 1.1, // 江宁
  '320116': 0.6, // 六合
  '320117': 0.5, // 溧水
  '320118': 0.5, // 高淳
}
export const DENSE_DISTRICTS = ['320102', '320104', '320105', '320106']

export interface Spatial {
  grids: WeightedPicker<Grid>
  hotspotCommunities: RegionRow[]
}

export function buildSpatial(city: City, rng: Rng, hotspotCount = 6, hotspotFactor = 6): Spatial {
  // Hotspots are drawn from the dense districts when the city has them (a fixture may not).
  const dense = city.communities.filter((c) => DENSE_DISTRICTS.includes(c.code.slice(0, 6)) && city.gridsOf.has(c.code))
  const pool = dense.length >= hotspotCount ? dense : city.communities.filter((c) => city.gridsOf.has(c.code))
  const hot = new Set<string>()
  while (hot.size < Math.min(hotspotCount, pool.length)) hot.add(pool[Math.floor(rng() * pool.length)].code)
  const weights = city.grids.map(
    (g) =>
      (DISTRICT_WEIGHT[g.district.code] ?? 1) *
      (hot.has(g.community.code) ? hotspotFactor : 1) *
      (UNINHABITED.test(g.street.name) ? 0.2 : 1) *
      lognormal(rng, 1, 0.5),
  )
  return {
    grids: new WeightedPicker(city.grids, weights),
    hotspotCommunities: city.communities.filter((c) => hot.has(c.code)),
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

  constructor(private readonly prefix: string) {}

  next(ts: number): string {
    const second = Math.floor(ts / 1000)
    if (second !== this.second) {
      this.second = second
      this.n = 0
    }
    this.n++
    const { date, hms } = localStamp(ts)
    return `${this.prefix}${date}-${hms}-${String(this.n).padStart(2, '0')}`
  }
}
