// GET /api/v1/status: the server's clock, the newest stored record of each stream and the lag from
// it, the history's progress when a simulation writes one, the city's freshness thresholds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Status } from '#core/schemas/api.js'
import { tables } from '#store/schema.js'
import { sql } from '#store/sql.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

const [grid] = gridsIn('320102')
const T = Math.floor(Date.now() / 1000) * 1000
let clock = T
let h: Harness
beforeAll(async () => {
  h = await startHarness({ now: () => clock })
})
afterAll(async () => {
  await h?.close()
})

const status = async (user = 'admin') => {
  const res = await h.get<Status>('/api/v1/status', user)
  expect(res.status).toBe(200)
  return res.body
}

describe('GET /api/v1/status', () => {
  it('says the store is empty and no history loads, on the server clock', async () => {
    const s = await status()
    expect(s).toEqual({
      now: new Date(T).toISOString(),
      history: { loading: false, from: null, to: null, until: null, progress: 1 },
      newest: { events: null, tickets: null, terminals: null },
      lag_seconds: null,
      freshness: { warn_seconds: 120, alarm_seconds: 600 },
      terminal_silence_minutes: 15,
    })
  })

  it('measures the lag from the newest stored record of any stream, asked at most every 2 s', async () => {
    await h.send('grid-events', [
      { event_id: 'ST-1', step: 'reported', ts: T - 90_000, category: 'order.parking', grid_code: grid },
    ])
    await h.send('terminal-status', [{ terminal_id: 'ST-T1', ts: T - 30_000, status: 'online', grid_code: grid }])
    clock = T + 3_000
    const s = await status('leader.xuanwu')
    expect(s.newest).toEqual({
      events: new Date(T - 90_000).toISOString(),
      tickets: null,
      terminals: new Date(T - 30_000).toISOString(),
    })
    expect(s.lag_seconds).toBe(33)

    // Within 2 s of that answer the store is not asked again; after, it is.
    await h.send('grid-events', [
      { event_id: 'ST-2', step: 'reported', ts: T, category: 'order.parking', grid_code: grid },
    ])
    clock = T + 4_000
    expect((await status()).newest.events).toBe(new Date(T - 90_000).toISOString())
    clock = T + 6_000
    const fresh = await status()
    expect(fresh.newest.events).toBe(new Date(T).toISOString())
    expect(fresh.lag_seconds).toBe(6)
  })

  it('is not fooled by a row from the future that an earlier writer left', async () => {
    // Written past ingest's bounds (ingest would refuse it): the newest record that may be stored is still T.
    await h.store.command(
      sql`INSERT INTO ${tables.gridEvents} (event_id, step, ts, category, grid_code)
        VALUES ('ST-FUTURE', 'reported', ${sql.ms(T + 365 * 86_400_000)}, 'order.parking', ${sql.string(grid)})`.toQuery(),
    )
    clock = T + 9_000
    const s = await status()
    expect(s.newest.events).toBe(new Date(T).toISOString())
    expect(s.lag_seconds).toBe(9)
  })

  it('shows the history a simulation is writing', async () => {
    h.ctx.history = () => ({ loading: true, from: T - 36 * 3_600_000, to: T, until: T - 3_600_000, progress: 0.42 })
    const s = await status()
    expect(s.history).toEqual({
      loading: true,
      from: new Date(T - 36 * 3_600_000).toISOString(),
      to: new Date(T).toISOString(),
      until: new Date(T - 3_600_000).toISOString(),
      progress: 0.42,
    })
    h.ctx.history = undefined
  })

  it('needs a signed-in user', async () => {
    const res = await h.app.request('/api/v1/status')
    expect(res.status).toBe(401)
  })
})
