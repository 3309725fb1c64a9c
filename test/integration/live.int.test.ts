import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

const [inside] = gridsIn('320102')
const [outside] = gridsIn('320104')

let h: Harness
let server: Awaited<ReturnType<Harness['serve']>>
beforeAll(async () => {
  h = await startHarness()
  server = await h.serve()
})
afterAll(async () => {
  await server?.close()
  await h?.close()
})

type Msg = { type: string; region?: string; data?: Record<string, unknown>; code?: string }

/** A socket client that collects messages and waits for one matching a predicate. */
async function connect(query: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/live${query}`)
  const messages: Msg[] = []
  const waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = []
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as Msg
    messages.push(m)
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(m)
    }
  })
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
  const next = (pred: (m: Msg) => boolean, ms = 10_000) =>
    new Promise<Msg>((resolve, reject) => {
      const seen = messages.find(pred)
      if (seen) return resolve(seen)
      const t = setTimeout(
        () => reject(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(messages.map((x) => x.type))}`)),
        ms,
      )
      waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) })
    })
  return { ws, messages, next, send: (m: unknown) => ws.send(JSON.stringify(m)) }
}

describe('the live socket', () => {
  it('pushes a record ingested in the subscribed region, and a KPI snapshot', async () => {
    const token = await h.login('leader.xuanwu')
    const c = await connect(`?token=${token}`)
    c.send({ type: 'subscribe', topics: ['events', 'kpi'], region: '320102' })
    await c.next((m) => m.type === 'subscribed')
    const ts = Date.now()
    await h.send('grid-events', [
      { event_id: 'LIVE-OUT', step: 'reported', ts, category: 'order.parking', grid_code: outside },
      { event_id: 'LIVE-1', step: 'reported', ts, category: 'order.parking', grid_code: inside },
    ])
    const got = await c.next((m) => m.type === 'events')
    expect(got.region).toBe('320102')
    expect(got.data).toMatchObject({
      event_id: 'LIVE-1',
      step: 'reported',
      grid_code: inside,
      district: '320102',
      ts: new Date(ts).toISOString(),
    })
    const kpi = await c.next(
      (m) => m.type === 'kpi' && (m.data as { events: { reported: number } }).events.reported >= 1,
    )
    expect(kpi.region).toBe('320102')
    // Nothing from outside the subscribed region reached this client.
    expect(c.messages.some((m) => m.type === 'events' && m.data?.event_id === 'LIVE-OUT')).toBe(false)
    c.ws.close()
  })

  it('authenticates by a first auth message too, and refuses a region outside the scope', async () => {
    const c = await connect('')
    c.send({ type: 'subscribe', topics: ['events'], region: '320102' })
    expect((await c.next((m) => m.type === 'error')).code).toBe('unauthorized')
    c.send({ type: 'auth', token: await h.login('leader.xuanwu') })
    c.send({ type: 'subscribe', topics: ['events'], region: '320104' })
    expect((await c.next((m) => m.type === 'error' && m.code === 'forbidden')).code).toBe('forbidden')
    c.ws.close()
  })

  it('closes a socket whose token is not valid', async () => {
    const c = await connect('?token=nope')
    const code = await new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)))
    expect(code).toBe(4001)
  })
})
