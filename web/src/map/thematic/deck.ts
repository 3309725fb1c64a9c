import type { Accessor, Color, Layer } from '@deck.gl/core'
import { GridLayer, HeatmapLayer, HexagonLayer } from '@deck.gl/aggregation-layers'
import { ArcLayer, GeoJsonLayer, IconLayer, PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers'
import type { FeatureCollection } from 'geojson'
import type { LayerSummary } from '#core/schemas/layer'
import { cell, numbers, type Frame } from './frame'
import { colorColumn, colorOf, hexToRgba, positions, sizeColumn, type RGBA } from './scales'

// A layer file's drawing (core/schemas/layer.ts `draw`) over a decoded frame, as a deck.gl layer.
// Positions, colours and sizes go in as binary attributes (typed arrays); the aggregation and text
// layers read the same typed arrays by row index. No row becomes an object.

const DEFAULT_RAMP = ['#0d47a1', '#00acc1', '#7cb342', '#fdd835', '#fb8c00', '#e53935']

/** deck.gl's accessor context: the row index of non-iterable (columnar) data. */
interface At {
  index: number
}

// An icon per shape, masked so getColor tints it (SVG data URLs: nothing from the network).
const ICON_SVG: Record<string, string> = {
  pin: '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><path d="M16 1a10 10 0 0 0-10 10c0 8 10 20 10 20s10-12 10-20A10 10 0 0 0 16 1z" fill="#fff"/></svg>',
  triangle: '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><path d="M16 2 31 30H1z" fill="#fff"/></svg>',
  square: '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect x="3" y="3" width="26" height="26" fill="#fff"/></svg>',
  diamond: '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><path d="M16 1 31 16 16 31 1 16z" fill="#fff"/></svg>',
}
const iconUrl = (shape: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(ICON_SVG[shape] ?? ICON_SVG.pin)}`

function colorProp(frame: Frame, color: Parameters<typeof colorColumn>[1]) {
  const c = colorColumn(frame, color)
  return c instanceof Uint8Array ? { attr: { value: c, size: 4, normalized: true } } : { fixed: c }
}
function sizeProp(frame: Frame, size: Parameters<typeof sizeColumn>[1]) {
  const s = sizeColumn(frame, size)
  return s instanceof Float32Array ? { attr: { value: s, size: 1 } } : { fixed: s }
}

export interface BuildContext {
  /** Outlines of the current region's children, for choropleths. */
  children?: FeatureCollection | null
  /** Prefix of the deck layer id (the screen and the studio's preview draw the same layer). */
  idPrefix?: string
}

/** The deck.gl layer of one thematic layer and its data. */
export function buildDeckLayer(spec: Pick<LayerSummary, 'id' | 'draw'>, frame: Frame, bc: BuildContext = {}): Layer | null {
  const id = `${bc.idPrefix ?? 'thematic'}:${spec.id}`
  const d = spec.draw
  const length = frame.length
  const common = { id, pickable: true, parameters: { depthCompare: 'always' as const } }
  const ramp = (colors?: string[]) => (colors ?? DEFAULT_RAMP).map((c) => hexToRgba(c).slice(0, 3) as [number, number, number])

  switch (d.type) {
    case 'scatter': {
      const fill = colorProp(frame, d.color)
      const radius = sizeProp(frame, d.radius)
      return new ScatterplotLayer({
        ...common,
        data: {
          length,
          attributes: {
            getPosition: { value: positions(frame, d.position.lon, d.position.lat), size: 2 },
            ...(fill.attr ? { getFillColor: fill.attr } : {}),
            ...(radius.attr ? { getRadius: radius.attr } : {}),
          },
        },
        ...(fill.fixed ? { getFillColor: fill.fixed } : {}),
        ...(radius.fixed !== undefined ? { getRadius: radius.fixed } : {}),
        radiusUnits: d.radius_units,
        stroked: true,
        getLineColor: [3, 10, 24, 200],
        lineWidthUnits: 'pixels',
        getLineWidth: 1,
      })
    }
    case 'icon': {
      const color = colorProp(frame, d.color)
      const size = sizeProp(frame, d.size)
      const icon = { url: iconUrl(d.icon), id: d.icon, width: 32, height: 32, mask: true, anchorY: d.icon === 'pin' ? 31 : 16 }
      return new IconLayer({
        ...common,
        data: {
          length,
          attributes: {
            getPosition: { value: positions(frame, d.position.lon, d.position.lat), size: 2 },
            ...(color.attr ? { getColor: color.attr } : {}),
            ...(size.attr ? { getSize: size.attr } : {}),
          },
        },
        getIcon: () => icon,
        ...(color.fixed ? { getColor: color.fixed } : {}),
        ...(size.fixed !== undefined ? { getSize: size.fixed } : {}),
        sizeUnits: 'pixels',
      })
    }
    case 'heatmap':
    case 'hexagon':
    case 'grid': {
      const x = numbers(frame, d.position.lon)
      const y = numbers(frame, d.position.lat)
      const w = d.weight ? numbers(frame, d.weight) : null
      const getPosition = (_: unknown, { index }: At) => [x[index], y[index]] as [number, number]
      const getWeight = (_: unknown, { index }: At) => (w ? w[index] : 1)
      if (d.type === 'heatmap') {
        return new HeatmapLayer({ ...common, pickable: false, data: { length }, getPosition, getWeight, radiusPixels: d.radius_pixels, colorRange: ramp(d.colors) })
      }
      const agg = { ...common, data: { length }, getPosition, getColorWeight: getWeight, colorAggregation: 'SUM' as const, getElevationWeight: getWeight, elevationAggregation: 'SUM' as const, colorRange: ramp(d.colors), extruded: d.extruded, elevationScale: d.elevation_scale, opacity: 0.8 }
      return d.type === 'hexagon' ? new HexagonLayer({ ...agg, radius: d.radius }) : new GridLayer({ ...agg, cellSize: d.cell_size })
    }
    case 'arc': {
      const color = colorProp(frame, d.color)
      const width = sizeProp(frame, d.width)
      return new ArcLayer({
        ...common,
        data: {
          length,
          attributes: {
            getSourcePosition: { value: positions(frame, d.source.lon, d.source.lat), size: 2 },
            getTargetPosition: { value: positions(frame, d.target.lon, d.target.lat), size: 2 },
            ...(color.attr ? { getSourceColor: color.attr, getTargetColor: d.target_color ? undefined : color.attr } : {}),
            ...(width.attr ? { getWidth: width.attr } : {}),
          },
        },
        ...(color.fixed ? { getSourceColor: color.fixed } : {}),
        ...(d.target_color ? { getTargetColor: hexToRgba(d.target_color) } : color.fixed ? { getTargetColor: color.fixed } : {}),
        ...(width.fixed !== undefined ? { getWidth: width.fixed } : {}),
        widthUnits: 'pixels',
      })
    }
    case 'path': {
      const col = frame.columns.get(d.path)
      if (!col || col.kind !== 'path') throw new Error(`column ${d.path} is not an array of [lon, lat] points`)
      const color = colorProp(frame, d.color)
      const width = sizeProp(frame, d.width)
      const colors = color.attr?.value as Uint8Array | undefined
      const widths = width.attr?.value as Float32Array | undefined
      const getColor: Accessor<unknown, Color> = colors ? (_: unknown, { index }: At) => Array.from(colors.subarray(index * 4, index * 4 + 4)) as RGBA : color.fixed!
      const getWidth: Accessor<unknown, number> = widths ? (_: unknown, { index }: At) => widths[index] : (width.fixed as number)
      return new PathLayer({
        ...common,
        data: { length, startIndices: col.starts, attributes: { getPath: { value: col.coords, size: 2 } } },
        _pathType: 'open',
        getColor,
        getWidth,
        widthUnits: 'pixels',
      })
    }
    case 'text': {
      const x = numbers(frame, d.position.lon)
      const y = numbers(frame, d.position.lat)
      const color = colorColumn(frame, d.color)
      const size = sizeColumn(frame, d.size)
      return new TextLayer({
        ...common,
        data: { length },
        getPosition: (_: unknown, { index }: At) => [x[index], y[index]] as [number, number],
        getText: (_: unknown, { index }: At) => cell(frame, d.text, index),
        getColor: color instanceof Uint8Array ? (_: unknown, { index }: At) => Array.from(color.subarray(index * 4, index * 4 + 4)) as RGBA : color,
        getSize: size instanceof Float32Array ? (_: unknown, { index }: At) => size[index] : size,
        characterSet: 'auto',
        fontFamily: '"Noto Sans SC", sans-serif',
        outlineWidth: 2,
        outlineColor: [3, 10, 24, 255],
        fontSettings: { sdf: true },
      })
    }
    case 'choropleth': {
      if (!bc.children) return null
      const byCode = new Map<string, number | string>()
      const col = frame.columns.get(d.color.field)
      for (let i = 0; i < length; i++) {
        const v = col && (col.kind === 'f64' || col.kind === 'f32') ? col.values[i] : cell(frame, d.color.field, i)
        byCode.set(cell(frame, d.key, i), v)
      }
      const alpha = Math.round(d.opacity * 255)
      return new GeoJsonLayer({
        ...common,
        data: bc.children,
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
    }
  }
}

/** Row index → tooltip text for a picked object of a thematic layer. */
export function tooltipText(spec: Pick<LayerSummary, 'title' | 'draw'>, frame: Frame, index: number): string {
  const fields = spec.draw.tooltip.length ? spec.draw.tooltip : [...frame.columns.keys()].slice(0, 4)
  return [spec.title.zh, ...fields.map((f) => `${f}: ${cell(frame, f, index)}`)].join('\n')
}

/** The row of a choropleth's region code, for its tooltip. */
export function rowOfKey(frame: Frame, key: string, code: string): number {
  for (let i = 0; i < frame.length; i++) if (cell(frame, key, i) === code) return i
  return -1
}
