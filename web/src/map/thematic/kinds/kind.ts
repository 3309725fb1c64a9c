import type { Layer } from '@deck.gl/core'
import type { FeatureCollection } from 'geojson'
import type { LayerDraw } from '#core/schemas/layer'
import { colorColumn, sizeColumn } from '../scales'
import type { Frame } from '../frame'

// One module per draw type, as kepler.gl splits its layers: `columns` says which result columns
// feed the drawing, `build` how it looks. deck.ts only looks the kind up.

export interface BuildContext {
  /** Outlines of the current region's children, for choropleths. */
  children?: FeatureCollection | null
  /** Bounding box [w, s, e, n] of the region in view, for sizes relative to it. */
  bbox?: readonly number[] | null
  /** Prefix of the deck layer id (the screen and the studio's preview draw the same layer). */
  idPrefix?: string
}

/** What every thematic deck layer shares: its id, picking, and drawing over the base map. */
export interface BaseProps {
  id: string
  pickable: boolean
  parameters: { depthCompare: 'always' }
}

export interface LayerKind<D extends LayerDraw> {
  columns(draw: D): string[]
  build(draw: D, frame: Frame, base: BaseProps, ctx: BuildContext): Layer | null
}

/** deck.gl's accessor context: the row index of non-iterable (columnar) data. */
export interface At {
  index: number
}

/** The column a fixed-or-scaled encoding reads, if any. */
export const fieldOf = (enc: unknown): string[] =>
  typeof enc === 'object' && enc !== null && 'field' in enc ? [String((enc as { field: string }).field)] : []

/** A colour encoding as a binary attribute (one RGBA per row) or a fixed colour. */
export function colorProp(frame: Frame, color: Parameters<typeof colorColumn>[1]) {
  const c = colorColumn(frame, color)
  return c instanceof Uint8Array ? { attr: { value: c, size: 4, normalized: true } } : { fixed: c }
}

/** A size encoding as a binary attribute (one float per row) or a fixed size. */
export function sizeProp(frame: Frame, size: Parameters<typeof sizeColumn>[1]) {
  const s = sizeColumn(frame, size)
  return s instanceof Float32Array ? { attr: { value: s, size: 1 } } : { fixed: s }
}

export const DEFAULT_RAMP = ['#0d47a1', '#00acc1', '#7cb342', '#fdd835', '#fb8c00', '#e53935']
