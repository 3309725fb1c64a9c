import type { ColorScale, SizeSpec } from '#core/schemas/layer'
import { cell, numbers, type Frame } from './frame'

export type RGBA = [number, number, number, number]

export function hexToRgba(hex: string): RGBA {
  const h = hex.replace('#', '')
  return [
    parseInt(h.slice(0, 2), 16),
    parseInt(h.slice(2, 4), 16),
    parseInt(h.slice(4, 6), 16),
    h.length >= 8 ? parseInt(h.slice(6, 8), 16) : 230,
  ]
}

function lerp(a: RGBA, b: RGBA, t: number): RGBA {
  return [0, 1, 2, 3].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGBA
}

/** A colour for a value under a scale: linear ramp, equal steps, or one colour per category. */
export function colorOf(scale: ColorScale, value: number | string): RGBA {
  const colors = scale.colors.map(hexToRgba)
  if (scale.scale === 'ordinal') {
    const i = scale.domain.findIndex((d) => String(d) === String(value))
    return i >= 0 ? colors[i % colors.length] : hexToRgba(scale.other ?? '#78909c')
  }
  const v = Number(value)
  const lo = Number(scale.domain[0])
  const hi = Number(scale.domain[scale.domain.length - 1])
  if (!Number.isFinite(v)) return [120, 144, 156, 120]
  const t = hi === lo ? 1 : Math.min(1, Math.max(0, (v - lo) / (hi - lo)))
  if (colors.length === 1) return colors[0]
  if (scale.scale === 'quantize') return colors[Math.min(colors.length - 1, Math.floor(t * colors.length))]
  const x = t * (colors.length - 1)
  const i = Math.min(colors.length - 2, Math.floor(x))
  return lerp(colors[i], colors[i + 1], x - i)
}

/** One RGBA per row, as the Uint8Array deck.gl takes as a colour attribute. */
export function colorColumn(frame: Frame, color: string | ColorScale): Uint8Array | RGBA {
  if (typeof color === 'string') return hexToRgba(color)
  const out = new Uint8Array(frame.length * 4)
  const col = frame.columns.get(color.field)
  if (!col) throw new Error(`layer result has no column ${color.field}`)
  for (let i = 0; i < frame.length; i++) {
    const v = col.kind === 'f64' || col.kind === 'f32' ? col.values[i] : cell(frame, color.field, i)
    out.set(colorOf(color, v), i * 4)
  }
  return out
}

/** One size per row under a linear or ordinal scale, or the fixed size. */
export function sizeColumn(frame: Frame, size: SizeSpec): Float32Array | number {
  if (typeof size === 'number') return size
  const out = new Float32Array(frame.length)
  if ('scale' in size) {
    const at = new Map(size.domain.map((d, i) => [d, size.sizes[i]!]))
    for (let i = 0; i < frame.length; i++) out[i] = at.get(cell(frame, size.field, i)) ?? size.other
    return out
  }
  const v = numbers(frame, size.field)
  const [d0, d1] = size.domain
  const [r0, r1] = size.range
  for (let i = 0; i < frame.length; i++) {
    const t = d1 === d0 ? 1 : Math.min(1, Math.max(0, (v[i] - d0) / (d1 - d0)))
    out[i] = r0 + (r1 - r0) * (Number.isFinite(t) ? t : 0)
  }
  return out
}

/** Interleaved [lon, lat] of two columns, as deck.gl's position attribute. */
export function positions(frame: Frame, lon: string, lat: string): Float64Array {
  const x = numbers(frame, lon)
  const y = numbers(frame, lat)
  const out = new Float64Array(frame.length * 2)
  for (let i = 0; i < frame.length; i++) {
    out[i * 2] = x[i]
    out[i * 2 + 1] = y[i]
  }
  return out
}
