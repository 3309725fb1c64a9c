import type { Accessor, Color } from '@deck.gl/core'
import { PathLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import type { RGBA } from '../scales'
import { colorProp, fieldOf, sizeProp, type At, type LayerKind } from './kind'

type Draw = Extract<LayerDraw, { type: 'path' }>

export const path: LayerKind<Draw> = {
  columns: (d) => [d.path, ...fieldOf(d.color), ...fieldOf(d.width)],
  build(d, frame, base) {
    const col = frame.columns.get(d.path)
    if (!col || col.kind !== 'path') throw new Error(`column ${d.path} is not an array of [lon, lat] points`)
    const color = colorProp(frame, d.color)
    const width = sizeProp(frame, d.width)
    const colors = color.attr?.value
    const widths = width.attr?.value
    const getColor: Accessor<unknown, Color> = colors
      ? (_: unknown, { index }: At) => Array.from(colors.subarray(index * 4, index * 4 + 4)) as RGBA
      : color.fixed!
    const getWidth: Accessor<unknown, number> = widths
      ? (_: unknown, { index }: At) => widths[index]!
      : (width.fixed as number)
    return new PathLayer({
      ...base,
      data: { length: frame.length, startIndices: col.starts, attributes: { getPath: { value: col.coords, size: 2 } } },
      _pathType: 'open',
      getColor,
      getWidth,
      widthUnits: 'pixels',
    })
  },
}
