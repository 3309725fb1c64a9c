// `npm run bench -- isolation`: what an analyst's worst drafts cost everyone else. One `npm start`
// node (demo city, the simulator at its demo rate after a short history) is asked, side by side in
// one run, first with nothing else going on (the baseline) and then while three worst-case studio
// drafts run without pause (two from one analyst, the per-user cap, and one from an admin):
// - /healthz, every 100 ms;
// - the city overview of today as an operator, every 200 ms;
// - an ingest acknowledgement: 200 grid events posted every 250 ms.
// Prints p50/p95/p99 of each phase and their ratio, and the server's CPU and peak memory (/proc).
// Targets (issue 14): under the drafts, /healthz p99 < 1 s, ingest p99 < 1 s, overview p95 < 200 ms.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadCity } from '#platform/config/city.js'
import { startServer } from './support/server.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30)
const HISTORY_HOURS = Number(process.env.BENCH_HISTORY_HOURS ?? 12)

const server = await startServer('isolation', { IOC_SIMULATE: '5', IOC_BACKFILL_HOURS: String(HISTORY_HOURS) })
const { base } = server
const tokens = {
  operator: await server.login('operator'),
  analyst: await server.login('analyst'),
  admin: await server.login('admin'),
}

// Wait for the history: the simulator writes it in time order, so it is done once the newest event is recent.
process.stdout.write(`writing ${HISTORY_HOURS} h of history`)
for (;;) {
  await sleep(3000)
  const page = (await (
    await fetch(`${base}/api/v1/events?region=3201&limit=1`, {
      headers: { authorization: `Bearer ${tokens.operator}` },
    })
  ).json()) as { items: { reported_at: string }[] }
  process.stdout.write('.')
  if (page.items[0] && Date.parse(page.items[0].reported_at) > Date.now() - 2 * 60_000) break
}
console.log(' done')

const grids = [...loadCity().regions.values()].filter((r) => r.level === 'grid').map((r) => r.code)
let seq = 0
const events = () => {
  const ts = Date.now()
  return JSON.stringify(
    Array.from({ length: 200 }, () => ({
      event_id: `BI-${++seq}`,
      step: 'reported',
      ts,
      category: 'appearance.garbage',
      grid_code: grids[seq % grids.length],
    })),
  )
}

interface Calls {
  ms: number[]
  /** Answers that were not 2xx (a 503 from /healthz, a 429 from ingest …), by status. */
  failed: Map<number, number>
}
const calls = (): Calls => ({ ms: [], failed: new Map() })

/** Call `f` every `everyMs` until `until`, recording each call's latency and failures (calls do not overlap). */
async function every(everyMs: number, until: number, f: () => Promise<Response>, into: Calls): Promise<void> {
  while (Date.now() < until) {
    const t0 = performance.now()
    const res = await f()
    await res.arrayBuffer()
    const ms = performance.now() - t0
    into.ms.push(ms)
    if (!res.ok) into.failed.set(res.status, (into.failed.get(res.status) ?? 0) + 1)
    await sleep(Math.max(0, everyMs - ms))
  }
}

const WORST = readFileSync('dashboards/layers/event-heat.yaml', 'utf8')
  .replace('id: event-heat', 'id: bench-worst')
  .replace(
    /sql: \|[\s\S]*?\ndraw:/,
    `sql: |\n  SELECT a.lon AS lon, a.lat AS lat, toFloat64(count()) AS weight FROM regions AS a, regions AS b, regions AS c WHERE a.lon + b.lon > c.lat AND startsWith(a.code, {region:String}) GROUP BY lon, lat\ndraw:`,
  )

