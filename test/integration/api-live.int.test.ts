import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WSContext } from 'hono/ws'
import WebSocket from 'ws'
import { LiveHub } from '#api/live/hub.js'
import { TailFeed } from '#api/live/tail-feed.js'
import { LocalBus } from '#platform/feed.js'
import type { Row } from '#store/rows.js'
import { createApp } from '#api/app.js'
import { listen } from '#platform/serve.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

const [gIn, gIn2] = gridsIn('320102', 2)
const [gOut] = gridsIn('320104')

type Msg = {
  type: string
  region?: string
  seq?: number
  epoch?: string
  replayed?: number
  count?: number
  reason?: string
  data?: { event_id?: string }
}

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => h?.close())

/** A socket client that keeps every message it gets. */
async function client(url: string, token: string) {
  const ws = new WebSocket(`${url}/api/v1/live?token=${encodeURIComponent(token)}`)
  const got: Msg[] = []
  ws.on('message', (raw) => got.push(JSON.parse(String(raw)) as Msg))
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return {
    got,
    send: (m: object) => ws.send(JSON.stringify(m)),
    close: () => ws.close(),
    ids: () => got.filter((m) => m.type === 'events').map((m) => m.data!.event_id),
  }
}

const ev = (id: string, grid: string) => ({
  event_id: id,
  step: 'reported',
  ts: Date.now() - 1000,
  category: 'appearance.garbage',
  grid_code: grid,
})

describe('resume after a reconnect', () => {
  it('replays what the client missed in its region, in order, from its last seq', async () => {
    const server = await h.serve()
    const token = await h.login('leader.xuanwu')
    try {
      const a = await client(server.url.replace('http', 'ws'), token)
      a.send({ type: 'subscribe', topics: ['events'], region: '320102' })
      await h.send('grid-events', [ev('R1', gIn)])
      await expect.poll(() => a.ids()).toEqual(['R1'])
      const last = a.got.find((m) => m.type === 'events')!.seq!
      const epoch = a.got.find((m) => m.type === 'subscribed')!.epoch!
      a.close()
      // While it is away: two in its region, one outside.
      await h.send('grid-events', [ev('R2', gIn), ev('R3', gOut), ev('R4', gIn2)])
      const b = await client(server.url.replace('http', 'ws'), token)
      b.send({ type: 'subscribe', topics: ['events'], region: '320102', since: last, epoch })
      await expect.poll(() => b.ids()).toEqual(['R2', 'R4'])
      expect(b.got[0]).toMatchObject({ type: 'subscribed', replayed: 2, epoch })
      const seqs = b.got.filter((m) => m.type === 'events').map((m) => m.seq!)
      expect(seqs[0]).toBeGreaterThan(last)
      expect(seqs[1]).toBeGreaterThan(seqs[0])
      b.close()

      // From another process (another epoch) nothing can be replayed: the client is told to fetch afresh.
      const c = await client(server.url.replace('http', 'ws'), token)
      c.send({ type: 'subscribe', topics: ['events'], region: '320102', since: last, epoch: 'another-process' })
      await expect.poll(() => c.got.map((m) => m.type)).toEqual(['subscribed', 'resync'])
      c.close()
    } finally {
      await server.close()
    }
  })

  it('asks for a resync when the ring no longer holds everything missed', async () => {
    const bus = new LocalBus()
    const hub = new LiveHub(h.ctx, bus, { ringSize: 5, kpiIntervalMs: 60_000 })
    const fake = fakeSocket()
    const handlers = hub.handlers(await h.login('operator'))
    await handlers.onOpen(new Event('open'), fake.ws)
    const rows = (n: number, from: number) => Array.from({ length: n }, (_, i) => row(`G${from + i}`, gIn))
    bus.publish('grid-events', rows(3, 0))
    handlers.onMessage(
      new MessageEvent('message', {
        data: JSON.stringify({ type: 'subscribe', topics: ['events'], region: '320102', since: 0, epoch: hub.epoch }),
      }),
      fake.ws,
    )
    await expect.poll(() => fake.sent.map((m) => m.type)).toContain('events')
    expect(fake.sent.filter((m) => m.type === 'events')).toHaveLength(3)
    bus.publish('grid-events', rows(20, 3))
    handlers.onMessage(
      new MessageEvent('message', {
        data: JSON.stringify({ type: 'subscribe', topics: ['events'], region: '320102', since: 2, epoch: hub.epoch }),
      }),
      fake.ws,
    )
    await expect.poll(() => fake.sent.at(-1)?.type).toBe('resync')
    hub.close()
  })
})

