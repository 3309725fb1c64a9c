import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createStore } from '#store/client.js'
import { exited, spawnIngest } from '../support/child.js'
import { gridsIn } from '../support/harness.js'
import { makeBatches, sendBatches, TOKEN, type SendLog } from '../support/ingest.js'

// `npm run ingest` as a real process on chDB, killed with SIGKILL in the middle of a stream and
// started again on the same data directory.
const dir = mkdtempSync(join(tmpdir(), 'ioc-sigkill-'))
// Answers after the fsync (not after the insert), so that acknowledged records sit in the spool
// when the kill comes and the restart has to replay them.
const env = { IOC_DATA_DIR: dir, IOC_INGEST_TOKENS: TOKEN, IOC_INGEST_ACK: 'spooled' }
const grids = gridsIn('3201', 40)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('SIGKILL of the ingest process mid-stream', () => {
  it('loses no acknowledged record and stores each once after the restart', async () => {
    const batches = makeBatches('KILL', 200, 200, grids)
    const first = await spawnIngest(env)
    let killedAt = -1
    const log: SendLog = await sendBatches(first.url, batches, {
      concurrency: 6,
      onSent: (i) => {
        // Kill once a good part of the stream is acknowledged, with requests still in flight.
        if (i === 100 && killedAt < 0) {
          killedAt = i
          first.child.kill('SIGKILL')
        }
      },
    })
    await exited(first.child)
    expect(killedAt).toBe(100)
    const ackedBeforeKill = log.acked.size
    expect(ackedBeforeKill).toBeGreaterThan(90 * 200)
    expect(log.unacked.length).toBeGreaterThan(0)
    const spooled = readdirSync(join(dir, 'spool', 'grid_events'))
    expect(spooled.length).toBeGreaterThan(0)

    const second = await spawnIngest(env)
    // The sender retries what got no answer, and (not knowing) some that did.
    const retry = [...log.unacked.splice(0), ...batches.slice(0, 20)]
    await sendBatches(second.url, retry, { concurrency: 4, log })
    expect(log.unacked).toEqual([])
    second.child.kill('SIGTERM')
    expect(await exited(second.child)).toBe(0)
    expect(readdirSync(join(dir, 'spool', 'grid_events'))).toEqual([])

    const store = await createStore({ dataDir: dir, database: 'ioc' })
    try {
      const rs = await store.query({
        query:
          "SELECT count() AS n, uniqExact(event_id, step, ts) AS keys FROM grid_events WHERE startsWith(event_id, 'KILL-')",
        format: 'JSONEachRow',
      })
      const [raw] = await rs.json<{ n: string; keys: string }>()
      const ids = await (
        await store.query({
          query: "SELECT event_id FROM grid_events WHERE startsWith(event_id, 'KILL-')",
          format: 'JSONCompactEachRow',
        })
      ).json<[string]>()
      const stored = new Set(ids.map((r) => r[0]))
      const lost = [...log.acked].filter((id) => !stored.has(id))
      expect(lost).toEqual([])
      expect(Number(raw.n)).toBe(Number(raw.keys))
      const [city] = await (
        await store.query({
          query: "SELECT sum(n) AS n FROM events_rollup WHERE depth = 1 AND step = 'reported'",
          format: 'JSONEachRow',
        })
      ).json<{ n: string }>()
      expect(Number(city.n)).toBe(Number(raw.keys))
      // Every view's table, not only the rollup: a kill part-way through an insert must not leave one behind (migration
      // 025).
      const [others] = await (
        await store.query({
          query: `SELECT (SELECT sum(n) FROM events_class_totals WHERE depth = 1 AND step = 'reported') AS totals,
            (SELECT uniqExact(event_id) FROM event_state) AS state, (SELECT uniqExact(event_id) FROM event_cohort) AS cohort,
            (SELECT sum(sign) FROM event_cohort) AS started`,
          format: 'JSONEachRow',
        })
      ).json<{ totals: string; state: string; cohort: string; started: string }>()
      // The cohort table is the writer's, not a view's (migration 027): a retry must not count a batch twice there
      // either.
      expect(others).toEqual({ totals: raw.keys, state: raw.keys, cohort: raw.keys, started: raw.keys })
      console.info(
        `sigkill: ${ackedBeforeKill} records acknowledged before the kill, ${spooled.length} spool segment(s) left by it, ` +
          `${retry.length} batches re-sent after the restart; ${raw.n} stored, each once, none lost`,
      )
    } finally {
      await store.close()
    }
  }, 120_000)
})
