import type { LayerLive } from '#core/schemas/layer'
import { cell, type Frame, type FrameColumnData } from './frame'

// Records the live socket pushes, taken as rows of a layer's frame between its reloads (the file's
// `live` section, core/schemas/layer.ts). A pure function of the last loaded frame and the pushes,
// so a reload simply brings a fresher base under the same pushes.

export type LiveRecord = Readonly<Record<string, unknown>>

/** The `derive`d columns of one pushed record: the first rule that holds, else `otherwise`. */
export function derive(live: LayerLive, rec: LiveRecord, now: number): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [column, { rules, otherwise }] of Object.entries(live.derive)) {
    const hit = rules.find((r) => {
      const v = rec[r.field]
      if (r.in) return r.in.includes(String(v ?? ''))
      const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN
      return (Number.isFinite(t) && t < now) === r.past
    })
    out[column] = hit ? hit.value : otherwise
  }
  return out
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v
  if (typeof v !== 'string' || v === '') return NaN
  const n = Number(v)
  return Number.isFinite(n) ? n : Date.parse(v)
}

/**
 * The frame with the pushed records as rows: a record replaces the row of the same `key` (moved to
 * the end, drawn on top) or is added; its fields and derived columns fill the columns of the same
 * name, and any other column keeps the row's loaded value (empty for a new row).
 */
export function mergeLive(frame: Frame, live: LayerLive, pushes: ReadonlyMap<string, LiveRecord>, now: number): Frame {
  if (pushes.size === 0 || !frame.columns.has(live.key)) return frame
  const baseRow = new Map<string, number>()
  for (let i = 0; i < frame.length; i++) baseRow.set(cell(frame, live.key, i), i)
  const rows: { base: number; rec?: Record<string, unknown> }[] = []
  for (let i = 0; i < frame.length; i++) if (!pushes.has(cell(frame, live.key, i))) rows.push({ base: i })
  for (const [key, rec] of pushes)
    rows.push({ base: baseRow.get(key) ?? -1, rec: { ...rec, ...derive(live, rec, now) } })

  const n = rows.length
  const columns = new Map<string, FrameColumnData>()
  for (const [name, col] of frame.columns) {
    const pushed = (r: (typeof rows)[number]) => r.rec !== undefined && name in r.rec && r.rec[name] !== undefined
    if (col.kind === 'f64' || col.kind === 'f32') {
      const values = col.kind === 'f64' ? new Float64Array(n) : new Float32Array(n)
      rows.forEach((r, i) => (values[i] = pushed(r) ? toNumber(r.rec![name]) : r.base >= 0 ? col.values[r.base]! : NaN))
      columns.set(
        name,
        col.kind === 'f64'
          ? { kind: 'f64', values: values as Float64Array }
          : { kind: 'f32', values: values as Float32Array },
      )
    } else if (col.kind === 'dict') {
      const dict = [...col.dict]
      const index = new Map(dict.map((s, i) => [s, i]))
      const code = (s: string) => index.get(s) ?? (index.set(s, dict.push(s) - 1), dict.length - 1)
      const codes = new Uint32Array(n)
      rows.forEach(
        (r, i) =>
          (codes[i] = pushed(r) ? code(String(r.rec![name] ?? '')) : r.base >= 0 ? col.codes[r.base]! : code('')),
      )
      columns.set(name, { kind: 'dict', codes, dict })
    } else {
      // Paths do not come from pushes: a row keeps its loaded path, a new row has none.
      const starts = new Uint32Array(n + 1)
      const parts: Float64Array[] = []
      let at = 0
      rows.forEach((r, i) => {
        starts[i] = at
        if (r.base < 0) return
        const part = col.coords.subarray(col.starts[r.base]! * 2, col.starts[r.base + 1]! * 2)
        parts.push(part)
        at += part.length / 2
      })
      starts[n] = at
      const coords = new Float64Array(at * 2)
      let k = 0
      for (const p of parts) coords.set(p, (k += p.length) - p.length)
      columns.set(name, { kind: 'path', starts, coords })
    }
  }
  return { header: { ...frame.header, rows: n }, length: n, bytes: frame.bytes, columns }
}