/** A stand-in for a socket whose unsent bytes the test sets: how a slow tablet looks to the hub. */
function fakeSocket() {
  const sent: Msg[] = []
  const raw = { bufferedAmount: 0 }
  const ws = {
    readyState: 1,
    raw,
    send: (data: string) => sent.push(JSON.parse(data) as Msg),
    close: () => undefined,
  } as unknown as WSContext
  return { ws, raw, sent }
}
const row = (id: string, grid: string): Row => ({
  event_id: id,
  step: 'reported',
  ts: Date.now(),
  category: 'appearance.garbage',
  grid_code: grid,
  district: grid.slice(0, 6),
})

describe('slow clients', () => {
  it('skip a client whose socket is backed up, keep the others going, and tell it what it missed', async () => {
    const bus = new LocalBus()
    const hub = new LiveHub(h.ctx, bus, { maxBufferedBytes: 1000, kpiIntervalMs: 60_000 })
    const token = await h.login('operator')
    const slow = fakeSocket()
    const fast = fakeSocket()
    for (const s of [slow, fast]) {
      const hd = hub.handlers(token)
      await hd.onOpen(new Event('open'), s.ws)
      hd.onMessage(
        new MessageEvent('message', {
          data: JSON.stringify({ type: 'subscribe', topics: ['events'], region: '3201' }),
        }),
        s.ws,
      )
    }
    await expect.poll(() => slow.sent.length + fast.sent.length).toBe(2)
    slow.raw.bufferedAmount = 5000 // the tablet stopped reading
    for (let i = 0; i < 5; i++) bus.publish('grid-events', [row(`S${i}`, gIn)])
    expect(fast.sent.filter((m) => m.type === 'events')).toHaveLength(5)
    expect(slow.sent.filter((m) => m.type === 'events')).toHaveLength(0)
    slow.raw.bufferedAmount = 0 // drained
    bus.publish('grid-events', [row('S5', gIn)])
    const after = slow.sent.slice(1)
    expect(after[0]).toMatchObject({ type: 'dropped', count: 5 })
    expect(after[1]).toMatchObject({ type: 'events', data: { event_id: 'S5' } })
    hub.close()
  })

  it('send at most maxPerBatch of one stored batch to a client, the newest', async () => {
    const bus = new LocalBus()
    const hub = new LiveHub(h.ctx, bus, { maxPerBatch: 3, kpiIntervalMs: 60_000 })
    const s = fakeSocket()
    const hd = hub.handlers(await h.login('operator'))
    await hd.onOpen(new Event('open'), s.ws)
    hd.onMessage(
      new MessageEvent('message', { data: JSON.stringify({ type: 'subscribe', topics: ['events'], region: '3201' }) }),
      s.ws,
    )
    await expect.poll(() => s.sent.length).toBe(1)
    bus.publish(
      'grid-events',
      ['B0', 'B1', 'B2', 'B3', 'B4'].map((id) => row(id, gIn)),
    )
    expect(s.sent.filter((m) => m.type === 'events').map((m) => m.data!.event_id)).toEqual(['B2', 'B3', 'B4'])
    bus.publish('grid-events', [row('B5', gIn)])
    expect(s.sent.find((m) => m.type === 'dropped')).toMatchObject({ count: 2 })
    hub.close()
  })
})

