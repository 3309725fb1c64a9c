import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { booleanPointInPolygon } from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { feature } from 'topojson-client'
import type * as TopoJSON from 'topojson-specification'
import { describe, expect, it } from 'vitest'
import type { Region } from '#core/city.js'
import type { Level } from '#core/regions.js'
import { allocateGrids, communityShortName, TOTAL_GRIDS } from '../../scripts/geo/divisions.js'
import { decodeRing } from '../../scripts/geo/echarts.js'
import { subdivideDistrict } from '../../scripts/geo/hierarchy.js'
import { loadSources } from '../../scripts/geo/source.js'

interface Props {
  code: string
  name: string
  level: Level
  parent: string | null
}

const read = (file: string): string =>
  readFileSync(fileURLToPath(new URL(`../../dashboards/geo/${file}`, import.meta.url)), 'utf8')
const regions = JSON.parse(read('regions.json')) as Region[]
const topology = JSON.parse(read('nanjing.topo.json')) as TopoJSON.Topology

const OBJECTS: Record<Level, string> = {
  city: 'city',
  district: 'districts',
  street: 'streets',
  community: 'communities',
  grid: 'grids',
}
const DIGITS: Record<Level, number> = { city: 4, district: 6, street: 9, community: 12, grid: 15 }
const PARENT: Record<Level, Level | null> = {
  city: null,
  district: 'city',
  street: 'district',
  community: 'street',
  grid: 'community',
}

type Shape = Feature<Polygon | MultiPolygon, Props>

/** Decoded features of every level, by code. */
const shapes = new Map<string, Shape>()
for (const level of Object.keys(OBJECTS) as Level[]) {
  const object = topology.objects[OBJECTS[level]] as TopoJSON.GeometryCollection<Props>
  for (const f of feature(topology, object).features) shapes.set(f.properties.code, f as Shape)
}
const byCode = new Map(regions.map((r) => [r.code, r]))

