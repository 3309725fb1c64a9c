import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTokenService } from '#platform/auth/tokens.js'
import { MAX_RETENTION_DAYS } from '#core/time-bounds.js'
import { LocalBus } from '#platform/feed.js'
import { createIngestApp, createIngestService, type IngestServiceOptions } from '#ingest/app.js'
import { listen } from '#platform/serve.js'
import { createStore, type Store } from '#store/client.js'
import { migrate } from '#store/migrate.js'
import { syncRegions } from '#store/regions.js'
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
      if (typeof value !== 'function' || !['insert', 'command', 'query', 'exec', 'ping'].includes(String(prop)))
        return value
      return (...args: unknown[]) => {
        if (down) {
          failures++
          return Promise.reject(
            Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123 (simulated outage)'), {
              code: 'ECONNREFUSED',
            }),
          )
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store: wrapped, setDown: (d) => (down = d), failures: () => failures }
}

/** A real chDB in a temp dir, migrated, with the ingest service alone listening on a free port. */
export async function startIngest({
  outage: withSwitch,
  ...opts
}: Partial<IngestServiceOptions> & { outage?: boolean } = {}) {
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
    // The tests' records carry fixed times of 2026: the longest retention keeps them valid for years.
    timeBounds: { retentionDays: MAX_RETENTION_DAYS },
    ...opts,
  })
  const app = createIngestApp(service, store)
  const server = await listen(app, 0, '127.0.0.1')
  const url = `http://127.0.0.1:${server.port}`

  async function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body,
    })
    const text = await res.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return {
      status: res.status,
      headers: res.headers,
      body: json as {
        accepted: number
        rejected: number
        errors: { index: number; path: string; message: string }[]
      } & Record<string, unknown>,
    }
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
  return {
    event_id: `E-${n}`,
    step: 'reported',
    ts: 1_790_000_000_000 + n * 1000,
    category: 'appearance.garbage',
    grid_code: grid,
    ...extra,
  }
}

export interface SendLog {
  /** Ids of every record in a batch answered 200. */
  acked: Set<string>
  /** Batches that got no 200 (a 429, a 5xx, a cut connection): a real sender sends them again. */
  unacked: Record<string, unknown>[][]
  statuses: Map<number, number>
}

/**
 * Send batches of grid events with a few concurrent senders, as a real client would: a batch is
 * acknowledged only by a 200; anything else (429, 503, a connection cut by a crash) leaves it unacked.
 */
export async function sendBatches(
  url: string,
  batches: Record<string, unknown>[][],
  opts: { concurrency?: number; log?: SendLog; onSent?: (i: number) => void | Promise<void> } = {},
): Promise<SendLog> {
  const log = opts.log ?? { acked: new Set<string>(), unacked: [], statuses: new Map<number, number>() }
  let next = 0
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 4 }, async () => {
      while (next < batches.length) {
        const i = next++
        const batch = batches[i]
        let status = 0
        try {
          const res = await fetch(`${url}/ingest/v1/grid-events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
            body: batch.map((r) => JSON.stringify(r)).join('\n'),
          })
          status = res.status
          const body = (await res.json()) as { accepted?: number }
          if (status === 200 && body.accepted !== batch.length)
            throw new Error(`batch ${i}: accepted ${body.accepted} of ${batch.length}`)
        } catch (e) {
          if (status === 200) throw e
        }
        log.statuses.set(status, (log.statuses.get(status) ?? 0) + 1)
        if (status === 200) for (const r of batch) log.acked.add(String(r.event_id))
        else log.unacked.push(batch)
        await opts.onSent?.(i)
      }
    }),
  )
  return log
}

/** `n` batches of `size` grid events with ids `${prefix}-${batch}-${i}` on the given grids. */
export function makeBatches(prefix: string, n: number, size: number, grids: string[]): Record<string, unknown>[][] {
  return Array.from({ length: n }, (_, b) =>
    Array.from({ length: size }, (_, i) =>
      gridEvent(b * size + i, grids[(b + i) % grids.length], { event_id: `${prefix}-${b}-${i}` }),
    ),
  )
}
