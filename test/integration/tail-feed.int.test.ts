import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveRecord } from '#api/live/hub.js'
import { TailFeed } from '#api/live/tail-feed.js'
import type { StreamName } from '#core/schemas/records.js'
import type { Row } from '#store/rows.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

// In server mode the api does not share a process with ingest: it tails the raw tables. Here the
// ingest pipeline writes and a TailFeed on the same store must see every record exactly once.
const [grid] = gridsIn('320102')

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => h?.close())

describe('the tail feed', () => {
  it('delivers what another writer stored, once, and no history', async () => {
    const feed = new TailFeed(h.store, 200)
    const got: { stream: StreamName; row: Row }[] = []
    const off = feed.on((stream, rows) => rows.forEach((row) => got.push({ stream, row })))
    const now = Date.now()
    await h.send('grid-events', [
      { event_id: 'OLD', step: 'reported', ts: now - 2 * 86_400_000, category: 'order.parking', grid_code: grid },
      {
        event_id: 'T1',
        step: 'reported',
        ts: now,
        category: 'order.parking',
        grid_code: grid,
        deadline: now + 3_600_000,
      },
    ])
    await h.send('terminal-status', [{ terminal_id: 'K1', ts: now, status: 'online', grid_code: grid }])
    await expect.poll(() => got.length, { timeout: 5000 }).toBe(2)
    await new Promise((r) => setTimeout(r, 600))
    off()
    expect(got.map((g) => [g.stream, g.row.event_id ?? g.row.terminal_id])).toEqual(
      expect.arrayContaining([
        ['grid-events', 'T1'],
        ['terminal-status', 'K1'],
      ]),
    )
    expect(got).toHaveLength(2)
    const t1 = got.find((g) => g.row.event_id === 'T1')!.row
    expect(t1).toMatchObject({ ts: now, grid_code: grid, district: '320102' })
    expect(liveRecord('grid-events', t1, () => undefined)).toMatchObject({
      ts: new Date(now).toISOString(),
      deadline: new Date(now + 3_600_000).toISOString(),
    })
  })
})
