import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTokenService } from '../../api/auth/tokens.js'
import { LocalBus } from '../../ingest/bus.js'
import { createIngestApp, createIngestService, type IngestServiceOptions } from '../../ingest/app.js'
import { listen } from '../../server/serve.js'
import { createStore, type Store } from '../../store/client.js'
import { migrate } from '../../store/migrate.js'
import { syncRegions } from '../../store/regions.js'
import { city } from './harness.js'

export const TOKEN = 'test-ingest-token'

/**
 * The real chDB client with a switch that makes it unavailable: while `down`, every call fails as
 * a refused connection would, before reaching chDB. Data never goes anywhere but the real chDB.
 */
export function withOutage(store: Store): { store: Store; setDown: (down: boolean) => void; failures: () => number } {
  let down = false
  let failures = 0
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function' || !['insert', 'command', 'query', 'exec', 'ping'].includes(String(prop))) return value
      return (...args: unknown[]) => {
        if (down) {
          failures++
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123 (simulated outage)'), { code: 'ECONNREFUSED' }))
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store: wrapped, setDown: (d) => (down = d), failures: () => failures }
}

/** A real chDB in a temp dir, migrated, with the ingest service alone listening on a free port. */
export async function startIngest({ outage: withSwitch, ...opts }: Partial<IngestServiceOptions> & { outage?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-ingest-test-'))
  const real = await createStore({ dataDir: join(dir, 'chdb'), database: 'ioc' })
  await migrate(real)
  await syncRegions(real, city())
  const outage = withOutage(real)
  const store = withSwitch ? outage.store : real
  const bus = new LocalBus()
  const service = createIngestService({
    store,
    city: city(),
    bus,
    tokens: createTokenService('test-secret'),
    ingestTokens: new Set([TOKEN]),
    maxBodyBytes: 1 << 20,
    spoolDir: join(dir, 'spool'),
    ...opts,
  })
  const app = createIngestApp(service, store)
  const server = await listen(app, 0, '127.0.0.1')
  const url = `http://127.0.0.1:${server.port}`

  async function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body })
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: res.status, headers: res.headers, body: json as { accepted: number; rejected: number; errors: { index: number; path: string; message: string }[] } & Record<string, unknown> }
  }

  /** Rows of a query on the real store (bypassing any simulated outage). */
  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return (await real.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>()
  }

  async function close() {
    await server.close()
    outage.setDown(false)
    await service.pipeline.close(2_000)
    await real.close()
    rmSync(dir, { recursive: true, force: true })
  }

  return { dir, url, app, service, pipeline: service.pipeline, bus, store: real, outage, post, rows, close }
}
export type IngestFixture = Awaited<ReturnType<typeof startIngest>>

/** A valid grid event on a real grid, with an id unique to `n`. */
export function gridEvent(n: number, grid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_id: `E-${n}`, step: 'reported', ts: 1_790_000_000_000 + n * 1000, category: 'appearance.garbage', grid_code: grid, ...extra }
}
