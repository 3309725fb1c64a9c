/**
 * Builds the TopoJSON: only the grids are fed to topojson-server; every
 * coarser level is the arc-level merge (topojson-client mergeArcs) of its
 * grids. So all five levels are built from one set of arcs and borders are
 * shared between levels by construction, then simplified once.
 */
import type * as GeoJSON from 'geojson'
import { mergeArcs, quantize } from 'topojson-client'
import { topology as buildTopology } from 'topojson-server'
import { presimplify, simplify } from 'topojson-simplify'
import type * as TopoJSON from 'topojson-specification'
import type { IMultiPolygon, Lattice } from './noding.js'
import { ringContains } from './polygon.js'
import type { Level, Unit } from './types.js'

export interface UnitProps {
  code: string
  name: string
  level: Level
  parent: string | null
}

export type UnitGeometry = (TopoJSON.Polygon<UnitProps> | TopoJSON.MultiPolygon<UnitProps>) & { properties: UnitProps }

export interface SimplifyOptions {
  /** Visvalingam effective area, in square lattice units (~m^2), below which a point is dropped. */
  minArea: number
  /** A ring whose area changes by more than this fraction is simplified less. */
  maxAreaChange: number
}

export interface TopologyResult {
  topology: TopoJSON.Topology
  /** Arcs that had to be protected from (full) simplification. */
  protectedArcs: number
  arcCount: number
}

function props(u: Unit): UnitProps {
  return { code: u.code, name: u.name, level: u.level, parent: u.parent }
}

/** A single-piece MultiPolygon becomes a Polygon (smaller, and what most consumers expect). */
function geometryObject(arcs: number[][][], u: Unit): UnitGeometry {
  return arcs.length === 1
    ? { type: 'Polygon', arcs: arcs[0], properties: props(u) }
    : { type: 'MultiPolygon', arcs, properties: props(u) }
}

function polygonsOf(g: UnitGeometry): number[][][] {
  return g.type === 'Polygon' ? [g.arcs] : g.arcs
}

type Arcs = number[][][]
/** topojson-simplify/-client typings want property-less objects; ours carry none until assembled. */
type Topo = TopoJSON.Topology<TopoJSON.Objects>

function ringCoordinates(arcs: Arcs, ring: number[]): number[][] {
  const out: number[][] = []
  for (const a of ring) {
    const arc = a >= 0 ? arcs[a] : [...arcs[~a]].reverse()
    out.push(...(out.length ? arc.slice(1) : arc))
  }
  return out
}

function signedArea(coords: number[][]): number {
  let s = 0
  for (let i = 0, j = coords.length - 1; i < coords.length; j = i++) {
    s += (coords[j][0] - coords[i][0]) * (coords[j][1] + coords[i][1])
  }
  return s / 2
}

/** Rings (as arc lists) whose area simplification changes too much, or which collapse. */
function damagedRings(geoms: UnitGeometry[], before: Arcs, after: Arcs, maxChange: number): number[][] {
  const bad: number[][] = []
  for (const g of geoms) {
    for (const poly of polygonsOf(g)) {
      for (const ring of poly) {
        const a0 = signedArea(ringCoordinates(before, ring))
        const coords = ringCoordinates(after, ring)
        const a1 = signedArea(coords)
        if (coords.length < 4 || Math.sign(a0) !== Math.sign(a1) || Math.abs(a1 - a0) > maxChange * Math.abs(a0)) {
          bad.push(ring)
        }
      }
    }
  }
  return bad
}

/**
 * Visvalingam simplification of the shared arcs. Arc end points (junctions)
 * are always kept, so shared borders stay shared. Small cells can lose their
 * shape (a grid bounded by two arcs may collapse to a line), so rings that
 * change too much get their arcs' weights boosted and the pass is repeated.
 */
function simplifyProtected(
  topo: Topo,
  geoms: UnitGeometry[],
  opts: SimplifyOptions,
): { topo: Topo; protectedArcs: number } {
  const pre = presimplify(topo)
  const before = topo.arcs as Arcs
  const protectedArcs = new Set<number>()
  for (let round = 0; ; round++) {
    const out = simplify(pre, opts.minArea)
    const bad = damagedRings(geoms, before, out.arcs as Arcs, opts.maxAreaChange)
    if (!bad.length) return { topo: out, protectedArcs: protectedArcs.size }
    if (round >= 8) throw new Error(`simplification still damages ${bad.length} rings`)
    for (const ring of bad) {
      for (const a of ring) {
        const i = a < 0 ? ~a : a
        protectedArcs.add(i)
        // After a few soft rounds, keep the arc as is.
        const factor = round < 4 ? 8 : Infinity
        for (const p of pre.arcs[i]) if (Number.isFinite(p[2])) p[2] *= factor
      }
    }
  }
}

/** Whether `hole` lies inside `outer`, judged on a hole vertex that is not also a vertex of `outer`. */
function holeInside(hole: number[][], outer: number[][]): boolean {
  const shared = new Set(outer.map(([x, y]) => `${x},${y}`))
  const probe = hole.find(([x, y]) => !shared.has(`${x},${y}`))
  return probe !== undefined && ringContains(outer, probe[0], probe[1])
}

