import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { STREAM_NAMES } from '#core/schemas/records.js'
import { loadCity } from '#platform/config/city.js'
import { simCity as toSimCity } from '#simulator/city.js'
import { createSimulator } from '#simulator/model.js'
import { anchorFor, resumeFrom } from '#simulator/resume.js'
import { startSimulation } from '#simulator/runner.js'
import { gridsIn } from '../support/harness.js'
import { gridEvent, startIngest, type IngestFixture } from '../support/ingest.js'

const MIN = 60_000
const DAY = 86_400_000
/** The server's clock in this file: the pipeline's injectable `now`. */
const NOW = Date.parse('2026-11-23T09:00:00+08:00')
const BOUNDS = { maxFutureMinutes: 10, retentionDays: 400 }
const [grid] = gridsIn('320102', 1)

let f: IngestFixture
let clock = NOW
beforeAll(async () => {
  f = await startIngest({ now: () => clock, timeBounds: BOUNDS })
})
afterAll(async () => {
  await f?.close()
})

describe('time is bounded at the door', () => {
  it('refuses a record too far ahead of the clock or older than the retention, with its index, and stores the rest', async () => {
    const at = (id: string, ts: unknown) => gridEvent(0, grid, { event_id: `T-${id}`, ts })
    const batch = [
      at('ok', NOW - 3_600_000),
      at('y3000', '3000-01-01T00:00:00Z'),
      at('edge-future', NOW + 10 * MIN),
      at('past-future', NOW + 10 * MIN + 1),
      at('epoch', 0),
      at('edge-old', NOW - 400 * DAY),
      at('too-old', NOW - 400 * DAY - 1),
    ]
    const res = await f.post('/ingest/v1/grid-events', JSON.stringify(batch))
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(3)
    expect(res.body.errors).toEqual([
      { index: 1, path: 'ts', message: expect.stringContaining('ahead of the server') },
      { index: 3, path: 'ts', message: expect.stringContaining('10 minutes ahead') },
      { index: 4, path: 'ts', message: expect.stringContaining("older than the store's retention of 400 days") },
      { index: 6, path: 'ts', message: expect.stringContaining('older than') },
    ])
    await f.pipeline.flush()
    const stored = await f.rows<{ event_id: string }>(
      "SELECT event_id FROM grid_events WHERE startsWith(event_id, 'T-') ORDER BY event_id",
    )
    expect(stored.map((r) => r.event_id)).toEqual(['T-edge-future', 'T-edge-old', 'T-ok'].sort())
    const rejects = await f.rows<{ record_index: number; path: string }>(
      "SELECT record_index, path FROM rejects WHERE stream = 'grid-events' AND path = 'ts' AND position(raw, 'T-') > 0 ORDER BY record_index",
    )
    expect(rejects.map((r) => r.record_index)).toEqual([1, 3, 4, 6])
  })

  it('bounds CloudEvents and NDJSON records the same way', async () => {
    const line = (id: string, ts: number) => JSON.stringify(gridEvent(0, grid, { event_id: `TN-${id}`, ts }))
    const nd = await f.post('/ingest/v1/grid-events', [line('a', NOW), line('b', NOW + DAY)].join('\n'), {
      'content-type': 'application/x-ndjson',
    })
    expect(nd.body).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, path: 'ts' }] })
    const ce = await f.post(
      '/ingest/v1/cloudevents',
      JSON.stringify([
        {
          specversion: '1.0',
          id: 'tc1',
          source: 'urn:t',
          type: 'ioc.grid.event',
          data: gridEvent(0, grid, { event_id: 'TC-1', ts: NOW + DAY }),
        },
      ]),
      { 'content-type': 'application/cloudevents-batch+json' },
    )
    expect(ce.body).toMatchObject({ accepted: 0, rejected: 1, errors: [{ index: 0, path: 'data.ts' }] })
  })
})

describe('a store that already holds a record from the year 3000', () => {
  it('starts the simulator from the newest time that is not in the future, and it goes live at now', async () => {
    const now = Date.now()
    // Written before the door was bounded: straight into the raw table.
    await f.store.command({
      query:
        'INSERT INTO grid_events (event_id, step, ts, category, grid_code) VALUES ({id:String}, {step:String}, fromUnixTimestamp64Milli({ts:Int64}), {category:String}, {grid:String})',
      query_params: {
        id: 'FROM-3000',
        step: 'reported',
        ts: Date.parse('3000-01-01T00:00:00Z'),
        category: 'appearance.garbage',
        grid,
      },
    })
    const [{ newest }] = await f.rows<{ newest: string }>(
      'SELECT toUnixTimestamp64Milli(max(ts)) AS newest FROM grid_events',
    )
    expect(Number(newest)).toBeGreaterThan(now + 100 * 365 * DAY)

    const bounds = { maxFutureMinutes: 10, retentionDays: 400 }
    const anchor = anchorFor(undefined, 7, now, 1)
    const lastGood = now - 20 * MIN
    await f.store.command({
      query:
        'INSERT INTO grid_events (event_id, step, ts, category, grid_code) VALUES ({id:String}, {step:String}, fromUnixTimestamp64Milli({ts:Int64}), {category:String}, {grid:String})',
      query_params: { id: 'LAST-GOOD', step: 'reported', ts: lastGood, category: 'appearance.garbage', grid },
    })
    const from = await resumeFrom(f.store, anchor, { now, bounds })
    expect(from).toBe(lastGood - 5 * MIN)

    // The runner from there, on the demo city, into the pipeline, whose clock is now the real one.
    clock = Date.now()
    const sim = createSimulator({
      seed: 7,
      rate: 1,
      city: toSimCity(loadCity()),
      eventCatalog: loadEventCatalog(),
      hotlineCatalog: loadHotlineCatalog(),
      start: anchor.start,
    })
    const run = startSimulation({
      sim,
      sink: (stream, records) => f.pipeline.ingest(stream, records, 'simulator'),
      backfillFrom: from,
    })
    await run.live
    await run.stop()
    const stats = run.stats()
    expect(stats.position).toBeLessThanOrEqual(Date.now())
    expect(stats.position).toBeGreaterThan(now - MIN)
    expect(STREAM_NAMES.reduce((n, s) => n + stats.sent[s], 0)).toBeGreaterThan(0)
    expect(stats.sinkErrors).toBe(0)
    const [{ n }] = await f.rows<{ n: string }>(
      'SELECT count() AS n FROM terminal_status WHERE ts > fromUnixTimestamp64Milli({from:Int64}) AND ts <= now64(3)',
      { from },
    )
    expect(Number(n)).toBeGreaterThan(0)
  })

  it('starts a new story when the saved anchor lies in the future', () => {
    const now = Date.now()
    expect(anchorFor({ seed: 7, start: now - DAY }, 7, now, 36)).toEqual({ seed: 7, start: now - DAY })
    const fresh = anchorFor({ seed: 7, start: Date.parse('3000-01-01T00:00:00Z') }, 7, now, 36)
    expect(fresh.start).toBeLessThanOrEqual(now - 36 * 3_600_000)
    expect(fresh.start).toBeGreaterThan(now - 37 * 3_600_000)
  })
})
