/**
 * Turns the decoded echarts district outlines into a clean partition of the
 * city: no self-touching rings, no slivers between districts, no specks.
 *
 * The source is quantised to 1/1024 degree (~100 m), which leaves pinched
 * rings, one-cell specks and one-cell gaps between neighbouring districts.
 * Children must tile their parent exactly for shared TopoJSON arcs, so we:
 *  1. normalise each district with a self-union (splits pinched rings);
 *  2. move specks (< MIN_PART_KM2) of a district into a pool;
 *  3. take the city as the union of everything, with holes filled and tiny
 *     detached islands dropped;
 *  4. hand every uncovered piece (old holes, gaps, pooled specks) to the
 *     district that shares most of its vertices.
 */
import polygonClipping from 'polygon-clipping'
import type { DecodedFeature } from './echarts.js'
import { areaKm2, piecesBySize, polygonArea } from './polygon.js'
import type { MultiPolygon, Polygon, Unit } from './types.js'

const MIN_PART_KM2 = 0.05
const MIN_ISLAND_KM2 = 0.05
const LATTICE = 1024 // echarts' UTF8Scale: every source vertex lies on this lattice

export interface DistrictShapes {
  shapes: Map<string, MultiPolygon>
  city: MultiPolygon
  notes: string[]
}

/** Matches features to district units by name; throws on a missing or duplicate name. */
export function matchDistricts(
  features: DecodedFeature[],
  districts: Unit[],
  notes: string[],
): Map<string, MultiPolygon> {
  const out = new Map<string, MultiPolygon>()
  for (const d of districts) {
    const hits = features.filter((f) => f.name === d.name)
    if (hits.length !== 1) throw new Error(`district ${d.code} ${d.name}: ${hits.length} outlines in the echarts map`)
    if (hits[0].id !== undefined && hits[0].id !== d.code)
      notes.push(`${d.name}: echarts id ${hits[0].id} differs from ${d.code}`)
    out.set(d.code, hits[0].geometry)
  }
  const extra = features.filter((f) => !districts.some((d) => d.name === f.name)).map((f) => f.name)
  if (extra.length) throw new Error(`echarts map has outlines for unknown districts: ${extra.join(',')}`)
  return out
}

const vertexKey = (x: number, y: number): string => `${Math.round(x * LATTICE)},${Math.round(y * LATTICE)}`

/** Which districts own each lattice vertex. */
function indexVertices(parts: Map<string, Polygon[]>): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>()
  for (const [code, polys] of parts) {
    for (const poly of polys) {
      for (const ring of poly) {
        for (const [x, y] of ring) {
          const k = vertexKey(x, y)
          let s = index.get(k)
          if (!s) index.set(k, (s = new Set()))
          s.add(code)
        }
      }
    }
  }
  return index
}

/** The district sharing most vertices with `piece` (ties: lowest code). */
function ownerOf(piece: Polygon, index: Map<string, Set<string>>, codes: string[]): string {
  const votes = new Map<string, number>()
  for (const ring of piece) {
    for (const [x, y] of ring) {
      for (const c of index.get(vertexKey(x, y)) ?? []) votes.set(c, (votes.get(c) ?? 0) + 1)
    }
  }
  let best: string | undefined
  for (const c of codes) if ((votes.get(c) ?? 0) > (best ? (votes.get(best) ?? 0) : 0)) best = c
  if (!best) throw new Error(`uncovered piece of ${areaKm2([piece]).toFixed(3)} km2 touches no district`)
  return best
}

export function cleanDistricts(raw: Map<string, MultiPolygon>): DistrictShapes {
  const notes: string[] = []
  const codes = [...raw.keys()].sort()
  const kept = new Map<string, Polygon[]>()
  let specks = 0
  for (const code of codes) {
    const pieces = piecesBySize(polygonClipping.union(raw.get(code)!))
    // Always keep the main piece, and real exclaves (e.g. 雨花台's).
    const big = pieces.filter((p, i) => i === 0 || areaKm2([p]) >= MIN_PART_KM2)
    specks += pieces.length - big.length
    kept.set(code, big)
  }
  const all = polygonClipping.union([], ...codes.map((c) => raw.get(c)!))
  const islands = all.filter((p) => areaKm2([p]) < MIN_ISLAND_KM2)
  const city: MultiPolygon = piecesBySize(all.filter((p) => areaKm2([p]) >= MIN_ISLAND_KM2)).map((p) => [p[0]])
  const holes = all.reduce((n, p) => n + p.length - 1, 0)
  const covered = polygonClipping.union([], ...codes.map((c) => kept.get(c)!))
  const gaps = polygonClipping.difference(city, covered)
  const index = indexVertices(kept)
  const extra = new Map<string, Polygon[]>(codes.map((c) => [c, []]))
  for (const gap of gaps) extra.get(ownerOf(gap, index, codes))!.push(gap)
  const shapes = new Map<string, MultiPolygon>()
  for (const code of codes) {
    shapes.set(code, polygonClipping.union(kept.get(code)!, ...extra.get(code)!))
  }
  notes.push(
    `source outlines: ${specks} specks < ${MIN_PART_KM2} km2 split off pinched rings, ` +
      `${holes} holes/slivers in the city union, ${islands.length} detached islands < ${MIN_ISLAND_KM2} km2 dropped; ` +
      `${gaps.length} uncovered pieces (${areaKm2(gaps).toFixed(3)} km2) reassigned to the neighbour sharing most vertices`,
  )
  checkPartition(shapes, city, notes)
  return { shapes, city, notes }
}

/** Verifies that the districts do not overlap and cover the city; records the residue. */
function checkPartition(shapes: Map<string, MultiPolygon>, city: MultiPolygon, notes: string[]): void {
  const list = [...shapes.values()]
  const sum = list.reduce((s, mp) => s + mp.reduce((t, p) => t + polygonArea(p), 0), 0)
  const cityArea = city.reduce((t, p) => t + polygonArea(p), 0)
  const rel = Math.abs(sum - cityArea) / cityArea
  if (rel > 1e-9) throw new Error(`district areas differ from the city area by ${rel}`)
  notes.push(`cleaned city outline: ${city.length} pieces, ${areaKm2(city).toFixed(1)} km2`)
}
