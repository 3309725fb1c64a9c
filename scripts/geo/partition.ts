/**
 * Deterministic partition of a (multi)polygon into `count` compact cells:
 * weighted k-means (a discrete Lloyd relaxation, nearest seeds found with
 * d3-delaunay) on sample points drawn inside the polygon, then the Voronoi
 * diagram of the cluster centres, each cell clipped to the polygon. When the
 * children have unequal sizes (`targets`), the Voronoi diagram becomes a
 * power diagram whose weights are fitted so that each cell holds about its
 * share of the samples. The cells tile the parent exactly (up to floating
 * point; the topology step nodes and snaps them).
 *
 * Distances are measured in a locally isotropic plane (x = lon * cos 32 deg),
 * otherwise cells would be stretched north-south.
 */
import { Delaunay } from 'd3-delaunay'
import polygonClipping from 'polygon-clipping'
import { bboxOf, LON_SCALE, multiPolygonContains, piecesBySize, polygonArea } from './polygon.js'
import { canonicalVertices, powerCells, powerOwner } from './power.js'
import { type Rng, rngFor } from './prng.js'
import type { MultiPolygon, Polygon, Pt, Ring } from './types.js'

export interface PartitionOptions {
  /** Seeds the random stream; use the parent's code. */
  key: string
  count: number
  /** Relative density of "stuff" (people, buildings): denser areas get smaller cells. */
  weight?: (lon: number, lat: number) => number
  samplesPerCell?: number
  minSamples?: number
  /** Lloyd (k-means) iterations. */
  iterations?: number
  /** Relative size of each child (in child order), e.g. its number of grids. Default: all equal. */
  targets?: number[]
}

/** Sample points in the projected plane, uniformly inside `mp` (rejection sampling). */
function samplePoints(mp: MultiPolygon, n: number, rng: Rng, key: string): Pt[] {
  const [x0, y0, x1, y1] = bboxOf(mp)
  const out: Pt[] = []
  const maxTries = n * 2000
  for (let tries = 0; out.length < n; tries++) {
    if (tries > maxTries) throw new Error(`${key}: polygon too thin to sample`)
    const lon = x0 + rng() * (x1 - x0)
    const lat = y0 + rng() * (y1 - y0)
    if (multiPolygonContains(mp, lon, lat)) out.push([lon * LON_SCALE, lat])
  }
  return out
}

const dist2 = (a: Pt, b: Pt): number => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2

/** k-means++ initial centres: spread out, biased to heavy samples. */
function initialSeeds(samples: Pt[], w: number[], k: number, rng: Rng): Pt[] {
  const pick = (scores: number[]): number => {
    const total = scores.reduce((a, b) => a + b, 0)
    let r = rng() * total
    for (let i = 0; i < scores.length; i++) if ((r -= scores[i]) < 0) return i
    return scores.length - 1
  }
  const seeds: Pt[] = [samples[pick(w)]]
  const d = samples.map((s) => dist2(s, seeds[0]))
  while (seeds.length < k) {
    const next = samples[pick(d.map((di, i) => di * w[i]))]
    seeds.push(next)
    for (let i = 0; i < samples.length; i++) d[i] = Math.min(d[i], dist2(samples[i], next))
  }
  return seeds.map((s) => [s[0], s[1]])
}

/** Index of the nearest seed for every sample. */
function assign(seeds: Pt[], samples: Pt[]): number[] {
  const delaunay = Delaunay.from(seeds)
  let hint = 0
  return samples.map(([x, y]) => (hint = delaunay.find(x, y, hint)))
}

/** Weighted Lloyd relaxation (plain Voronoi). */
function relax(seeds: Pt[], samples: Pt[], w: number[], iterations: number): Pt[] {
  let current = seeds
  for (let it = 0; it < iterations; it++) {
    const owner = assign(current, samples)
    const acc = current.map(() => ({ x: 0, y: 0, w: 0 }))
    owner.forEach((o, i) => {
      acc[o].x += samples[i][0] * w[i]
      acc[o].y += samples[i][1] * w[i]
      acc[o].w += w[i]
    })
    current = current.map((s, i) => (acc[i].w > 0 ? [acc[i].x / acc[i].w, acc[i].y / acc[i].w] : s))
  }
  return current
}

/**
 * A centre of a concave cluster can fall outside the parent; snapping each
 * centre to its nearest own sample keeps a core of every cell inside.
 */
