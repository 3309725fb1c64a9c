import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'

export type Store = ClickHouseClient

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
 * The one place that knows whether we talk to chDB in-process or to a ClickHouse server.
 * Everything else sees a plain `@clickhouse/client` instance whose current database is ours.
 */
export async function createStore(opts: StoreOptions = storeOptionsFromEnv()): Promise<Store> {
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
      // Deduplication only where an insert asks for it with a token (ingest/sink/sql.ts, migration 025).
      clickhouse_settings: { date_time_input_format: 'best_effort', insert_deduplicate: 0 },
    })
  }
  const path = resolve(opts.dataDir ?? './data')
  mkdirSync(path, { recursive: true })
  // chDB binds one data directory per process; the connection runs one session whose
  // `USE` persists, which stands in for the HTTP client's `database` option.
  const client = createClient({ connection: createChdbConnection({ path }) } as Parameters<typeof createClient>[0])
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` })
  await client.command({ query: `USE ${database}` })
  // Session-wide, as the server client's settings: deduplicate only inserts that carry a token
  // (ingest/sink/sql.ts, migration 025), never two blocks that merely look alike.
  await client.command({ query: 'SET insert_deduplicate = 0' })
  return client
}

export function isEmbedded(opts: StoreOptions): boolean {
  return !opts.url
}
