import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection, type ConnBaseQueryParams, type Connection } from 'chdb/connection'
import pLimit from 'p-limit'
import { Gauge } from 'prom-client'
import { bindParams } from './bind.js'

/** What the code asks of the database: the `@clickhouse/client` calls, on chDB or a server alike. */
export type Store = Pick<ClickHouseClient, 'query' | 'command' | 'insert' | 'exec' | 'ping' | 'close'>

export interface StoreOptions {
  /** ClickHouse server URL; when absent the embedded chDB engine is used. */
  url?: string
  username?: string
  password?: string
  database?: string
  /** chDB data directory (embedded mode). */
  dataDir?: string
}

export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StoreOptions {
  return {
    url: env.CLICKHOUSE_URL || undefined,
    username: env.CLICKHOUSE_USER || undefined,
    password: env.CLICKHOUSE_PASSWORD || undefined,
    database: env.CLICKHOUSE_DATABASE || 'ioc',
    dataDir: env.IOC_DATA_DIR || './data',
  }
}

/**
 * The kinds of work that must not wait on each other, each on its own connection with its own
 * limit of queries at once (docs/security.md, "Isolation"):
 * - interactive: the api's reads for screens and tablets (overview, lists, layers, KPI snapshots);
 * - adhoc: the studio's drafts and previews (also niced and capped per user by the api);
 * - background: alert evaluation, the live tail, audit writes;
 * - ingest: ingest's staging, lookups and inserts (one writer per table);
 * - health: `/healthz`, which must answer while everything else is busy.
 */
export const WORKLOADS = ['interactive', 'adhoc', 'background', 'ingest', 'health'] as const
export type Workload = (typeof WORKLOADS)[number]
export const DEFAULT_CONCURRENCY: Readonly<Record<Workload, number>> = {
  interactive: 4,
  adhoc: 3,
  background: 2,
  ingest: 4,
  health: 1,
}

/** One store per workload; `close()` closes them all. */
export type StoreSet = Readonly<Record<Workload, Store>> & { close(): Promise<void> }

/** Unregistered here (the store knows no process): server/metrics.ts serves them. */
export const storeQueued = new Gauge({
  name: 'ioc_store_queued',
  help: 'Queries waiting for a connection of their workload',
  labelNames: ['workload'],
  registers: [],
})
export const storeRunning = new Gauge({
  name: 'ioc_store_running',
  help: 'Queries running on a connection of their workload',
  labelNames: ['workload'],
  registers: [],
})

/**
 * chDB's connection, made to behave as a server's for the code above it:
 * - parameters are bound into the SQL text (store/bind.ts) instead of by chDB, whose native binder
 *   runs one parameterized query at a time in the whole process;
 * - after a failed query (a timeout above all) chDB hands that query's partial output to the next
 *   query of the connection, so a throw-away query takes it before anyone else can.
 */
function chdbConnection(inner: Connection<Readable>): Connection<Readable> {
  const bind = <P extends ConnBaseQueryParams>(p: P): P =>
    p.query_params && Object.keys(p.query_params).length > 0
      ? { ...p, query: bindParams(p.query, p.query_params), query_params: undefined }
      : p
  const drained =
    <P extends ConnBaseQueryParams, R>(f: (p: P) => Promise<R>) =>
    async (p: P): Promise<R> => {
      try {
        return await f(bind(p))
      } catch (e) {
        await inner
          .query({ query: 'SELECT 1' })
          .then((r) => r.stream.resume())
          .catch(() => undefined)
        throw e
      }
    }
  return {
    ping: (p) => inner.ping(p),
    query: drained((p) => inner.query(p)),
    insert: drained((p) => inner.insert(p)),
    exec: drained((p) => inner.exec(p)),
    command: drained((p) => inner.command(p)),
    close: () => inner.close(),
  }
}

/**
 * Calls that run at most `clients.length` at a time, each on a client of its own while it runs (a
 * chDB connection runs one query at a time), the others waiting in order.
 */
