import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridsIn } from '../support/harness.js'
import { makeBatches, sendBatches, startIngest, type IngestFixture } from '../support/ingest.js'

// ClickHouse unavailable for a while in the middle of a stream: the real chDB behind a switch that
// refuses every call, as a server that is down would (test/support/ingest.ts withOutage).
let f: IngestFixture
const grids = gridsIn('3201', 40)

beforeAll(async () => {
  f = await startIngest({ outage: true, batch: { maxDelayMs: 100 } })
})
afterAll(async () => {
  await f?.close()
})

describe('ClickHouse unavailable during a stream', () => {
  it('acknowledges from the fsync’d spool while it is down and stores every acknowledged record exactly once when it is back', async () => {
    const batches = makeBatches('OUT', 60, 200, grids)
    let spooledDuringOutage = 0
    let downAt = 0
    let downMs = 0
    const log = await sendBatches(f.url, batches, {
      concurrency: 4,
      onSent: async (i) => {
        if (i === 10) {
          f.outage.setDown(true)
          downAt = Date.now()
        }
        if (i === 40) {
          // Down for at least 3 s: several retries of the inserter, with senders still answered.
          await sleep(Math.max(0, 3_000 - (Date.now() - downAt)))
          spooledDuringOutage = f.pipeline.spooledBytes()
          f.outage.setDown(false)
          downMs = Date.now() - downAt
        }
      },
    })
    // Every batch got its 200: during the outage from the spool alone.
    expect([...log.statuses.keys()]).toEqual([200])
    expect(log.acked.size).toBe(60 * 200)
    expect(f.outage.failures()).toBeGreaterThan(0)
    expect(spooledDuringOutage).toBeGreaterThan(0)
    // A sender that never heard back retries: the first ten batches again, after the replay.
    await sendBatches(f.url, batches.slice(0, 10))
    const drain = Date.now()
    await f.pipeline.flush()
    console.info(
      `outage: store down ${downMs} ms while 30 batches (6,000 records) were acknowledged from the spool alone ` +
        `(${(spooledDuringOutage / 1024).toFixed(0)} KiB spooled, ${f.outage.failures()} refused store calls); drained ${Date.now() - drain} ms after the retries`,
    )
    expect(f.pipeline.spooledBytes()).toBe(0)

    const [raw] = await f.rows<{ n: string; keys: string }>(
      "SELECT count() AS n, uniqExact(event_id, step, ts) AS keys FROM grid_events WHERE startsWith(event_id, 'OUT-')",
    )
    expect(Number(raw.n)).toBe(log.acked.size)
    expect(Number(raw.keys)).toBe(log.acked.size)
    // The rollups, which count at insert time, count each record once too.
    const [city] = await f.rows<{ n: string }>(
      "SELECT sum(n) AS n FROM events_rollup WHERE depth = 1 AND step = 'reported'",
    )
    expect(Number(city.n)).toBe(log.acked.size)
  })
})
