import { FrameHeaderSchema, type FrameHeader } from '#core/schemas/layer'

// Decoder of the columnar frame that GET /api/v1/layers/{id}/data answers (see core/schemas/layer.ts).
// Views into the one ArrayBuffer: nothing is copied, and no object per row is made.

export type FrameColumnData =
  | { kind: 'f64'; values: Float64Array }
  | { kind: 'f32'; values: Float32Array }
  | { kind: 'dict'; codes: Uint32Array; dict: string[] }
  | { kind: 'path'; starts: Uint32Array; coords: Float64Array }

export interface Frame {
  header: FrameHeader
  length: number
  bytes: number
  columns: Map<string, FrameColumnData>
}

export function decodeFrame(buf: ArrayBuffer): Frame {
  const view = new DataView(buf)
  const headerLength = view.getUint32(0, true)
  const header = FrameHeaderSchema.parse(JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headerLength))))
  const base = (4 + headerLength + 7) & ~7
  const n = header.rows
  const columns = new Map<string, FrameColumnData>()
  for (const c of header.columns) {
    if (c.kind === 'f64') columns.set(c.name, { kind: 'f64', values: new Float64Array(buf, base + c.offset, n) })
    else if (c.kind === 'f32') columns.set(c.name, { kind: 'f32', values: new Float32Array(buf, base + c.offset, n) })
    else if (c.kind === 'dict')
      columns.set(c.name, { kind: 'dict', codes: new Uint32Array(buf, base + c.offset, n), dict: c.dict })
    else
      columns.set(c.name, {
        kind: 'path',
        starts: new Uint32Array(buf, base + c.offset, n + 1),
        coords: new Float64Array(buf, base + c.coordsOffset, c.points * 2),
      })
  }
  return { header, length: n, bytes: buf.byteLength, columns }
}

/** Numbers of a column (NaN for text that is not a number). */
export function numbers(frame: Frame, name: string): Float64Array | Float32Array {
  const c = frame.columns.get(name)
  if (!c) throw new Error(`layer result has no column ${name}`)
  if (c.kind === 'f64' || c.kind === 'f32') return c.values
  if (c.kind === 'dict') return Float64Array.from(c.codes, (k) => Number(c.dict[k]))
  throw new Error(`column ${name} is a path, not numbers`)
}

/** The value of one cell as text, for tooltips and keys. */
export function cell(frame: Frame, name: string, i: number): string {
  const c = frame.columns.get(name)
  if (!c) return ''
  if (c.kind === 'dict') return c.dict[c.codes[i]] ?? ''
  if (c.kind === 'path') return `${c.starts[i + 1] - c.starts[i]} points`
  const v = c.values[i]
  if (Number.isNaN(v)) return ''
  if (/Date/.test(frame.header.columns.find((h) => h.name === name)?.dbType ?? ''))
    return new Date(v).toISOString().slice(0, 16).replace('T', ' ')
  return Number.isInteger(v) ? String(v) : v.toFixed(2)
}

/** A row as an object: only for a tooltip or a table of the first rows, never for drawing. */
export function row(frame: Frame, i: number): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of frame.columns.keys()) out[name] = cell(frame, name, i)
  return out
}
