import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Store } from './client.js'
import { fillCohorts } from './cohorts.js'
import { tableName, tables } from './schema.js'
import { sql } from './sql.js'

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url))

/** Split a migration file into statements: `;` at a line end closes one; `--` comments are dropped. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n')
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * Steps run after a migration's statements, where the SQL is built in one place for ingest and the
 * migration alike. Each must be safe to run again (the migration is recorded only after it).
 */
const AFTER: Record<string, (store: Store) => Promise<void>> = {
  '027_cohorts': (store) => fillCohorts(store),
  '040_one_cohort_model': (store) => fillCohorts(store),
}

/**
 * Apply `store/migrations/NNN_name.sql` in order, each once, recorded in `schema_migrations`.
 * Statements are idempotent (IF NOT EXISTS) so a migration cut off half-way can simply run again.
 */
export async function migrate(store: Store, dir = migrationsDir): Promise<string[]> {
  await store.command(
    sql`CREATE TABLE IF NOT EXISTS ${tables.schemaMigrations}
        (version String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = ReplacingMergeTree ORDER BY version`.toQuery(),
  )
  const rs = await store.query({
    ...sql`SELECT version FROM ${tables.schemaMigrations}`.toQuery(),
    format: 'JSONEachRow',
  })
  const done = new Set((await rs.json<{ version: string }>()).map((r) => r.version))
  const applied: string[] = []
  for (const file of readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()) {
    const version = file.replace(/\.sql$/, '')
    if (done.has(version)) continue
    for (const statement of splitStatements(readFileSync(`${dir}/${file}`, 'utf8'))) {
      await store.command({ query: statement })
    }
    await AFTER[version]?.(store)
    await store.insert({ table: tableName.schemaMigrations, values: [{ version }], format: 'JSONEachRow' })
    applied.push(version)
  }
  return applied
}
