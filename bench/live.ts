// `npm run bench -- live`: BENCH_CLIENTS WebSocket clients (default 5,000) on one `npm start` node
// while BENCH_RATE grid events per second (default 2,000) are posted to its ingest endpoint.
// Prints the latency from the ingest acknowledgement to each client's receipt (p50/p99), what was
// delivered, and the server process's CPU and memory (read from /proc).
//
// The clients stand where screens stand: a few city walls, district screens, street offices and
// community tablets (BENCH_CLIENTS split 10 / 110 / 1,400 / the rest), each subscribed to events
// and KPIs of its region. They run in this process, the server in its own.
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { loadCity } from '#platform/config/city.js'
import { startServer } from './support/server.js'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 5000)
const RATE = Number(process.env.BENCH_RATE ?? 2000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30)
const WARMUP_SECONDS = 5
const POSTS_PER_SECOND = 10

const server = await startServer('live', { IOC_SIMULATE: '0', IOC_ALERTS: '0' })
const { base } = server

const city = loadCity()
const level = (l: string) => [...city.regions.values()].filter((r) => r.level === l).map((r) => r.code)
const grids = level('grid')
const districts = level('district')
const streets = level('street')
const communities = level('community')
const regionFor = (i: number) =>
  i < 10
    ? '3201'
    : i < 120
      ? districts[i % districts.length]
      : i < 1520
        ? streets[i % streets.length]
        : communities[i % communities.length]

const token = await server.login('admin')

// ── clients ───────────────────────────────────────────────────────────────────────────────
/** When each event was sent and acknowledged (epoch ms), by id. */
const sentAt = new Map<string, number>()
const ackedAt = new Map<string, number>()
const fromAck: number[] = []
const fromSend: number[] = []
let received = 0
let beforeAck = 0
let dropNotices = 0
let dropped = 0
let kpis = 0
let measuring = false
const ID = /"event_id":"([^"]+)"/

const sockets: WebSocket[] = []
const t0 = performance.now()
for (let i = 0; i < CLIENTS; i++) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/live?token=${encodeURIComponent(token)}`)
  const region = regionFor(i)
  ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics: ['events', 'kpi'], region })))
  ws.on('message', (raw: Buffer) => {
    const now = Date.now()
    const text = raw.toString()
    // Only the id is read: parsing every message would make the clients, not the server, the bottleneck.
    if (text.startsWith('{"type":"events"')) {
      received++
      if (!measuring) return
      const id = text.match(ID)?.[1]
      if (!id) return
      const sent = sentAt.get(id)
      if (sent !== undefined) fromSend.push(now - sent)
      const ack = ackedAt.get(id)
      if (ack === undefined) beforeAck++
      else fromAck.push(Math.max(0, now - ack))
    } else if (text.startsWith('{"type":"kpi"')) kpis++
    else if (text.startsWith('{"type":"dropped"')) {
      dropNotices++
      dropped += Number(text.match(/"count":(\d+)/)?.[1] ?? 0)
    }
  })
  ws.on('error', (err) => console.error(`client ${i}: ${err.message}`))
  sockets.push(ws)
  if (i % 100 === 99) await sleep(50) // do not overflow the server's listen backlog
}
while (sockets.some((s) => s.readyState === WebSocket.CONNECTING)) await sleep(100)
const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length
console.log(`${open} of ${CLIENTS} clients connected in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

// ── ingest at RATE events per second ─────────────────────────────────────────────────────────
let seq = 0
let posted = 0
let postErrors = 0
const perPost = Math.round(RATE / POSTS_PER_SECOND)
async function post(): Promise<void> {
  const now = Date.now()
  const batch = Array.from({ length: perPost }, () => {
    const id = `BL${++seq}`
    return {
      event_id: id,
      step: 'reported',
      ts: now,
      category: 'appearance.garbage',
      grid_code: grids[(seq * 7919) % grids.length],
    }
  })
  const ids = batch.map((b) => b.event_id)
  for (const id of ids) sentAt.set(id, now)
  try {
    const res = await fetch(`${base}/ingest/v1/grid-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-ingest-token' },
      body: JSON.stringify(batch),
    })
    const body = await res.text()
    if (!res.ok) {
      postErrors++
      if (postErrors <= 3) console.error(`post answered ${res.status}: ${body.slice(0, 200)}`)
      return
    }
    const acked = Date.now()
    for (const id of ids) ackedAt.set(id, acked)
    posted += ids.length
  } catch (err) {
    postErrors++
    if (postErrors <= 3) console.error(`post failed: ${String(err)}`)
  }
}

const inflight = new Set<Promise<void>>()
const began = Date.now()
let cpu0 = server.usage()
let tMeasure = 0
const rssSamples: number[] = []
for (let tick = 0; ; tick++) {
  const due = began + (tick * 1000) / POSTS_PER_SECOND
  if (due > began + (WARMUP_SECONDS + SECONDS) * 1000) break
  if (!measuring && due >= began + WARMUP_SECONDS * 1000) {
    measuring = true
    cpu0 = server.usage()
    tMeasure = Date.now()
  }
  const p = post()
  inflight.add(p)
  void p.finally(() => inflight.delete(p))
  if (tick % POSTS_PER_SECOND === 0) rssSamples.push(server.usage().rss)
  await sleep(Math.max(0, due + 1000 / POSTS_PER_SECOND - Date.now()))
}
await Promise.all(inflight)
await sleep(2000) // the last pushes
const cpu1 = server.usage()
const wall = (Date.now() - tMeasure) / 1000
measuring = false

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] : NaN
console.log(
  `ingest: ${posted.toLocaleString()} events accepted, sent at ${RATE}/s in ${perPost}-record posts (${postErrors} posts refused or failed)`,
)
console.log(
  `delivered: ${received.toLocaleString()} event messages to clients, ${kpis.toLocaleString()} KPI snapshots; ${dropNotices} dropped notices for ${dropped.toLocaleString()} messages`,
)
console.log(
  `latency ingest ack → client receipt: p50 ${pct(fromAck, 0.5)} ms, p99 ${pct(fromAck, 0.99)} ms, max ${pct(fromAck, 1)} ms over ${fromAck.length.toLocaleString()} receipts (${beforeAck.toLocaleString()} more arrived before the ack)`,
)
console.log(`latency post sent → client receipt: p50 ${pct(fromSend, 0.5)} ms, p99 ${pct(fromSend, 0.99)} ms`)
console.log(
  `server: ${(((cpu1.cpuSeconds - cpu0.cpuSeconds) / wall) * 100).toFixed(0)} % of one core over ${wall.toFixed(0)} s; ` +
    `RSS ${(Math.max(...rssSamples, cpu1.rss) / 2 ** 20).toFixed(0)} MiB peak, ${(cpu1.rss / 2 ** 20).toFixed(0)} MiB at the end`,
)

for (const s of sockets) s.terminate()
await server.stop()
process.exit(0)