describe('a burst of subscribes (a wall of screens reconnecting)', () => {
  it('gets every client its KPI snapshot from a few shared queries, not three per client', async () => {
    let queries = 0
    const counted = new Proxy(h.ctx.store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown
        if (prop !== 'query' || typeof value !== 'function') return value
        return (...args: unknown[]) => {
          queries++
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    const hub = new LiveHub({ ...h.ctx, store: counted }, new LocalBus(), { kpiIntervalMs: 60_000 })
    const token = await h.login('operator')
    // 60 clients over 12 regions of two levels, all subscribing at once.
    const regions = [
      ...gridsIn('320102', 6).map((g) => g.slice(0, 12)),
      '320102',
      '320104',
      '320105',
      '320106',
      '320111',
      '320113',
    ]
    const sockets = Array.from({ length: 60 }, () => fakeSocket())
    for (const [i, s] of sockets.entries()) {
      const hd = hub.handlers(token)
      await hd.onOpen(new Event('open'), s.ws)
      hd.onMessage(
        new MessageEvent('message', {
          data: JSON.stringify({ type: 'subscribe', topics: ['kpi'], region: regions[i % regions.length] }),
        }),
        s.ws,
      )
    }
    await expect
      .poll(() => sockets.filter((s) => s.sent.some((m) => m.type === 'kpi')).length, { timeout: 20_000 })
      .toBe(60)
    for (const [i, s] of sockets.entries())
      expect(s.sent.find((m) => m.type === 'kpi')!.region).toBe(regions[i % regions.length])
    // Three grouped queries per level asked for (districts, communities), perhaps a second round for late arrivals.
    expect(queries).toBeLessThanOrEqual(12)
    // A client arriving now gets the snapshot just made, with no query at all.
    const late = fakeSocket()
    const hd = hub.handlers(token)
    await hd.onOpen(new Event('open'), late.ws)
    const before = queries
    hd.onMessage(
      new MessageEvent('message', { data: JSON.stringify({ type: 'subscribe', topics: ['kpi'], region: '320104' }) }),
      late.ws,
    )
    await expect.poll(() => late.sent.some((m) => m.type === 'kpi')).toBe(true)
    expect(queries).toBe(before)
    hub.close()
  })
})

describe('several api processes in server mode', () => {
  it('each deliver every record to their own clients through their own tail of the tables', async () => {
    // Two api "processes": each its own app, hub and TailFeed over the store; no bus between them.
    const nodes = await Promise.all(
      [0, 1].map(async () => {
        const feed = new TailFeed(h.store, { intervalMs: 100, overlapMs: 3000 })
        const { app, hub } = createApp(h.ctx, { feed, hub: { kpiIntervalMs: 60_000 } })
        const server = await listen(app, 0, '127.0.0.1')
        return { feed, hub, server, url: `ws://127.0.0.1:${server.port}` }
      }),
    )
    try {
      await new Promise((r) => setTimeout(r, 300))
      const token = await h.login('operator')
      const clients = await Promise.all(nodes.map((n) => client(n.url, token)))
      for (const c of clients) c.send({ type: 'subscribe', topics: ['events'], region: '3201' })
      await expect.poll(() => clients.every((c) => c.got.some((m) => m.type === 'subscribed'))).toBe(true)
      await h.send('grid-events', [ev('M1', gIn), ev('M2', gOut)])
      for (const c of clients) await expect.poll(() => c.ids().sort(), { timeout: 5000 }).toEqual(['M1', 'M2'])

      // A late commit: a row stamped before what both tails have read, visible only now.
      await new Promise((r) => setTimeout(r, 500))
      const rs = await h.store.query({
        query: `SELECT toUnixTimestamp64Milli(ingested_at) AS at FROM grid_events WHERE event_id = 'M1'`,
        format: 'JSONEachRow',
      })
      const stamped = Number((await rs.json<{ at: string }>())[0].at) - 100
      await h.store.insert({
        table: 'grid_events',
        format: 'JSONEachRow',
        values: [
          {
            event_id: 'LATE',
            step: 'reported',
            ts: Date.now() - 2000,
            category: 'appearance.garbage',
            grid_code: gIn,
            district: '320102',
            ingested_at: stamped,
          },
        ],
      })
      for (const c of clients) await expect.poll(() => c.ids().sort(), { timeout: 5000 }).toEqual(['LATE', 'M1', 'M2'])
      await new Promise((r) => setTimeout(r, 600))
      for (const c of clients) expect(c.ids().sort()).toEqual(['LATE', 'M1', 'M2']) // once each
      for (const c of clients) c.close()
    } finally {
      for (const n of nodes) {
        n.hub.close()
        await n.server.close()
      }
    }
  })
})
