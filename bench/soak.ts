// The wall left on: the screen in Debian's chromium for --minutes (default 30) with the simulator at
// a high rate and the carousel rotating the screens. Prints the time to the first complete render,
// then the JS heap (after a forced GC), DOM nodes and event listeners every --every seconds, and a
// summary: whether they grow over the run. `npx tsx bench/soak.ts --minutes 5 --rate 200`.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '30' },
    rate: { type: 'string', default: '200' },
    every: { type: 'string', default: '30' },
    width: { type: 'string', default: '1920' },
    height: { type: 'string', default: '1080' },
  },
})
const MINUTES = Number(args.minutes)
const RATE = Number(args.rate)
const EVERY_S = Number(args.every)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium`)
if (!existsSync('dist/web/index.html')) throw new Error('build the screen first: npm run build:web')

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port
    s.close(() => resolve(p))
  })
})
const base = `http://127.0.0.1:${port}`
const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-soak-'))
// Midday in the city's zone whatever the hour here, so "today" has data (see the browser tests).
const offset = ((12 - new Date().getUTCHours() + 36) % 24) - 12
const zone = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
const child = spawn('npx', ['tsx', '--max-semi-space-size=64', 'bin/start.ts'], {
  env: {
    ...process.env,
    PORT: String(port),
    IOC_DATA_DIR: dir,
    IOC_DEMO: '1',
    IOC_SIMULATE: String(RATE),
    IOC_BACKFILL_HOURS: '6',
    IOC_TZ: zone,
    LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
})
let caughtUp = false
child.stdout!.on('data', (d: Buffer) => {
  if (d.toString().includes('caught up')) caughtUp = true
})
const stop = () => {
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {
    /* already gone */
  }
}
process.on('exit', stop)

while (!caughtUp) await sleep(250)
console.log(
  `app on ${base}: simulator at ${RATE} records/s, backfill done; screen for ${MINUTES} min, a sample every ${EVERY_S} s`,
)

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--use-gl=angle',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
    '--js-flags=--expose-gc',
  ],
})
const page = await browser.newPage({ viewport: { width: Number(args.width), height: Number(args.height) } })
const errors: string[] = []
page.on('console', (m) => {
  if (m.type() === 'error') errors.push(m.text())
})
page.on('pageerror', (e) => errors.push(e.message))
const login = await page.request.post(`${base}/api/v1/auth/login`, { data: { username: 'operator', password: 'demo' } })
const session = (await login.json()) as { token: string; user: unknown }
await page.goto(`${base}/login`)
await page.evaluate(
  ([t, u]) => {
    localStorage.setItem('ioc.token', t as string)
    localStorage.setItem('ioc.user', JSON.stringify(u))
  },
  [session.token, session.user] as const,
)

/** Every panel shows data (none loading, empty or failed) and the map has its regions. */
const complete = () =>
  page.evaluate(() => {
    const hosts = [...document.querySelectorAll('[data-panel]')]
    const busy = hosts.some((h) =>
      [...h.querySelectorAll<HTMLElement>('[data-state]')].some((e) =>
        ['loading', 'empty', 'error'].includes(e.dataset.state ?? ''),
      ),
    )
    return hosts.length > 0 && !busy && document.querySelector('[data-testid="city-map"][data-ready="true"]') !== null
  })

const t0 = performance.now()
await page.goto(`${base}/?carousel=1`)
while (!(await complete())) await sleep(100)
console.log(
  `first complete render: ${((performance.now() - t0) / 1000).toFixed(2)} s (navigation → every panel with data and the map drawn)`,
)

const cdp = await page.context().newCDPSession(page)
await cdp.send('Performance.enable')
interface Sample {
  min: number
  heapMiB: number
  nodes: number
  listeners: number
  screen: string
}
const samples: Sample[] = []
async function sample(): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage')
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
  const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? NaN
  const screen =
    (await page
      .locator('[data-testid="screen"]')
      .getAttribute('data-screen')
      .catch(() => '')) ?? ''
  return {
    min: (performance.now() - t0) / 60_000,
    heapMiB: m('JSHeapUsedSize') / 2 ** 20,
    nodes: m('Nodes'),
    listeners: m('JSEventListeners'),
    screen,
  }
}

console.log('minute   JS heap MiB   DOM nodes   listeners   screen')
const end = t0 + MINUTES * 60_000
while (performance.now() < end) {
  const s = await sample()
  samples.push(s)
  console.log(
    `${s.min.toFixed(1).padStart(6)}   ${s.heapMiB.toFixed(1).padStart(11)}   ${String(s.nodes).padStart(9)}   ${String(s.listeners).padStart(9)}   ${s.screen}`,
  )
  await sleep(Math.min(EVERY_S * 1000, Math.max(0, end - performance.now())))
}
samples.push(await sample())

/** Least-squares slope per hour over the second half of the run (after the caches have filled). */
function slopePerHour(key: 'heapMiB' | 'nodes'): number {
  const tail = samples.slice(Math.floor(samples.length / 2))
  const n = tail.length
  if (n < 2) return 0
  const mx = tail.reduce((s, x) => s + x.min, 0) / n
  const my = tail.reduce((s, x) => s + x[key], 0) / n
  const num = tail.reduce((s, x) => s + (x.min - mx) * (x[key] - my), 0)
  const den = tail.reduce((s, x) => s + (x.min - mx) ** 2, 0)
  return den ? (num / den) * 60 : 0
}
const range = (key: 'heapMiB' | 'nodes') => [
  Math.min(...samples.map((s) => s[key])),
  Math.max(...samples.map((s) => s[key])),
]
const [hMin, hMax] = range('heapMiB')
const [nMin, nMax] = range('nodes')
console.log(
  `JS heap after GC: ${hMin.toFixed(1)}–${hMax.toFixed(1)} MiB; trend over the second half ${slopePerHour('heapMiB').toFixed(1)} MiB/h`,
)
console.log(`DOM nodes: ${nMin}–${nMax}; trend over the second half ${slopePerHour('nodes').toFixed(0)} nodes/h`)
console.log(`console errors during the run: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`)

await browser.close()
stop()
await sleep(1000)
rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