/** Drafts back to back until `until`; each runs into the draft time limit (422) and is sent again. */
async function drafts(token: string, until: number, outcomes: Map<number, number>): Promise<void> {
  while (Date.now() < until) {
    const res = await fetch(`${base}/api/v1/studio/layers/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: WORST }),
    })
    await res.arrayBuffer()
    outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1)
  }
}

interface Phase {
  health: Calls
  overview: Calls
  ingest: Calls
  cpu: number
  peakRss: number
  drafts?: Map<number, number>
}

async function phase(withDrafts: boolean): Promise<Phase> {
  const p: Phase = { health: calls(), overview: calls(), ingest: calls(), cpu: 0, peakRss: 0 }
  const until = Date.now() + SECONDS * 1000
  const u0 = server.usage()
  const sampler = setInterval(() => (p.peakRss = Math.max(p.peakRss, server.usage().rss)), 250)
  const loads: Promise<void>[] = []
  if (withDrafts) {
    p.drafts = new Map()
    loads.push(
      drafts(tokens.analyst, until, p.drafts),
      drafts(tokens.analyst, until, p.drafts),
      drafts(tokens.admin, until, p.drafts),
    )
    // Let the drafts reach the engine before measuring.
    await sleep(1000)
  }
  await Promise.all([
    every(100, until, () => fetch(`${base}/healthz`), p.health),
    every(
      200,
      until,
      () => fetch(`${base}/api/v1/overview?region=3201`, { headers: { authorization: `Bearer ${tokens.operator}` } }),
      p.overview,
    ),
    every(
      250,
      until,
      () =>
        fetch(`${base}/ingest/v1/grid-events`, {
          method: 'POST',
          headers: { authorization: 'Bearer demo-ingest-token', 'content-type': 'application/json' },
          body: events(),
        }),
      p.ingest,
    ),
    ...loads,
  ])
  clearInterval(sampler)
  p.cpu = server.usage().cpuSeconds - u0.cpuSeconds
  return p
}

const q = (xs: number[], f: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(f * s.length))]
}
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`.padStart(9)

try {
  console.log(`baseline: ${SECONDS} s with nothing else running`)
  const idle = await phase(false)
  console.log(`loaded: ${SECONDS} s with three worst-case studio drafts running back to back`)
  const busy = await phase(true)
  console.log(
    `\n${'question'.padEnd(20)} ${'n'.padStart(5)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} | ${'n'.padStart(5)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} | p99 ratio | failed under drafts`,
  )
  console.log(`${''.padEnd(20)} ${'baseline'.padStart(35)} | ${'under three drafts'.padStart(35)} |`)
  for (const [name, key] of [
    ['/healthz', 'health'],
    ['overview (city)', 'overview'],
    ['ingest 200 events', 'ingest'],
  ] as const) {
    const a = idle[key].ms
    const b = busy[key].ms
    const failed = [...busy[key].failed.entries()].map(([s, n]) => `${n} × ${s}`).join(', ') || 'none'
    console.log(
      `${name.padEnd(20)} ${String(a.length).padStart(5)} ${fmt(q(a, 0.5))} ${fmt(q(a, 0.95))} ${fmt(q(a, 0.99))} | ${String(b.length).padStart(5)} ${fmt(q(b, 0.5))} ${fmt(q(b, 0.95))} ${fmt(q(b, 0.99))} | ${(q(b, 0.99) / q(a, 0.99)).toFixed(2).padStart(9)} | ${failed}`,
    )
  }
  console.log(
    `server CPU: ${idle.cpu.toFixed(1)} s baseline, ${busy.cpu.toFixed(1)} s loaded (of ${SECONDS * 2} s on two cores); peak RSS ${(idle.peakRss / 2 ** 20).toFixed(0)} MiB, ${(busy.peakRss / 2 ** 20).toFixed(0)} MiB`,
  )
  console.log(
    `drafts answered: ${[...(busy.drafts ?? new Map<number, number>()).entries()].map(([s, n]) => `${n} × ${s}`).join(', ')}`,
  )
  const clean = [busy.health, busy.overview, busy.ingest].every((c) => c.failed.size === 0)
  const ok =
    clean && q(busy.health.ms, 0.99) < 1000 && q(busy.ingest.ms, 0.99) < 1000 && q(busy.overview.ms, 0.95) < 200
  console.log(
    `targets (health p99 < 1 s, ingest p99 < 1 s, overview p95 < 200 ms, all answered 2xx, under the drafts): ${ok ? 'met' : 'NOT met'}`,
  )
} finally {
  await server.stop()
}
