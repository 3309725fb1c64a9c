// `npm start` on a fresh data dir, as a new user runs it: within 10 s of /healthz answering, today's
// overview is non-zero and the live socket has pushed a record; the history (36 hours) is written
// behind the live records, /api/v1/status says so until it is complete, and nothing of it reaches
// the live socket. Stopped mid-history, the next start finishes it.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { OverviewSchema, StatusSchema, type Status } from '#core/schemas/api.js'
import { AppProcess } from '../support/app-process.js'

/** A fixed-offset zone in which it is about midday now, so "today" holds hours of history whenever this runs. */
function middayZone(now = new Date()): string {
  const offset = ((12 - now.getUTCHours() + 36) % 24) - 12
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
}

const BUDGET_MS = 10_000
/** A record pushed live is news: stamped within this of the moment it arrives. */
const RECENT_MS = 2 * 60_000

let dataDir: string
let app: AppProcess
/** Every record message the socket got, with when it arrived. */
const pushed: { type: string; ts: string; at: number }[] = []
let sockets: WebSocket[] = []

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ioc-start-'))
  app = await AppProcess.onFreePort({
    IOC_DATA_DIR: dataDir,
    IOC_DEMO: '1',
    IOC_SIMULATE: '5',
    IOC_BACKFILL_HOURS: '36',
    IOC_TZ: middayZone(),
    IOC_JWT_SECRET: 'start-test-secret-that-is-long-enough-for-hs256',
    IOC_ALERTS: '0',
  })
})

afterAll(async () => {
  for (const ws of sockets) ws.close()
  await app?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
})

async function login(): Promise<string> {
  const res = await fetch(`${app.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'operator', password: 'demo' }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { token: string }).token
}

async function get(token: string, path: string): Promise<unknown> {
  const res = await fetch(`${app.base}${path}`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status, path).toBe(200)
  return res.json()
}

const status = async (token: string): Promise<Status> => StatusSchema.parse(await get(token, '/api/v1/status'))

/** Subscribes to every record topic of the city; resolves with the first record pushed. */
function listen(token: string): Promise<number> {
  const ws = new WebSocket(`${app.base.replace('http', 'ws')}/api/v1/live?token=${token}`)
  sockets.push(ws)
  return new Promise((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () =>
      ws.send(JSON.stringify({ type: 'subscribe', topics: ['events', 'tickets', 'terminals'], region: '3201' })),
    )
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; data?: { ts?: string } }
      if (!['events', 'tickets', 'terminals'].includes(m.type) || !m.data?.ts) return
      pushed.push({ type: m.type, ts: m.data.ts, at: Date.now() })
      resolve(Date.now())
    })
  })
}

async function until<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const got = await probe()
    if (got !== undefined) return got
    if (Date.now() > deadline) throw new Error(`${what}: not by the deadline\n${app.log.slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

function expectPushedRecent(): void {
  expect(pushed.length).toBeGreaterThan(0)
  const old = pushed.filter((p) => Math.abs(p.at - Date.parse(p.ts)) > RECENT_MS)
  expect(old.slice(0, 5), `${old.length} of ${pushed.length} pushed records are not recent`).toEqual([])
}

describe('npm start on a fresh data dir', () => {
  it('shows today and pushes live records within 10 s of /healthz, while the history loads behind', async () => {
    await app.start()
    const healthy = Date.now()
    const token = await login()
    const first = await status(token)
    expect(first.history.loading).toBe(true)
    expect(first.history.progress).toBeLessThan(1)
    // 36 hours back from about now, as IOC_BACKFILL_HOURS says (the story starts on a whole minute).
    const span = Date.parse(first.history.to!) - Date.parse(first.history.from!)
    expect(span).toBeGreaterThan(36 * 3_600_000 - 10_000)
    expect(span).toBeLessThanOrEqual(36 * 3_600_000 + 60_000)
    expect(Math.abs(Date.parse(first.now) - Date.now())).toBeLessThan(5_000)
    expect(first.freshness).toEqual({ warn_seconds: 120, alarm_seconds: 600 })
    expect(first.terminal_silence_minutes).toBe(15)

    const pushedAt = listen(token)
    const reported = await until('today non-zero', healthy + BUDGET_MS, async () => {
      const o = OverviewSchema.parse(await get(token, '/api/v1/overview'))
      return o.events.reported > 0 ? o.events.reported : undefined
    })
    expect(reported).toBeGreaterThan(0)
    const firstRecord = await Promise.race([
      pushedAt,
      new Promise<number>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no record pushed within ${BUDGET_MS} ms of /healthz`)),
          Math.max(0, healthy + BUDGET_MS - Date.now()),
        ),
      ),
    ])
    expect(firstRecord - healthy).toBeLessThanOrEqual(BUDGET_MS)
    expectPushedRecent()
    // The lag is measured from the live records, not from the history being written (the status answer is
    // cached for 2 s, so the first one, of a store still empty, may be served again for a moment).
    const lag = await until(
      'lag measured',
      Date.now() + 5_000,
      async () => (await status(token)).lag_seconds ?? undefined,
    )
    expect(lag).toBeLessThan(30)
  }, 180_000)

  it('stopped mid-history, keeps what is left of it in simulator.json and finishes it at the next start', async () => {
    await app.stop()
    for (const ws of sockets) ws.close()
    sockets = []
    const file = join(dataDir, 'simulator.json')
    expect(existsSync(file)).toBe(true)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { history: { from: number; to: number }[] }
    expect(saved.history.length).toBeGreaterThan(0)

    await app.start()
    const token = await login()
    const again = await status(token)
    expect(again.history.loading).toBe(true)
    void listen(token)
    const done = await until('history complete', Date.now() + 150_000, async () => {
      const s = await status(token)
      return s.history.loading ? undefined : s
    })
    expect(done.history).toMatchObject({ loading: false, until: null, progress: 1 })
    const after = JSON.parse(readFileSync(file, 'utf8')) as { history: unknown[] }
    expect(after.history).toEqual([])
    // Yesterday is there as well: the whole 36 hours were written.
    const yesterday = OverviewSchema.parse(
      await get(
        token,
        `/api/v1/overview?from=${encodeURIComponent(new Date(Date.now() - 30 * 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 24 * 3_600_000).toISOString())}`,
      ),
    )
    expect(yesterday.events.reported).toBeGreaterThan(100)
    // Nothing of the history reached the socket while it was written.
    await new Promise((r) => setTimeout(r, 1500))
    expectPushedRecent()
  }, 240_000)
})
