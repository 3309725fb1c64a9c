import { GridLayer, HeatmapLayer } from '@deck.gl/aggregation-layers'
import { ColumnLayer } from '@deck.gl/layers'
import type { LayerDraw } from '#core/schemas/layer'
import { hexbinColumns, hexRadiusFor, type HexBin } from '../../hexbin'
import { numbers } from '../frame'
import { hexToRgba } from '../scales'
import { DEFAULT_RAMP, type At, type LayerKind } from './kind'

type Heat = Extract<LayerDraw, { type: 'heatmap' }>
type Hex = Extract<LayerDraw, { type: 'hexagon' }>
type Grid = Extract<LayerDraw, { type: 'grid' }>

const ramp = (colors?: string[]) =>
  (colors ?? DEFAULT_RAMP).map((c) => hexToRgba(c).slice(0, 3) as [number, number, number])
const aggColumns = (d: Heat | Hex | Grid) => [d.position.lon, d.position.lat, ...(d.weight ? [d.weight] : [])]

export const heatmap: LayerKind<Heat> = {
  columns: aggColumns,
  build(d, frame, base) {
    const x = numbers(frame, d.position.lon)
    const y = numbers(frame, d.position.lat)
    const w = d.weight ? numbers(frame, d.weight) : null
    return new HeatmapLayer({
      ...base,
      pickable: false,
      data: { length: frame.length },
      getPosition: (_: unknown, { index }: At) => [x[index]!, y[index]!] as [number, number],
      getWeight: (_: unknown, { index }: At) => (w ? w[index]! : 1),
      radiusPixels: d.radius_pixels,
      colorRange: ramp(d.colors),
    })
  },
}

export const grid: LayerKind<Grid> = {
  columns: aggColumns,
  build(d, frame, base) {
    const x = numbers(frame, d.position.lon)
    const y = numbers(frame, d.position.lat)
    const w = d.weight ? numbers(frame, d.weight) : null
    const getWeight = (_: unknown, { index }: At) => (w ? w[index]! : 1)
    return new GridLayer({
      ...base,
      data: { length: frame.length },
      getPosition: (_: unknown, { index }: At) => [x[index]!, y[index]!] as [number, number],
      getColorWeight: getWeight,
      colorAggregation: 'SUM',
      getElevationWeight: getWeight,
      elevationAggregation: 'SUM',
      colorRange: ramp(d.colors),
      extruded: d.extruded,
      elevationScale: d.elevation_scale,
      opacity: 0.8,
      cellSize: d.cell_size,
    })
  },
}

/**
 * Hexagons binned on the CPU (hexbin.ts: the same in every browser and GPU-less kiosk), drawn as
 * six-sided columns: a fixed radius in metres, or `auto`, about forty across the region in view.
 */
export const hexagon: LayerKind<Hex> = {
  columns: aggColumns,
  build(d, frame, base, ctx) {
    const radius = d.radius === 'auto' ? hexRadiusFor(ctx.bbox ?? undefined) : d.radius
    const w = d.weight ? numbers(frame, d.weight) : null
    const bins = hexbinColumns(numbers(frame, d.position.lon), numbers(frame, d.position.lat), w, radius)
    const max = Math.max(1, ...bins.map((b) => b.count))
    const colors = ramp(d.colors)
    const alpha = Math.round(d.opacity * 255)
    const share = (b: HexBin) => Math.max(0, b.count / max)
    const step = (b: HexBin) => (d.color_scale === 'sqrt' ? Math.sqrt(share(b)) : share(b))
    return new ColumnLayer<HexBin>({
      ...base,
      data: bins,
      diskResolution: 6,
      radius: radius * 0.92,
      angle: 90,
      extruded: d.extruded,
      elevationScale: d.elevation_scale,
      getPosition: (b) => b.position,
      getElevation: (b) => share(b) * 1000,
      getFillColor: (b) => {
        const c = colors[Math.min(colors.length - 1, Math.floor(step(b) * colors.length))]!
        return [c[0], c[1], c[2], alpha]
      },
      updateTriggers: { getFillColor: [max, d.color_scale, alpha], getElevation: max },
    })
  },
}
