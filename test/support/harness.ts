import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createApp } from '#api/app.js'
import { checkAnswers } from './contract.js'
import type { AppContext } from '#api/context.js'
import { createTokenService } from '#platform/auth/tokens.js'
import { boundToDirectory } from '#platform/auth/sessions.js'
import { DEMO_INGEST_TOKEN, loadUsers } from '#platform/auth/users.js'
import { catalogNames } from '#core/catalog.js'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { type City } from '#core/city.js'
import { loadCity } from '#platform/config/city.js'
import { MAX_RETENTION_DAYS } from '#core/time-bounds.js'
import { tzOffsetMs } from '#core/time.js'
import type { StreamName } from '#core/schemas/records.js'
import { LocalBus } from '#platform/feed.js'
import { createIngestService } from '#ingest/app.js'
import { openStores, type Store } from '#store/client.js'
import { migrate } from '#store/migrate.js'
import { syncRegions } from '#store/regions.js'
import { listen } from '#platform/serve.js'

let cachedCity: City | undefined
/** The city under test: the demo's, or IOC_CITY_DIR's (the project integration-tiny: test/fixtures/city-tiny). */
export function city(): City {
  return (cachedCity ??= loadCity())
}

/**
 * A real chDB in a temp dir with the schema, the city under test, its demo users and the whole app in-process;
 * `webDir` serves the built screen too (browser tests on a known data set).
 */
export async function startHarness(opts: { now?: () => number; webDir?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-test-'))
  const stores = await openStores({ dataDir: dir, database: 'ioc' })
  const store: Store = stores.interactive
  await migrate(store)
  await syncRegions(store, city())
  const users = await loadUsers({ demo: true, demoAccounts: city().config.demo_accounts })
  const tokens = boundToDirectory(createTokenService('test-secret'), users)
  const ctx: AppContext = {
    store,
    stores,
    city: city(),
    names: catalogNames(loadEventCatalog(), loadHotlineCatalog()),
    tokens,
    users,
    tz: city().timeZone,
    demo: true,
    now: opts.now ?? Date.now,
    terminalSilenceMs: DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000,
  }
  const bus = new LocalBus()
  // The tests' records carry fixed times of 2026: the longest retention keeps them valid for years.
  const ingest = createIngestService({
    store: stores.ingest,
    readStore: stores.interactive,
    audit: (e) => ctx.audit?.record(e),
    city: city(),
    bus,
    tokens,
    ingestTokens: new Set([DEMO_INGEST_TOKEN]),
    maxBodyBytes: 1 << 20,
    timeBounds: { retentionDays: MAX_RETENTION_DAYS },
  })
  const created = createApp(ctx, {
    feed: bus,
    mount: [ingest.routes],
    hub: { kpiIntervalMs: 500 },
    webDir: opts.webDir,
  })
  // Every answer a test gets through the harness is checked against its declaration (core/contract).
  const app = checkAnswers(created.app)
  const hub = created.hub

  const tokenCache = new Map<string, string>()
  async function login(username: string): Promise<string> {
    const cached = tokenCache.get(username)
    if (cached) return cached
    const res = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'demo' }),
    })
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`)
    const { token } = (await res.json()) as { token: string }
    tokenCache.set(username, token)
    return token
  }

  async function get<T = unknown>(path: string, user = 'admin'): Promise<{ status: number; body: T }> {
    const res = await app.request(path, { headers: { authorization: `Bearer ${await login(user)}` } })
    return { status: res.status, body: (await res.json()) as T }
  }

  async function send(stream: StreamName, records: unknown[], contentType = 'application/json') {
    const body =
      contentType === 'application/json' ? JSON.stringify(records) : records.map((r) => JSON.stringify(r)).join('\n')
    const res = await app.request(`/ingest/v1/${stream}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${DEMO_INGEST_TOKEN}` },
      body,
    })
    return {
      status: res.status,
      body: (await res.json()) as {
        accepted: number
        rejected: number
        errors: { index: number; path: string; message: string }[]
      },
    }
  }

  /** Listen on a real port for socket tests. */
  async function serve() {
    const server = await listen(app, 0, '127.0.0.1')
    return { ...server, url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` }
  }

  async function close() {
    hub.close()
    // Write what the audit log holds before the store goes (its timer would then fail to).
    await ctx.audit?.close()
    users.close()
    await stores.close()
    rmSync(dir, { recursive: true, force: true })
  }

  return { app, store, ctx, bus, pipeline: ingest.pipeline, login, get, send, serve, close }
}
export type Harness = Awaited<ReturnType<typeof startHarness>>

/** Epoch ms of a wall-clock time (`day` YYYY-MM-DD, `hhmm` HH:MM) in the city's zone. */
export function cityTime(day: string, hhmm: string): number {
  const wall = Date.parse(`${day}T${hhmm}:00Z`)
  const tz = city().timeZone
  return wall - tzOffsetMs(wall - tzOffsetMs(wall, tz), tz)
}

/** The first grids (by code) inside a region. */
export function gridsIn(prefix: string, n = 1): string[] {
  return [...city().regions.values()]
    .filter((r) => r.level === 'grid' && r.code.startsWith(prefix))
    .slice(0, n)
    .map((r) => r.code)
}

/**
 * The places of test/support/known-day.ts in the city under test: district A holds three grids (a1 and a2 in one
 * street, a3 in the next where the city has one), district B the fourth; `street` is a1's street.
 */
export function knownPlaces() {
  const districts = [...city().regions.values()].filter((r) => r.level === 'district').map((r) => r.code)
  const A = districts.find((d) => gridsIn(d, 3).length === 3)!
  const B = districts.find((d) => d !== A && gridsIn(d).length)!
  const [a1, a2] = gridsIn(A, 2)
  const a3 = gridsIn(A, 1000).find((g) => !g.startsWith(a1.slice(0, 9))) ?? gridsIn(A, 3)[2]
  const [b1] = gridsIn(B)
  return { A, B, street: a1.slice(0, 9), grids: { a1, a2, a3, b1 } }
}
