// `npm start` from an empty data directory: time until the screen answers, until live records flow
// and today's overview is non-zero, until the history behind them is complete, and the process's
// memory and CPU once it is.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createServer } from 'node:net'

const LIVE_SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60)

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port
    s.close(() => resolve(p))
  })
})
const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-start-'))
const t0 = performance.now()
const child = spawn('npx', ['tsx', '--max-semi-space-size=64', 'bin/start.ts'], {
  env: { ...process.env, PORT: String(port), IOC_DATA_DIR: dir, LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
})
let live = 0
let simulatorLive = 0
let out = ''
child.stdout!.on('data', (d: Buffer) => {
  out += d.toString()
  if (!simulatorLive && out.includes('simulator live')) simulatorLive = performance.now()
  if (!live && out.includes('simulator caught up: history complete')) live = performance.now()
})

let ready = 0
while (!ready) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) ready = performance.now()
  } catch {
    await sleep(100)
  }
}
const page = await fetch(`http://127.0.0.1:${port}/`)
console.log(`ready: /healthz 200 after ${((ready - t0) / 1000).toFixed(1)} s; / answers ${page.status}`)
// What a new user sees first: today's overview non-zero (as the operator), measured from /healthz.
const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'operator', password: 'demo' }),
})
const { token } = (await login.json()) as { token: string }
let todayAt = 0
while (!todayAt) {
  const o = (await (
    await fetch(`http://127.0.0.1:${port}/api/v1/overview`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { events: { reported: number } }
  if (o.events.reported > 0) todayAt = performance.now()
  else await sleep(100)
}
console.log(
  `today's overview non-zero ${((todayAt - ready) / 1000).toFixed(1)} s after /healthz; ` +
    `simulator live ${simulatorLive ? `${((simulatorLive - ready) / 1000).toFixed(1)} s after /healthz` : 'not yet'}`,
)
// While the backfill runs, ask every 250 ms for /metrics (the event loop alone: how long the
// process's own work kept it from serving anyone) and /healthz (which also waits for the store to
// answer a ping, behind the backfill's inserts; 503 after 3 s).
const probes = { metrics: [] as number[], healthz: [] as number[] }
let probeFailures = 0
let unhealthy = 0
while (!live) {
  for (const path of ['metrics', 'healthz'] as const) {
    const p0 = performance.now()
    try {
      const res = await fetch(`http://127.0.0.1:${port}/${path}`, { signal: AbortSignal.timeout(60_000) })
      await res.arrayBuffer()
      probes[path].push(performance.now() - p0)
      if (!res.ok) unhealthy++
    } catch {
      probeFailures++
    }
  }
  await sleep(250)
}
console.log(`history complete after ${((live - t0) / 1000).toFixed(1)} s: ${out.match(/"records":(\d+)/)?.[1]} records`)
for (const path of ['metrics', 'healthz'] as const) {
  const ms = probes[path].sort((a, b) => a - b)
  const q = (f: number) => (ms[Math.min(ms.length - 1, Math.floor(f * ms.length))] ?? 0).toFixed(0)
  console.log(
    `/${path} while the history loads: ${ms.length} answers, median ${q(0.5)} ms, p99 ${q(0.99)} ms, slowest ${q(1)} ms`,
  )
}
console.log(`while the history loads: ${unhealthy} /healthz answers not 200, ${probeFailures} requests failed`)

// The node process under npx: the one listening. Read its memory and CPU from /proc.
const pid =
  Number(
    readFileSync('/proc/' + child.pid + '/task/' + child.pid + '/children', 'utf8')
      .trim()
      .split(/\s+/)[0],
  ) || child.pid!
const leaf = (p: number): number => {
  try {
    const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    return kids.length ? leaf(kids[0]) : p
  } catch {
    return p
  }
}
const node = leaf(pid)
const cpu = () => {
  const f = readFileSync(`/proc/${node}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) / 100
}
const rss = () => Number(readFileSync(`/proc/${node}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024
const c0 = cpu()
const samples: number[] = []
for (let i = 0; i < LIVE_SECONDS; i += 5) {
  await sleep(5000)
  samples.push(rss())
}
const cpuShare = (cpu() - c0) / LIVE_SECONDS
console.log(
  `live for ${LIVE_SECONDS} s at the default simulator rate: RSS ${samples[0].toFixed(0)} → ${samples[samples.length - 1].toFixed(0)} MiB, ` +
    `CPU ${(cpuShare * 100).toFixed(0)}% of one core`,
)
process.kill(-child.pid!, 'SIGTERM')
await sleep(2000)
rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 })
