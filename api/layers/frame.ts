import type { FrameColumn, FrameHeader } from '#core/schemas/layer.js'
import type { QueryResult } from './sandbox.js'

// Rows from ClickHouse (JSONCompact) into the columnar frame of core/schemas/layer.ts: one typed
// array per column, so the screen hands them to deck.gl as binary attributes without objects.

type Kind = FrameColumn['kind']

/** The frame kind of a ClickHouse type: numbers and times as floats, paths as points, the rest as text. */
export function kindOf(dbType: string): Kind {
  const t = dbType
    .replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2')
    .replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2')
  if (/^Array\((Tuple\(\s*Float|Array\(Float)/.test(t)) return 'path'
  if (t === 'Float32') return 'f32'
  if (/^(U?Int\d+|Float64|Decimal.*|Bool|Date.*)$/.test(t)) return 'f64'
  return 'dict'
}

const isTime = (dbType: string) => /Date/.test(dbType)

function toNumber(v: unknown, time: boolean): number {
  if (v === null || v === undefined) return Number.NaN
  if (time) {
    const s = String(v)
    // DateTime64 in JSON is 'YYYY-MM-DD hh:mm:ss[.sss]' in the column's zone; ours are UTC.
    return /^\d{4}-\d\d-\d\d/.test(s)
      ? Date.parse(`${s.replace(' ', 'T')}${s.length > 10 ? 'Z' : 'T00:00:00Z'}`)
      : Number(s) * 1000
  }
  if (typeof v === 'boolean') return v ? 1 : 0
  return Number(v)
}

const align8 = (n: number) => (n + 7) & ~7

/** Encode a query result as one binary frame: [u32 header length][header JSON][pad][columns…]. */
export function encodeFrame(result: QueryResult, info: { layer: string; region: string }): Uint8Array {
  const n = result.data.length
  const columns: FrameColumn[] = []
  const parts: { offset: number; bytes: Uint8Array }[] = []
  let offset = 0
  const push = (bytes: Uint8Array) => {
    const at = offset
    parts.push({ offset: at, bytes })
    offset = align8(offset + bytes.byteLength)
    return at
  }
  result.meta.forEach((m, c) => {
    const kind = kindOf(m.type)
    if (kind === 'f64' || kind === 'f32') {
      const arr = kind === 'f64' ? new Float64Array(n) : new Float32Array(n)
      const time = isTime(m.type)
      for (let i = 0; i < n; i++) arr[i] = toNumber(result.data[i][c], time)
      columns.push({ name: m.name, kind, dbType: m.type, offset: push(new Uint8Array(arr.buffer)) })
    } else if (kind === 'path') {
      const starts = new Uint32Array(n + 1)
      let points = 0
      for (let i = 0; i < n; i++) {
        starts[i] = points
        points += (result.data[i][c] as unknown[] | null)?.length ?? 0
      }
      starts[n] = points
      const xy = new Float64Array(points * 2)
      let k = 0
      for (let i = 0; i < n; i++) {
        for (const p of (result.data[i][c] as [number, number][] | null) ?? []) {
          xy[k++] = Number(p[0])
          xy[k++] = Number(p[1])
        }
      }
      const at = push(new Uint8Array(starts.buffer))
      columns.push({
        name: m.name,
        kind,
        dbType: m.type,
        offset: at,
        points,
        coordsOffset: push(new Uint8Array(xy.buffer)),
      })
    } else {
      const dict: string[] = []
      const index = new Map<string, number>()
      const codes = new Uint32Array(n)
      for (let i = 0; i < n; i++) {
        const v = result.data[i][c]
        const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)
        let code = index.get(s)
        if (code === undefined) {
          code = dict.length
          dict.push(s)
          index.set(s, code)
        }
        codes[i] = code
      }
      columns.push({ name: m.name, kind: 'dict', dbType: m.type, offset: push(new Uint8Array(codes.buffer)), dict })
    }
  })
  const header: FrameHeader = {
    layer: info.layer,
    region: info.region,
    rows: n,
    truncated: result.truncated,
    elapsed_ms: Math.round(result.elapsedMs * 10) / 10,
    rows_read: result.rowsRead,
    bytes_read: result.bytesRead,
    columns,
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const bodyStart = align8(4 + json.byteLength)
  const out = new Uint8Array(bodyStart + offset)
  new DataView(out.buffer).setUint32(0, json.byteLength, true)
  out.set(json, 4)
  for (const p of parts) out.set(p.bytes, bodyStart + p.offset)
  return out
}
