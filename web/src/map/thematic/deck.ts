import type { Layer } from '@deck.gl/core'
import type { LayerDraw, LayerSummary } from '#core/schemas/layer'
import { cell, type Frame } from './frame'
import { kindOf, type BuildContext } from './kinds'

// A layer file's drawing (core/schemas/layer.ts `draw`) over a decoded frame, as a deck.gl layer.
// Positions, colours and sizes go in as binary attributes (typed arrays); the aggregation and text
// layers read the same typed arrays by row index. No row becomes an object. Each draw type is a
// module of kinds/: the columns it reads, and how it looks.

export type { BuildContext } from './kinds'

/** The result columns a drawing reads. */
export function columnsOf(draw: LayerDraw): string[] {
  return (kindOf(draw.type) as { columns: (d: LayerDraw) => string[] }).columns(draw)
}

/** The deck.gl layer of one thematic layer and its data. */
export function buildDeckLayer(
  spec: Pick<LayerSummary, 'id' | 'draw'>,
  frame: Frame,
  bc: BuildContext = {},
): Layer | null {
  const d = spec.draw
  for (const c of columnsOf(d)) if (!frame.columns.has(c)) throw new Error(`layer result has no column ${c}`)
  const base = {
    id: `${bc.idPrefix ?? 'thematic'}:${spec.id}`,
    pickable: true,
    parameters: { depthCompare: 'always' as const },
  }
  const kind = kindOf(d.type) as { build: (d: LayerDraw, f: Frame, b: typeof base, c: BuildContext) => Layer | null }
  return kind.build(d, frame, base, bc)
}

/** Row index → tooltip text for a picked object of a thematic layer, under `title` (the screen's language). */
export function tooltipText(spec: Pick<LayerSummary, 'draw'>, frame: Frame, index: number, title: string): string {
  const fields = spec.draw.tooltip.length ? spec.draw.tooltip : [...frame.columns.keys()].slice(0, 4)
  return [title, ...fields.map((f) => `${f}: ${cell(frame, f, index)}`)].join('\n')
}

/** The row of a choropleth's region code, for its tooltip. */
export function rowOfKey(frame: Frame, key: string, code: string): number {
  for (let i = 0; i < frame.length; i++) if (cell(frame, key, i) === code) return i
  return -1
}