function snapToSamples(seeds: Pt[], samples: Pt[]): Pt[] {
  const owner = assign(seeds, samples)
  return seeds.map((c, k) => {
    let best = -1
    owner.forEach((o, i) => {
      if (o === k && (best < 0 || dist2(samples[i], c) < dist2(samples[best], c))) best = i
    })
    return best < 0 ? c : samples[best]
  })
}

interface PowerSites {
  seeds: Pt[]
  weights: number[]
}

/**
 * Power-Lloyd iterations: move seeds to the centroid of their power cell and
 * grow/shrink each weight until the cell's sample mass approaches its target.
 * Returns the best state seen in which every cell holds samples (so every
 * cell meets the parent), or null if there was none; the caller then falls
 * back to the plain Voronoi diagram.
 */
function fitPower(start: Pt[], samples: Pt[], w: number[], targets: number[], iterations: number): PowerSites | null {
  const total = w.reduce((a, b) => a + b, 0)
  const tsum = targets.reduce((a, b) => a + b, 0)
  const goal = targets.map((t) => (t / tsum) * total)
  let seeds = start.map((p): Pt => [p[0], p[1]])
  const weights = seeds.map(() => 0)
  let best: (PowerSites & { error: number }) | null = null
  for (let it = 0; it <= iterations; it++) {
    const acc = seeds.map(() => ({ x: 0, y: 0, m: 0 }))
    samples.forEach((p, k) => {
      const o = acc[powerOwner(p, seeds, weights)]
      o.x += p[0] * w[k]
      o.y += p[1] * w[k]
      o.m += w[k]
    })
    const miss = acc.map((a, i) => (goal[i] - a.m) / goal[i])
    const error = Math.max(...miss.map(Math.abs))
    if (acc.every((a) => a.m > 0) && (!best || error < best.error)) {
      best = { seeds: seeds.map((q): Pt => [q[0], q[1]]), weights: [...weights], error }
    }
    // Close enough (5 %): the targets are only a rough guide anyway.
    if (it === iterations || error < 0.05) break
    seeds = seeds.map((q, i) => (acc[i].m > 0 ? [acc[i].x / acc[i].m, acc[i].y / acc[i].m] : q))
    // Growing w_i by dw moves cell i's borders out by ~dw / (2 * d) for a
    // neighbour at distance d. Scaling the step by the squared distance to
    // the nearest other seed keeps small cells next to big ones stable.
    for (let i = 0; i < seeds.length; i++) {
      let h2 = Infinity
      for (let j = 0; j < seeds.length; j++) if (j !== i) h2 = Math.min(h2, dist2(seeds[i], seeds[j]))
      weights[i] += 0.25 * h2 * Math.max(-1, Math.min(1, miss[i]))
    }
    const mean = weights.reduce((a, b) => a + b, 0) / weights.length
    for (let i = 0; i < weights.length; i++) weights[i] -= mean
  }
  return best && { seeds: best.seeds, weights: best.weights }
}

/** Clock order around the centre of mass, starting due north: neighbours get neighbouring numbers. */
function clockOrder(seeds: Pt[]): number[] {
  const cx = seeds.reduce((s, p) => s + p[0], 0) / seeds.length
  const cy = seeds.reduce((s, p) => s + p[1], 0) / seeds.length
  const angle = (p: Pt): number => {
    const a = Math.atan2(p[0] - cx, p[1] - cy) // 0 = north, clockwise positive
    return a < 0 ? a + 2 * Math.PI : a
  }
  return seeds.map((_, i) => i).sort((a, b) => angle(seeds[a]) - angle(seeds[b]) || a - b)
}

/** Power (or, with zero weights, Voronoi) cells in lon/lat with bit-identical shared vertices. */
function cellRings(sites: PowerSites, box: [number, number, number, number], key: string): Ring[] {
  const open = powerCells(sites.seeds, sites.weights, box)
  return canonicalVertices(open, 1e-9).map((ring, i) => {
    if (!ring) throw new Error(`${key}: power cell ${i} is empty`)
    return ring.map(([x, y]): Pt => [x / LON_SCALE, y])
  })
}

/**
 * Moves small detached fragments of a cell (created when a Voronoi cell
 * crosses a concave bay of the parent) to the Voronoi neighbour they touch,
 * so that cells are one piece wherever reasonably possible.
 */
