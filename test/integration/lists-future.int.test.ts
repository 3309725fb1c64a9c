import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

// A store that took records from the future before the door was bounded (docs/reliability.md):
// they must not sit on top of every list, now and for the next thousand years.
let h: Harness
const [grid] = gridsIn('320102')
beforeAll(async () => {
  h = await startHarness()
  const future = Date.parse('3000-01-01T00:00:00Z')
  for (const [table, id, step] of [
    ['grid_events', 'event_id', 'reported'],
    ['hotline_tickets', 'ticket_id', 'created'],
  ] as const) {
    // Written before the bound existed: straight into the raw table, as an old ingest did.
    await h.store.command({
      query: `INSERT INTO ${table} (${id}, step, ts, category, grid_code) VALUES ('FUTURE-1', {step:String}, fromUnixTimestamp64Milli({ts:Int64}), 'traffic', {grid:String})`,
      query_params: { step, ts: future, grid },
    })
  }
  const ts = Date.now() - 60_000
  await h.send('grid-events', [
    { event_id: 'NOW-1', step: 'reported', ts, category: 'appearance.garbage', grid_code: grid },
  ])
  await h.send('hotline-tickets', [{ ticket_id: 'NOW-1', step: 'created', ts, category: 'traffic', grid_code: grid }])
})
afterAll(async () => h?.close())

describe('lists on a store holding records from the year 3000', () => {
  it('list the newest records that are not ahead of the clock', async () => {
    const events = await h.get<{ items: { event_id: string }[] }>('/api/v1/events?region=320102', 'operator')
    const tickets = await h.get<{ items: { ticket_id: string }[] }>('/api/v1/tickets?region=320102', 'operator')
    expect(events.body.items.map((e) => e.event_id)).toEqual(['NOW-1'])
    expect(tickets.body.items.map((t) => t.ticket_id)).toEqual(['NOW-1'])
  })
})