describe('dashboards/geo output', () => {
  it('has one city, 11 districts, 140 streets, 1,322 communities and 12,410 grids', () => {
    const count = (level: Level): number => regions.filter((r) => r.level === level).length
    expect([count('city'), count('district'), count('street'), count('community'), count('grid')]).toEqual([
      1, 11, 140, 1322, 12410,
    ])
    expect(regions).toHaveLength(1 + 11 + 140 + 1322 + 12410)
  })

  it('lists regions sorted by unique code, with the documented fields in order', () => {
    const codes = regions.map((r) => r.code)
    expect(new Set(codes).size).toBe(codes.length)
    expect([...codes].sort()).toEqual(codes)
    for (const r of regions) expect(Object.keys(r)).toEqual(['code', 'name', 'level', 'parent', 'centroid', 'bbox'])
  })

  it('nests codes: every parent is the code prefix of the right length and exists', () => {
    for (const r of regions) {
      expect(r.code).toMatch(new RegExp(`^3201\\d{${DIGITS[r.level] - 4}}$`))
      const up = PARENT[r.level]
      if (up === null) {
        expect(r.parent).toBeNull()
        continue
      }
      expect(r.parent).toBe(r.code.slice(0, DIGITS[up]))
      expect(byCode.get(r.parent!)?.level).toBe(up)
    }
  })

  it('names grids after their community, numbered from 001, at least 3 per community', () => {
    const grids = new Map<string, Region[]>()
    for (const r of regions) if (r.level === 'grid') grids.set(r.parent!, [...(grids.get(r.parent!) ?? []), r])
    for (const c of regions.filter((r) => r.level === 'community')) {
      const list = grids.get(c.code) ?? []
      expect(list.length).toBeGreaterThanOrEqual(3)
      list.forEach((g, i) => {
        const n = String(i + 1).padStart(3, '0')
        expect(g.code).toBe(`${c.code}${n}`)
        expect(g.name).toBe(`${communityShortName(c.name)}第${n}网格`)
      })
    }
  })

  it('has exactly one topology geometry per region, with the same properties', () => {
    expect(Object.keys(topology.objects)).toEqual(['city', 'districts', 'streets', 'communities', 'grids'])
    const total = Object.values(topology.objects).reduce(
      (n, o) => n + (o as TopoJSON.GeometryCollection).geometries.length,
      0,
    )
    expect(total).toBe(regions.length)
    expect(shapes.size).toBe(regions.length)
    for (const r of regions) {
      const f = shapes.get(r.code)
      expect(f, r.code).toBeDefined()
      expect(f!.properties).toEqual({ code: r.code, name: r.name, level: r.level, parent: r.parent })
      const object = topology.objects[OBJECTS[r.level]] as TopoJSON.GeometryCollection<Props>
      expect(object.type).toBe('GeometryCollection')
    }
  })

  it('shares borders: every arc bounds at most two grids, and the arcs used once are the city outline', () => {
    const polygons = (g: TopoJSON.GeometryObject): number[][][] =>
      g.type === 'Polygon' ? [g.arcs] : g.type === 'MultiPolygon' ? g.arcs : []
    const arcIds = (g: TopoJSON.GeometryObject): number[] =>
      polygons(g)
        .flat(2)
        .map((a) => (a < 0 ? ~a : a))
    const uses = new Map<number, number>()
    for (const g of (topology.objects.grids as TopoJSON.GeometryCollection).geometries) {
      for (const a of arcIds(g)) uses.set(a, (uses.get(a) ?? 0) + 1)
    }
    expect(Math.max(...uses.values())).toBe(2)
    expect(uses.size).toBe(topology.arcs.length)
    const once = [...uses]
      .filter(([, n]) => n === 1)
      .map(([a]) => a)
      .sort((a, b) => a - b)
    const city = (topology.objects.city as TopoJSON.GeometryCollection).geometries[0]
    expect([...new Set(arcIds(city))].sort((a, b) => a - b)).toEqual(once)
  })

  it('puts every label point inside its own polygon and bbox', () => {
    const outside: string[] = []
    for (const r of regions) {
      const [x, y] = r.centroid
      const [x0, y0, x1, y1] = r.bbox
      if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) outside.push(`${r.code} bbox`)
      if (!booleanPointInPolygon(r.centroid, shapes.get(r.code)!, { ignoreBoundary: true })) outside.push(r.code)
    }
    expect(outside).toEqual([])
  })

  it('puts grid label points inside their community, and community label points inside their street', () => {
    const outside: string[] = []
    for (const r of regions) {
      if (r.level !== 'grid' && r.level !== 'community') continue
      if (!booleanPointInPolygon(r.centroid, shapes.get(r.parent!)!, { ignoreBoundary: true })) outside.push(r.code)
    }
    expect(outside).toEqual([])
  })
})

describe('geo generator', () => {
  it('decodes echarts UTF8Encoding rings (zig-zag deltas from the offset, scale 1024)', () => {
    // '@' is a zero delta, 'A' is -1, 'B' is +1.
    expect(decodeRing('@@BA', [1024, 2048], 1024)).toEqual([
      [1, 2],
      [1025 / 1024, 2047 / 1024],
    ])
  })

  it('allocates exactly 12,410 grids with at least 3 per community', () => {
    const communities = [
      { code: '320102002001', name: '梅园新村社区居委会', level: 'community' as const, parent: '320102002' },
      { code: '320115002001', name: '清江村村委会', level: 'community' as const, parent: '320115002' },
    ]
    const counts = allocateGrids(communities, 20)
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(20)
    expect(Math.min(...counts.values())).toBeGreaterThanOrEqual(3)
    expect(TOTAL_GRIDS).toBe(12410)
    expect(communityShortName('梅园新村社区居委会')).toBe('梅园新村')
    expect(communityShortName('清江村村委会')).toBe('清江村')
    expect(communityShortName('黄龙岘村民委员会')).toBe('黄龙岘村')
    expect(communityShortName('江宁开发区虚拟社区')).toBe('江宁开发区')
  })

  it('subdivides a district deterministically', () => {
    const { plans } = loadSources()
    const plan = plans.find((p) => p.district.code === '320102')!
    const first = subdivideDistrict(plan).shapes
    const second = subdivideDistrict(plan).shapes
    expect(JSON.stringify([...second])).toBe(JSON.stringify([...first]))
    const grids = [...first.keys()].filter((c) => c.length === 15)
    expect(grids.length).toBe(regions.filter((r) => r.level === 'grid' && r.code.startsWith('320102')).length)
  }, 60_000)
})
