import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { encodeFrame } from '#api/layers/frame.js'
import { DrawSchema, LayerSchema, LiveSchema } from '#core/schemas/layer.js'
import { ScreenSchema } from '#core/schemas/screen.js'
import { hexRadiusFor } from '../../web/src/map/hexbin.js'
import { buildDeckLayer, columnsOf } from '../../web/src/map/thematic/deck.js'
import { cell, decodeFrame, numbers } from '../../web/src/map/thematic/frame.js'
import { flatArcs } from '../../web/src/map/thematic/kinds/arc.js'
import { derive, mergeLive } from '../../web/src/map/thematic/live.js'

// One map-layer system: what the screen's built-in layers did (live points, status rings, flat
// arcs, hexagons sized to the region) is now declared in layer files and drawn by web/src/map/thematic.

const ROOT = join(import.meta.dirname, '../..')

function frameOf(meta: { name: string; type: string }[], data: unknown[][]) {
  const bytes = encodeFrame(
    { meta, data, rows: data.length, truncated: false, elapsedMs: 1, rowsRead: data.length, bytesRead: 1 },
    { layer: 'x', region: '3201' },
  )
  return decodeFrame(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
}

const events = frameOf(
  [
    { name: 'event_id', type: 'String' },
    { name: 'status', type: 'String' },
    { name: 'step', type: 'String' },
    { name: 'lon', type: 'Float64' },
    { name: 'lat', type: 'Float64' },
  ],
  [
    ['e1', 'closed', 'evaluated', 118.7, 32.0],
    ['e2', 'open', 'dispatched', 118.8, 32.1],
  ],
)
const live = LiveSchema.parse({
  topic: 'events',
  key: 'event_id',
  max_rows: 10,
  derive: {
    status: {
      rules: [
        { field: 'step', in: ['evaluated'], value: 'closed' },
        { field: 'deadline', past: true, value: 'overdue' },
      ],
      otherwise: 'open',
    },
  },
})
const NOW = Date.UTC(2026, 10, 20, 4)

describe('live rows', () => {
  it('derives a column from a pushed record by the first rule that holds', () => {
    expect(derive(live, { step: 'evaluated', deadline: '2026-11-19T00:00:00Z' }, NOW)).toEqual({ status: 'closed' })
    expect(derive(live, { step: 'handled', deadline: '2026-11-19T00:00:00Z' }, NOW)).toEqual({ status: 'overdue' })
    expect(derive(live, { step: 'handled', deadline: '2026-11-21T00:00:00Z' }, NOW)).toEqual({ status: 'open' })
    expect(derive(live, { step: 'reported', deadline: null }, NOW)).toEqual({ status: 'open' })
  })

  it('moves a pushed row to the top and adds a new one; other columns keep their loaded values', () => {
    const pushes = new Map([
      ['e1', { event_id: 'e1', step: 'handled', deadline: '2026-11-19T00:00:00Z', lon: 118.75 }],
      ['e3', { event_id: 'e3', step: 'reported', lat: 32.2, lon: 118.9 }],
    ])
    const f = mergeLive(events, live, pushes, NOW)
    expect(f.length).toBe(3)
    expect(f.header.rows).toBe(3)
    expect([0, 1, 2].map((i) => cell(f, 'event_id', i))).toEqual(['e2', 'e1', 'e3'])
    expect([0, 1, 2].map((i) => cell(f, 'status', i))).toEqual(['open', 'overdue', 'open'])
    expect([0, 1, 2].map((i) => cell(f, 'step', i))).toEqual(['dispatched', 'handled', 'reported'])
    expect(Array.from(numbers(f, 'lon'))).toEqual([118.8, 118.75, 118.9])
    // e1's latitude was not in the push: it keeps the loaded one.
    expect(Array.from(numbers(f, 'lat'))).toEqual([32.1, 32.0, 32.2])
    // The loaded frame is not touched: a reload brings a fresh base under the same pushes.
    expect(events.length).toBe(2)
    expect(cell(events, 'status', 0)).toBe('closed')
  })

  it('draws the merged rows: a pushed event is a dot on the map without a reload', () => {
    const draw = DrawSchema.parse({
      type: 'scatter',
      color: {
        field: 'status',
        scale: 'ordinal',
        domain: ['open', 'overdue', 'closed'],
        colors: ['#ff0000', '#00ff00', '#0000ff'],
      },
      radius: { field: 'status', scale: 'ordinal', domain: ['open', 'overdue', 'closed'], sizes: [4.5, 5.5, 3] },
    })
    const f = mergeLive(events, live, new Map([['e9', { event_id: 'e9', step: 'reported', lon: 119, lat: 32.3 }]]), NOW)
    const layer = buildDeckLayer({ id: 'events', draw }, f)!
    const data = layer.props.data as unknown as {
      length: number
      attributes: Record<string, { value: ArrayLike<number> }>
    }
    expect(data.length).toBe(3)
    expect(Array.from(data.attributes.getPosition.value).slice(4)).toEqual([119, 32.3])
    expect(Array.from(data.attributes.getRadius.value)).toEqual([3, 4.5, 4.5])
    expect(Array.from(data.attributes.getFillColor.value).slice(0, 3)).toEqual([0, 0, 255])
  })
})

describe('draw kinds the built-in layers needed', () => {
  it('a ring: dark fill, outline coloured by a column', () => {
    const draw = DrawSchema.parse({
      type: 'scatter',
      color: '#04152bdc',
      stroke: { field: 'status', scale: 'ordinal', domain: ['open', 'closed'], colors: ['#2dd4bfff', '#94a3b8ff'] },
      stroke_width: 2,
    })
    const layer = buildDeckLayer({ id: 'rings', draw }, events)!
    const props = layer.props as unknown as {
      getFillColor: number[]
      getLineWidth: number
      data: { attributes: Record<string, { value: ArrayLike<number> }> }
    }
    expect(props.getFillColor).toEqual([4, 21, 43, 220])
    expect(props.getLineWidth).toBe(2)
    expect(Array.from(props.data.attributes.getLineColor.value)).toEqual([148, 163, 184, 255, 45, 212, 191, 255])
  })

  it('flat arcs bow off the straight line and end where they should', () => {
    const { starts, coords } = flatArcs(new Float64Array([0, 0, 10, 10]), new Float64Array([10, 0, 10, 20]))
    expect(Array.from(starts)).toEqual([0, 21, 42])
    expect([coords[0], coords[1], coords[40], coords[41]]).toEqual([0, 0, 10, 0])
    // Halfway along the first (west to east) arc it is off the line, to the left (north).
    expect(coords[21]).toBeGreaterThan(0.5)
    const draw = DrawSchema.parse({
      type: 'arc',
      shape: 'flat',
      source: { lon: 'lon', lat: 'lat' },
      target: { lon: 'lon', lat: 'lat' },
      target_ring: 7,
    })
    expect(buildDeckLayer({ id: 'arcs', draw }, events)!.id).toBe('thematic:arcs')
  })

  it('auto hexagons: about forty across the region in view, within 15 m and 5 km', () => {
    expect(hexRadiusFor([118.3, 31.2, 119.3, 32.6])).toBeGreaterThan(2000)
    expect(hexRadiusFor([118.78, 32.04, 118.79, 32.05])).toBeLessThan(30)
    expect(hexRadiusFor([0, 0, 100, 1])).toBe(5000)
    expect(hexRadiusFor(undefined)).toBe(1000)
    const draw = DrawSchema.parse({ type: 'hexagon', radius: 'auto', extruded: false, color_scale: 'sqrt' })
    const layer = buildDeckLayer({ id: 'd', draw }, events, { bbox: [118.3, 31.2, 119.3, 32.6] })!
    expect((layer.props.data as unknown[]).length).toBe(2)
  })

  it('an ordinal size needs one size per value, and a derive rule either `in` or `past`', () => {
    expect(() =>
      DrawSchema.parse({ type: 'scatter', radius: { field: 's', scale: 'ordinal', domain: ['a', 'b'], sizes: [1] } }),
    ).toThrow()
    expect(() =>
      LiveSchema.parse({
        topic: 'events',
        key: 'k',
        derive: { s: { rules: [{ field: 'f', value: 'v' }], otherwise: 'o' } },
      }),
    ).toThrow()
  })

  it('names the columns a drawing reads', () => {
    const draw = DrawSchema.parse({
      type: 'arc',
      source: { lon: 'a', lat: 'b' },
      target: { lon: 'c', lat: 'd' },
      width: { field: 'n', domain: [0, 1], range: [1, 2] },
    })
    expect(columnsOf(draw)).toEqual(['a', 'b', 'c', 'd', 'n'])
  })
})

describe('shipped files', () => {
  const layerIds = readdirSync(join(ROOT, 'dashboards/layers')).map((f) => f.replace(/\.yaml$/, ''))
  it('every layer a screen switches on is a layer file', () => {
    for (const f of readdirSync(join(ROOT, 'dashboards/screens'))) {
      const screen = ScreenSchema.parse(parse(readFileSync(join(ROOT, 'dashboards/screens', f), 'utf8')))
      for (const id of screen.map.layers) expect(layerIds, `${f} names ${id}`).toContain(id)
    }
  })

  it('the layers that were built in update live from the socket', () => {
    const read = (id: string) =>
      LayerSchema.parse(parse(readFileSync(join(ROOT, 'dashboards/layers', `${id}.yaml`), 'utf8')))
    expect(read('events').live).toMatchObject({ topic: 'events', key: 'event_id' })
    expect(read('density').live).toMatchObject({ topic: 'events', key: 'event_id' })
    expect(read('terminals').live).toMatchObject({ topic: 'terminals', key: 'terminal_id' })
  })
})