function pooled(clients: ClickHouseClient[], workload: Workload): Store {
  const run = pLimit(clients.length)
  const free = [...clients]
  const gauge = () => {
    storeQueued.set({ workload }, run.pendingCount)
    storeRunning.set({ workload }, run.activeCount)
  }
  const through =
    <A extends unknown[], R>(f: (client: ClickHouseClient, ...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      const p = run(async () => {
        // The limit guarantees a free client.
        const client = free.pop()!
        gauge()
        try {
          return await f(client, ...a)
        } finally {
          free.push(client)
          queueMicrotask(gauge)
        }
      })
      gauge()
      return p
    }
  return {
    query: through((c, p) => c.query(p)) as Store['query'],
    command: through((c, p) => c.command(p)),
    insert: through((c, p) => c.insert(p)) as Store['insert'],
    exec: through((c, p) => c.exec(p)),
    ping: through((c, p) => c.ping(p)),
    close: async () => void (await Promise.all([...new Set(clients)].map((c) => c.close()))),
  }
}

/** Open one client: chDB in-process by default, a server with `url`. `connections` bounds a server client's sockets. */
async function connect(opts: StoreOptions, connections = 10): Promise<ClickHouseClient> {
  const database = opts.database ?? 'ioc'
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new Error(`CLICKHOUSE_DATABASE: not a valid name: ${database}`)
  if (opts.url) {
    const admin = createClient({ url: opts.url, username: opts.username, password: opts.password })
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
    await admin.close()
    return createClient({
      url: opts.url,
      username: opts.username,
      password: opts.password,
      database,
      max_open_connections: connections,
      // Deduplication only where an insert asks for it with a token (ingest/sink/sql.ts, migration 025).
      clickhouse_settings: { date_time_input_format: 'best_effort', insert_deduplicate: 0 },
    })
  }
  const path = resolve(opts.dataDir ?? './data')
  mkdirSync(path, { recursive: true })
  // chDB binds one data directory per process; several connections to it run side by side, each
  // with its own session, whose `USE` persists and stands in for the HTTP client's `database`.
  const client = createClient({ connection: chdbConnection(createChdbConnection({ path })) } as Parameters<
    typeof createClient
  >[0])
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
  await client.command({ query: `USE ${database}` })
  // Session-wide, as the server client's settings: deduplicate only inserts that carry a token
  // (ingest/sink/sql.ts, migration 025), never two blocks that merely look alike.
  await client.command({ query: 'SET insert_deduplicate = 0' })
  // Bound values are in the SQL text here: a replay's list of already-stored keys can be megabytes.
  await client.command({ query: 'SET max_query_size = 268435456' })
  return client
}

/** One client for scripts, migrations and tests that need no isolation. */
export async function createStore(opts: StoreOptions = storeOptionsFromEnv()): Promise<Store> {
  return connect(opts)
}

/**
 * A store per workload, each on its own connection (a chDB session, or a server client with its own
 * sockets) with its own limit of queries at once, so an analyst's heavy draft, ingest's inserts and
 * the wall's overview do not queue behind each other.
 *
 * @example
 * const stores = await openStores(storeOptionsFromEnv())
 * await stores.interactive.query({ query: 'SELECT 1', format: 'JSONEachRow' })
 */
export async function openStores(
  opts: StoreOptions = storeOptionsFromEnv(),
  concurrency: Partial<Record<Workload, number>> = {},
): Promise<StoreSet> {
  const set: Partial<Record<Workload, Store>> = {}
  for (const w of WORKLOADS) {
    const limit = concurrency[w] ?? DEFAULT_CONCURRENCY[w]
    // A server client runs `limit` queries at once on its own sockets; chDB needs a connection per query.
    const clients: ClickHouseClient[] = []
    if (opts.url) clients.push(...Array<ClickHouseClient>(limit).fill(await connect(opts, limit)))
    else for (let i = 0; i < limit; i++) clients.push(await connect(opts))
    set[w] = pooled(clients, w)
  }
  const stores = set as Record<Workload, Store>
  return { ...stores, close: async () => void (await Promise.all(WORKLOADS.map((w) => stores[w].close()))) }
}

/** Threads libuv needs for every workload's queries at once (chDB runs each on one) and the spool's file I/O. */
export function threadsNeeded(concurrency: Partial<Record<Workload, number>> = {}): number {
  return WORKLOADS.reduce((n, w) => n + (concurrency[w] ?? DEFAULT_CONCURRENCY[w]), 0) + 4
}

export function isEmbedded(opts: StoreOptions): boolean {
  return !opts.url
}
