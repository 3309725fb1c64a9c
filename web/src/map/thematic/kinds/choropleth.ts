import { GeoJsonLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import { cell } from '../frame'
import { colorOf } from '../scales'
import type { LayerKind } from './kind'

type Draw = Extract<LayerDraw, { type: 'choropleth' }>

/** The current region's children coloured by the row of their code (nothing drawn until outlines are known). */
export const choropleth: LayerKind<Draw> = {
  columns: (d) => [d.key, d.color.field],
  build(d, frame, base, ctx) {
    if (!ctx.children) return null
    const byCode = new Map<string, number | string>()
    const col = frame.columns.get(d.color.field)
    for (let i = 0; i < frame.length; i++) {
      const v = col && (col.kind === 'f64' || col.kind === 'f32') ? col.values[i]! : cell(frame, d.color.field, i)
      byCode.set(cell(frame, d.key, i), v)
    }
    const alpha = Math.round(d.opacity * 255)
    return new GeoJsonLayer({
      ...base,
      data: ctx.children,
      filled: true,
      stroked: true,
      getFillColor: (f) => {
        const v = byCode.get(String((f.properties as { code?: string } | null)?.code))
        if (v === undefined) return [0, 0, 0, 0]
        const c = colorOf(d.color, v)
        return [c[0], c[1], c[2], alpha]
      },
      getLineColor: [120, 200, 255, 160],
      lineWidthUnits: 'pixels',
      getLineWidth: 1,
      updateTriggers: { getFillColor: [frame] },
    })
  },
}
