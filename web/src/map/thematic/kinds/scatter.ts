import { ScatterplotLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import { positions } from '../scales'
import { colorProp, fieldOf, sizeProp, type LayerKind } from './kind'

type Draw = Extract<LayerDraw, { type: 'scatter' }>

/** Dots (or rings: a dark fill and a coloured stroke) sized and coloured by columns. */
export const scatter: LayerKind<Draw> = {
  columns: (d) => [d.position.lon, d.position.lat, ...fieldOf(d.color), ...fieldOf(d.radius), ...fieldOf(d.stroke)],
  build(d, frame, base) {
    const fill = colorProp(frame, d.color)
    const line = colorProp(frame, d.stroke)
    const radius = sizeProp(frame, d.radius)
    return new ScatterplotLayer({
      ...base,
      data: {
        length: frame.length,
        attributes: {
          getPosition: { value: positions(frame, d.position.lon, d.position.lat), size: 2 },
          ...(fill.attr ? { getFillColor: fill.attr } : {}),
          ...(line.attr ? { getLineColor: line.attr } : {}),
          ...(radius.attr ? { getRadius: radius.attr } : {}),
        },
      },
      ...(fill.fixed ? { getFillColor: fill.fixed } : {}),
      ...(line.fixed ? { getLineColor: line.fixed } : {}),
      ...(radius.fixed !== undefined ? { getRadius: radius.fixed } : {}),
      radiusUnits: d.radius_units,
      stroked: d.stroke_width > 0,
      lineWidthUnits: 'pixels',
      getLineWidth: d.stroke_width,
    })
  },
}