/**
 * mergeArcs stitches each connected group of polygons into rings and calls
 * the largest one the exterior. Where a merged outline pinches (two lobes
 * touching at one vertex) the smaller lobe comes back as a "hole" that lies
 * outside its shell. Re-sort the rings by orientation instead: every
 * counter-clockwise ring (our grids' exteriors are CCW, as polygon-clipping
 * emits them) is a shell, every clockwise ring a hole of the smallest shell
 * around it.
 */
function regroupRings(arcs: Arcs, polygons: number[][][]): number[][][] {
  const rings = polygons.flat().map((ring) => {
    const coords = ringCoordinates(arcs, ring)
    return { ring, coords, area: signedArea(coords) }
  })
  const shells = rings.filter((r) => r.area > 0).sort((a, b) => b.area - a.area)
  const out = shells.map((s) => [s.ring])
  for (const hole of rings.filter((r) => r.area < 0)) {
    let best = -1
    shells.forEach((s, i) => {
      if ((best < 0 || s.area < shells[best].area) && holeInside(hole.coords, s.coords)) best = i
    })
    if (best < 0) throw new Error('a hole outside every shell')
    out[best].push(hole.ring)
  }
  return out
}

/**
 * The partition must be clean: every arc bounds one grid (the city outline)
 * or two (a shared border). An arc used once inside the city means two cells
 * that should touch do not share their border (a sliver or a missed junction).
 */
function checkSharedBorders(grids: UnitGeometry[], city: UnitGeometry): void {
  const uses = new Map<number, number>()
  for (const g of grids) {
    for (const a of polygonsOf(g).flat(2)) uses.set(a < 0 ? ~a : a, (uses.get(a < 0 ? ~a : a) ?? 0) + 1)
  }
  const outline = new Set(
    polygonsOf(city)
      .flat(2)
      .map((a) => (a < 0 ? ~a : a)),
  )
  const inner = [...uses].filter(([a, n]) => n === 1 && !outline.has(a)).length
  const over = [...uses].filter(([, n]) => n > 2).length
  if (inner || over) throw new Error(`unclean partition: ${inner} unshared inner arcs, ${over} arcs bounding > 2 grids`)
}

export function buildUnitTopology(
  grids: { unit: Unit; shape: IMultiPolygon }[],
  parents: Unit[],
  lattice: Lattice,
  simplifyOpts: SimplifyOptions,
): TopologyResult {
  const input: GeoJSON.GeometryCollection = {
    type: 'GeometryCollection',
    geometries: grids.map(({ shape }) => ({ type: 'MultiPolygon', coordinates: shape })),
  }
  // topojson-server types geometry properties as nullable GeoJSON properties; the grids here have none.
  const raw = buildTopology({ grids: input }) as Topo
  const rawGrids = (raw.objects.grids as TopoJSON.GeometryCollection).geometries as TopoJSON.MultiPolygon[]
  const gridGeoms = rawGrids.map((g, i) => geometryObject(g.arcs, grids[i].unit))

  // Group the grids under each ancestor (codes are prefixes of each other).
  const prefixLengths = [...new Set(parents.map((p) => p.code.length))]
  const membersOf = new Map<string, UnitGeometry[]>()
  for (const g of gridGeoms) {
    for (const n of prefixLengths) {
      const k = g.properties.code.slice(0, n)
      const list = membersOf.get(k)
      if (list) list.push(g)
      else membersOf.set(k, [g])
    }
  }
  const byLevel = new Map<Level, UnitGeometry[]>()
  for (const p of [...parents].sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const members = membersOf.get(p.code)
    if (!members) throw new Error(`${p.code} has no grids`)
    const merged = mergeArcs(raw, members)
    const list = byLevel.get(p.level) ?? []
    list.push(geometryObject(regroupRings(raw.arcs as Arcs, merged.arcs), p))
    byLevel.set(p.level, list)
  }
  byLevel.set('grid', gridGeoms)
  checkSharedBorders(gridGeoms, byLevel.get('city')![0])

  const all = [...byLevel.values()].flat()
  const { topo: simplified, protectedArcs } = simplifyProtected(raw, all, simplifyOpts)
  // Arcs are already integers on the lattice: an identity transform only delta-encodes them.
  const encoded = quantize(simplified, { scale: [1, 1], translate: [0, 0] })
  const step = 1 / lattice.perDegree
  const [x0, y0, x1, y1] = raw.bbox ?? [0, 0, 0, 0]
  const collection = (level: Level): TopoJSON.GeometryCollection => ({
    type: 'GeometryCollection',
    geometries: byLevel.get(level) ?? [],
  })
  const topology: TopoJSON.Topology = {
    type: 'Topology',
    bbox: [
      (x0 + lattice.originX) * step,
      (y0 + lattice.originY) * step,
      (x1 + lattice.originX) * step,
      (y1 + lattice.originY) * step,
    ].map((v) => Math.round(v * lattice.perDegree) / lattice.perDegree) as GeoJSON.BBox,
    transform: { scale: [step, step], translate: [lattice.originX * step, lattice.originY * step] },
    objects: {
      city: collection('city'),
      districts: collection('district'),
      streets: collection('street'),
      communities: collection('community'),
      grids: collection('grid'),
    },
    arcs: encoded.arcs,
  }
  return { topology, protectedArcs, arcCount: encoded.arcs.length }
}
