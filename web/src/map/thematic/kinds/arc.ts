import { CompositeLayer, type Accessor, type Color, type Layer } from '@deck.gl/core'
import { ArcLayer, PathLayer, ScatterplotLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import { hexToRgba, positions, type RGBA } from '../scales'
import { colorProp, fieldOf, sizeProp, type At, type LayerKind } from './kind'

type Draw = Extract<LayerDraw, { type: 'arc' }>

const SEGMENTS = 20

/**
 * Curves bowed to the left of each straight line (quadratic Bézier), SEGMENTS + 1 vertices each, as
 * one buffer of [lon, lat] pairs: on a flat, unpitched map these read as arcs where deck's 3D
 * ArcLayer looks straight.
 */
export function flatArcs(source: Float64Array, target: Float64Array): { starts: Uint32Array; coords: Float64Array } {
  const n = source.length / 2
  const starts = new Uint32Array(n + 1)
  const coords = new Float64Array(n * (SEGMENTS + 1) * 2)
  for (let r = 0; r < n; r++) {
    const [x0, y0, x1, y1] = [source[r * 2]!, source[r * 2 + 1]!, target[r * 2]!, target[r * 2 + 1]!]
    const cx = (x0 + x1) / 2 - (y1 - y0) * 0.25
    const cy = (y0 + y1) / 2 + (x1 - x0) * 0.25
    starts[r] = r * (SEGMENTS + 1)
    for (let i = 0; i <= SEGMENTS; i++) {
      const t = i / SEGMENTS
      const a = (1 - t) * (1 - t)
      const b = 2 * (1 - t) * t
      const c = t * t
      const k = (r * (SEGMENTS + 1) + i) * 2
      coords[k] = a * x0 + b * cx + c * x1
      coords[k + 1] = a * y0 + b * cy + c * y1
    }
  }
  starts[n] = n * (SEGMENTS + 1)
  return { starts, coords }
}

interface FlatArcProps {
  length: number
  starts: Uint32Array
  coords: Float64Array
  targets: Float64Array
  getColor: Accessor<unknown, Color>
  getWidth: Accessor<unknown, number>
  ring: number
  ringColor: Color
}

/** A flat arc per row and, optionally, a ring at its target. */
class FlatArcLayer extends CompositeLayer<FlatArcProps> {
  static override layerName = 'FlatArcLayer'
  override renderLayers(): Layer[] {
    const p = this.props
    const path = new PathLayer(
      this.getSubLayerProps({
        id: 'path',
        data: { length: p.length, startIndices: p.starts, attributes: { getPath: { value: p.coords, size: 2 } } },
        _pathType: 'open',
        getColor: p.getColor,
        getWidth: p.getWidth,
        widthUnits: 'pixels',
        capRounded: true,
        parameters: { depthCompare: 'always' },
      }),
    )
    if (p.ring <= 0) return [path]
    const ring = new ScatterplotLayer(
      this.getSubLayerProps({
        id: 'ring',
        data: { length: p.length, attributes: { getPosition: { value: p.targets, size: 2 } } },
        filled: false,
        stroked: true,
        getLineColor: p.ringColor,
        lineWidthUnits: 'pixels',
        getLineWidth: 1.5,
        radiusUnits: 'pixels',
        getRadius: p.ring,
        parameters: { depthCompare: 'always' },
      }),
    )
    return [path, ring]
  }
}

export const arc: LayerKind<Draw> = {
  columns: (d) => [d.source.lon, d.source.lat, d.target.lon, d.target.lat, ...fieldOf(d.color), ...fieldOf(d.width)],
  build(d, frame, base) {
    const color = colorProp(frame, d.color)
    const width = sizeProp(frame, d.width)
    const source = positions(frame, d.source.lon, d.source.lat)
    const target = positions(frame, d.target.lon, d.target.lat)
    if (d.shape === 'flat') {
      const colors = color.attr?.value
      const widths = width.attr?.value
      const { starts, coords } = flatArcs(source, target)
      const rgba = (i: number) => Array.from(colors!.subarray(i * 4, i * 4 + 4)) as RGBA
      return new FlatArcLayer({
        ...base,
        length: frame.length,
        starts,
        coords,
        targets: target,
        getColor: colors ? (_: unknown, { index }: At) => rgba(index) : color.fixed!,
        getWidth: widths ? (_: unknown, { index }: At) => widths[index]! : (width.fixed as number),
        ring: d.target_ring,
        ringColor: d.target_color
          ? hexToRgba(d.target_color)
          : color.fixed
            ? ([color.fixed[0], color.fixed[1], color.fixed[2], 220] as RGBA)
            : [251, 191, 36, 220],
      })
    }
    return new ArcLayer({
      ...base,
      data: {
        length: frame.length,
        attributes: {
          getSourcePosition: { value: source, size: 2 },
          getTargetPosition: { value: target, size: 2 },
          ...(color.attr
            ? { getSourceColor: color.attr, getTargetColor: d.target_color ? undefined : color.attr }
            : {}),
          ...(width.attr ? { getWidth: width.attr } : {}),
        },
      },
      ...(color.fixed ? { getSourceColor: color.fixed } : {}),
      ...(d.target_color
        ? { getTargetColor: hexToRgba(d.target_color) }
        : color.fixed
          ? { getTargetColor: color.fixed }
          : {}),
      ...(width.fixed !== undefined ? { getWidth: width.fixed } : {}),
      widthUnits: 'pixels',
    })
  },
}