function absorbFragments(cells: MultiPolygon[], ratio: number): MultiPolygon[] {
  const out = cells.map((c) => c)
  for (let i = 0; i < out.length; i++) {
    const pieces = piecesBySize(out[i])
    if (pieces.length < 2) continue
    const main = polygonArea(pieces[0])
    const keep: Polygon[] = [pieces[0]]
    for (const piece of pieces.slice(1)) {
      const others = out.map((_, j) => j).filter((j) => j !== i)
      const target = polygonArea(piece) < main * ratio ? touchingNeighbour(piece, others, out) : -1
      if (target < 0) keep.push(piece)
      else out[target] = polygonClipping.union(out[target], piece)
    }
    out[i] = keep
  }
  return out
}

function perimeter(mp: MultiPolygon): number {
  let s = 0
  for (const poly of mp) {
    for (const ring of poly) {
      for (let i = 1; i < ring.length; i++) {
        s += Math.hypot((ring[i][0] - ring[i - 1][0]) * LON_SCALE, ring[i][1] - ring[i - 1][1])
      }
    }
  }
  return s
}

/** The neighbour sharing the longest border with `piece`, or -1 if none touches it along an edge. */
function touchingNeighbour(piece: Polygon, candidates: number[], cells: MultiPolygon[]): number {
  let best = -1
  let bestShared = 0
  const own = perimeter([piece])
  const [px0, py0, px1, py1] = bboxOf([piece])
  for (const j of candidates) {
    const [x0, y0, x1, y1] = bboxOf(cells[j])
    if (x0 > px1 || x1 < px0 || y0 > py1 || y1 < py0) continue
    const merged = polygonClipping.union(cells[j], piece)
    if (merged.length > cells[j].length) continue // only touches at a point, or not at all
    // perimeter(A u B) = perimeter(A) + perimeter(B) - 2 * shared border
    const shared = (perimeter(cells[j]) + own - perimeter(merged)) / 2
    if (shared > bestShared * (1 + 1e-9)) {
      best = j
      bestShared = shared
    }
  }
  return best
}

/** Splits `parent` into `count` cells; cell i belongs to the i-th child in code order. */
export function partition(parent: MultiPolygon, opts: PartitionOptions): MultiPolygon[] {
  const { key, count } = opts
  if (count < 1) throw new Error(`${key}: cannot partition into ${count} cells`)
  if (count === 1) return [parent]
  if (opts.targets && opts.targets.length !== count)
    throw new Error(`${key}: ${opts.targets.length} targets for ${count} cells`)
  const rng = rngFor(`partition:${key}`)
  // Enough samples that even the smallest target holds a few dozen of them.
  const share = opts.targets ? Math.min(...opts.targets) / opts.targets.reduce((a, b) => a + b, 0) : 1 / count
  const n = Math.min(
    20000,
    Math.max(opts.minSamples ?? 300, count * (opts.samplesPerCell ?? 40), Math.ceil(30 / share)),
  )
  const samples = samplePoints(parent, n, rng, key)
  const weight = opts.weight ?? (() => 1)
  const w = samples.map(([x, y]) => weight(x / LON_SCALE, y))
  const relaxed = relax(initialSeeds(samples, w, count, rng), samples, w, opts.iterations ?? 6)
  // Children are numbered clockwise from north, so cell i goes to child i.
  const ordered = clockOrder(relaxed).map((i) => relaxed[i])
  const targets = opts.targets
  const unequal = targets !== undefined && targets.some((t) => t !== targets[0])
  const sites = (unequal ? fitPower(ordered, samples, w, targets, 80) : null) ?? {
    seeds: snapToSamples(ordered, samples),
    weights: ordered.map(() => 0),
  }
  const [x0, y0, x1, y1] = bboxOf(parent)
  const pad = 0.01 * Math.max(x1 - x0, y1 - y0)
  const box: [number, number, number, number] = [(x0 - pad) * LON_SCALE, y0 - pad, (x1 + pad) * LON_SCALE, y1 + pad]
  const cells = cellRings(sites, box, key).map((ring) => polygonClipping.intersection(parent, [ring]))
  cells.forEach((c, i) => {
    if (!c.length) throw new Error(`${key}: cell ${i} is empty`)
  })
  return absorbFragments(cells, 0.35)
}
