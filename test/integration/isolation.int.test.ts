import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { thematicFor } from '#api/layers/service.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'
import { DEMO_INGEST_TOKEN } from '#platform/auth/users.js'

// One analyst must not stall everything: the studio's worst drafts run beside the wall's reads,
// ingest and /healthz instead of in front of them, one user runs only a few at once, and a draft's
// result is bounded in size. Ordering, not time, is asserted: what the wall and ingest ask while
// the drafts run is answered before any draft ends.

const ROOT = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'ioc-isolation-'))
mkdirSync(join(dir, 'layers'))
mkdirSync(join(dir, 'alerts'))
process.env.IOC_DASHBOARDS_DIR = dir

const layer = (sql: string) =>
  readFileSync(join(ROOT, 'dashboards/layers/event-heat.yaml'), 'utf8')
    .replace('id: event-heat', 'id: isolation-draft')
    .replace(/sql: \|[\s\S]*?\ndraw:/, `sql: |\n  ${sql}\ndraw:`)
/** A cross join that runs until the draft's time limit ends it. */
const WORST = layer(
  'SELECT a.lon AS lon, a.lat AS lat, toFloat64(count()) AS weight FROM regions AS a, regions AS b, regions AS c WHERE a.lon + b.lon > c.lat AND startsWith(a.code, {region:String}) GROUP BY lon, lat',
)
/** Tens of megabytes of result. */
const HUGE = layer(
  'SELECT lon, lat, toFloat64(1) AS weight, repeat(name, 200) AS note FROM regions WHERE startsWith(code, {region:String})',
)

let h: Harness
beforeAll(async () => {
  h = await startHarness()
  await h.send('grid-events', [
    {
      event_id: 'ISO-1',
      step: 'reported',
      ts: Date.now() - 60_000,
      category: 'appearance.garbage',
      grid_code: gridsIn('320102')[0],
    },
  ])
})
afterAll(async () => {
  thematicFor(h.ctx).close()
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

async function draft(user: string, text: string): Promise<Response> {
  return h.app.request('/api/v1/studio/layers/run', {
    method: 'POST',
    headers: { authorization: `Bearer ${await h.login(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  })
}

describe('isolation between workloads', () => {
  it('answers health, the overview and ingest while three worst-case drafts run, and caps drafts per user', async () => {
    const order: string[] = []
    const done = (what: string) => (r: Response) => {
      order.push(what)
      return r
    }
    await Promise.all([h.login('analyst'), h.login('admin'), h.login('operator')])
    const drafts = [draft('analyst', WORST), draft('analyst', WORST), draft('admin', WORST)].map((p) =>
      p.then(done('draft')),
    )
    // Let the drafts reach the engine.
    await new Promise((r) => setTimeout(r, 500))
    // A third of the analyst's own is refused at once; it does not queue behind the first two.
    const third = await draft('analyst', WORST)
    expect(third.status).toBe(429)
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_queries')

    const operator = { authorization: `Bearer ${await h.login('operator')}` }
    const ingest = { authorization: `Bearer ${DEMO_INGEST_TOKEN}`, 'content-type': 'application/json' }
    const record = {
      event_id: 'ISO-2',
      step: 'reported',
      ts: Date.now(),
      category: 'appearance.garbage',
      grid_code: gridsIn('320102')[0],
    }
    const wall = await Promise.all([
      Promise.resolve(h.app.request('/healthz')).then(done('health')),
      Promise.resolve(h.app.request('/api/v1/overview?region=320102', { headers: operator })).then(done('overview')),
      Promise.resolve(
        h.app.request('/ingest/v1/grid-events', { method: 'POST', headers: ingest, body: JSON.stringify(record) }),
      ).then(done('ingest')),
    ])
    expect(wall.map((r) => r.status)).toEqual([200, 200, 200])
    const ended = await Promise.all(drafts)
    // Each worst case ran into the draft time limit: a clear 422, not a stalled server.
    for (const r of ended) expect(((await r.json()) as { error: { code: string } }).error.code).toBe('sandbox_limit')
    expect(order.indexOf('draft')).toBe(3)
    expect(order.slice(0, 3).sort()).toEqual(['health', 'ingest', 'overview'])
  })

  it('refuses a draft whose result is over the bound instead of holding it in memory', async () => {
    const res = await draft('analyst', HUGE)
    expect(res.status).toBe(422)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('sandbox_limit')
    expect(body.error.message).toMatch(/result/i)
  })
})
