import { TextLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import { cell, numbers } from '../frame'
import { colorColumn, sizeColumn, type RGBA } from '../scales'
import { fieldOf, type At, type LayerKind } from './kind'

type Draw = Extract<LayerDraw, { type: 'text' }>

export const text: LayerKind<Draw> = {
  columns: (d) => [d.position.lon, d.position.lat, d.text, ...fieldOf(d.color), ...fieldOf(d.size)],
  build(d, frame, base) {
    const x = numbers(frame, d.position.lon)
    const y = numbers(frame, d.position.lat)
    const color = colorColumn(frame, d.color)
    const size = sizeColumn(frame, d.size)
    return new TextLayer({
      ...base,
      data: { length: frame.length },
      getPosition: (_: unknown, { index }: At) => [x[index]!, y[index]!] as [number, number],
      getText: (_: unknown, { index }: At) => cell(frame, d.text, index),
      getColor:
        color instanceof Uint8Array
          ? (_: unknown, { index }: At) => Array.from(color.subarray(index * 4, index * 4 + 4)) as RGBA
          : color,
      getSize: size instanceof Float32Array ? (_: unknown, { index }: At) => size[index]! : size,
      characterSet: 'auto',
      fontFamily: '"Noto Sans SC", sans-serif',
      outlineWidth: 2,
      outlineColor: [3, 10, 24, 255],
      fontSettings: { sdf: true },
    })
  },
}
