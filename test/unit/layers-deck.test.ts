import { describe, expect, it } from 'vitest'
import { encodeFrame } from '#api/layers/frame.js'
import { DrawSchema, type LayerDraw } from '#core/schemas/layer.js'
import { buildDeckLayer } from '../../web/src/map/thematic/deck.js'
import { decodeFrame } from '../../web/src/map/thematic/frame.js'

// Every draw kind of the schema becomes a deck.gl layer over a columnar frame, with the encodings
// as binary attributes where deck.gl takes them.

const frame = (() => {
  const bytes = encodeFrame(
    {
      meta: [
        { name: 'lon', type: 'Float64' },
        { name: 'lat', type: 'Float64' },
        { name: 'lon2', type: 'Float64' },
        { name: 'lat2', type: 'Float64' },
        { name: 'n', type: 'UInt64' },
        { name: 'status', type: 'String' },
        { name: 'region', type: 'String' },
        { name: 'track', type: 'Array(Tuple(Float64, Float64))' },
      ],
      data: [
        [
          118.7,
          32.0,
          118.9,
          32.1,
          '4',
          'online',
          '320102',
          [
            [118.7, 32],
            [118.8, 32.05],
          ],
        ],
        [
          118.8,
          32.1,
          118.6,
          31.9,
          '9',
          'fault',
          '320104',
          [
            [118.8, 32.1],
            [118.9, 32.2],
            [119, 32.2],
          ],
        ],
      ],
      rows: 2,
      truncated: false,
      elapsedMs: 1,
      rowsRead: 2,
      bytesRead: 2,
    },
    { layer: 'x', region: '3201' },
  )
  return decodeFrame(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
})()

const children = {
  type: 'FeatureCollection' as const,
  features: ['320102', '320104'].map((code) => ({
    type: 'Feature' as const,
    properties: { code },
    geometry: { type: 'Point' as const, coordinates: [118.8, 32] },
  })),
}

const draws: unknown[] = [
  {
    type: 'scatter',
    radius: { field: 'n', domain: [0, 10], range: [2, 12] },
    color: { field: 'status', scale: 'ordinal', domain: ['online', 'fault'], colors: ['#00ff00', '#ff0000'] },
  },
  { type: 'icon', icon: 'diamond', color: '#ffffff' },
  { type: 'heatmap', weight: 'n' },
  { type: 'hexagon', weight: 'n', radius: 300 },
  { type: 'grid', cell_size: 400 },
  {
    type: 'arc',
    source: { lon: 'lon', lat: 'lat' },
    target: { lon: 'lon2', lat: 'lat2' },
    width: { field: 'n', domain: [0, 10], range: [1, 5] },
  },
  {
    type: 'path',
    path: 'track',
    color: { field: 'n', scale: 'linear', domain: [0, 10], colors: ['#000000', '#ffffff'] },
  },
  { type: 'text', text: 'status' },
  { type: 'choropleth', color: { field: 'n', domain: [0, 10], colors: ['#000000', '#ffffff'] } },
]

describe('deck.gl layers from frames', () => {
  it('covers every draw kind of the schema', () => {
    const kinds = new Set(draws.map((d) => (d as { type: string }).type))
    expect([...kinds].sort()).toEqual(DrawSchema.options.map((o) => o.shape.type.value).sort())
  })

  for (const raw of draws) {
    const draw = DrawSchema.parse(raw) as LayerDraw
    it(draw.type, () => {
      const layer = buildDeckLayer({ id: `t-${draw.type}`, draw }, frame, { children })
      expect(layer).not.toBeNull()
      expect(layer!.id).toBe(`thematic:t-${draw.type}`)
      const data = layer!.props.data as {
        length?: number
        attributes?: Record<string, { value: ArrayLike<number>; size: number }>
      }
      if (draw.type === 'choropleth') {
        const fill = layer!.props as unknown as { getFillColor: (f: (typeof children.features)[number]) => number[] }
        expect(fill.getFillColor(children.features[1]).slice(0, 3)).toEqual([230, 230, 230])
        return
      }
      expect(data.length).toBe(2)
      if (draw.type === 'scatter') {
        expect(Array.from(data.attributes!.getPosition.value)).toEqual([118.7, 32, 118.8, 32.1])
        expect(Array.from(data.attributes!.getFillColor.value).slice(0, 4)).toEqual([0, 255, 0, 230])
        expect(Array.from(data.attributes!.getRadius.value)).toEqual([6, 11])
      }
      if (draw.type === 'arc')
        expect(Array.from(data.attributes!.getTargetPosition.value)).toEqual([118.9, 32.1, 118.6, 31.9])
      if (draw.type === 'path')
        expect((data as unknown as { startIndices: Uint32Array }).startIndices).toEqual(new Uint32Array([0, 2, 5]))
    })
  }

  it('says which column is missing', () => {
    const draw = DrawSchema.parse({ type: 'scatter', position: { lon: 'x', lat: 'y' } })
    expect(() => buildDeckLayer({ id: 'm', draw }, frame)).toThrow(/no column x/)
  })
})
