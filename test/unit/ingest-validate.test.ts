import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { STREAMS, STREAM_NAMES } from '#core/schemas/records.js'
import { createFastValidator, validateRecord } from '#ingest/pipeline/validate.js'

const grid = '320102002001001'
const base: Record<string, Record<string, unknown>> = {
  'grid-events': {
    event_id: 'E-1',
    step: 'reported',
    ts: 1_790_000_000_000,
    category: 'appearance.garbage',
    grid_code: grid,
    priority: 3,
    deadline: '2026-11-23T10:00:00+08:00',
    evaluation: '',
  },
  'terminal-status': {
    terminal_id: 'T-1',
    ts: '2026-11-23T09:00:00Z',
    status: 'online',
    lon: 118.8,
    lat: 32.05,
    crs: 'gcj02',
    paper_pct: 50,
    transactions: 3,
  },
  'hotline-tickets': {
    ticket_id: 'K-1',
    step: 'rated',
    ts: 1_790_000_000_000,
    category: 'noise',
    grid_code: grid,
    satisfaction: 'satisfied',
    urgency: 2,
  },
}
const keys = [
  ...new Set(Object.values(base).flatMap((r) => Object.keys(r))),
  'lon',
  'lat',
  'grid_code',
  'description',
  'channel',
  'extra',
]
const values = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(
    0,
    -1,
    1,
    5,
    6,
    100,
    100.5,
    1e308,
    Number.NaN,
    8_640_000_000_001,
    '',
    'x'.repeat(4001),
    'yesterday',
    '2026-13-45',
    '2026-11-23',
    grid,
    '3201',
    'E 1',
    'online',
    'reported',
    'satisfied',
    'wgs84',
    'bd09',
    118.8,
    32.05,
    200,
    -91,
  ),
)

describe('the compiled validator from the zod schemas', () => {
  it('accepts exactly what zod accepts, over generated records', () => {
    for (const stream of STREAM_NAMES) {
      const fast = createFastValidator(STREAMS[stream].schema)
      fc.assert(
        fc.property(
          fc.dictionary(fc.constantFrom(...keys), fc.option(values, { nil: undefined }), { maxKeys: 6 }),
          fc.boolean(),
          (changes, drop) => {
            const record: Record<string, unknown> = { ...base[stream], ...changes }
            if (drop) for (const k of Object.keys(changes)) delete record[k]
            const z = validateRecord(STREAMS[stream].schema, record)
            const f = fast(record)
            expect(f.ok, JSON.stringify({ record, z })).toBe(z.ok)
            if (!f.ok && !z.ok) expect([f.path, f.message]).toEqual([z.path, z.message])
          },
        ),
        { numRuns: 1500 },
      )
    }
  })

  it('gives zod’s field path and reason for a refused record', () => {
    const fast = createFastValidator(STREAMS['grid-events'].schema)
    expect(fast({ ...base['grid-events'], ts: 'not a time' })).toEqual({
      ok: false,
      path: 'ts',
      message: 'not an ISO 8601 time',
    })
    expect(fast({ ...base['grid-events'], grid_code: undefined })).toMatchObject({ ok: false, path: 'grid_code' })
    expect(fast({ ...base['grid-events'], grid_code: undefined, lon: 118.8 })).toMatchObject({ ok: false, path: 'lat' })
    expect(fast([1, 2])).toMatchObject({ ok: false, path: '' })
  })
})
