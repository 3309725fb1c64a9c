import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStore, type Store } from '#store/client.js'
import { migrate } from '#store/migrate.js'
import {
  RAW_COLUMNS,
  REJECT_COLUMNS,
  TABLE_COLUMNS,
  tableName,
  viewName,
  tables,
  type ColumnDef,
} from '#store/schema.js'
import { sql } from '#store/sql.js'

/** A fresh store, migrated from store/migrations/*.sql, against the schema registry (store/schema.ts). */

let dir: string
let store: Store
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ioc-schema-'))
  store = await createStore({ dataDir: join(dir, 'chdb'), database: 'ioc' })
  await migrate(store)
}, 120_000)
afterAll(async () => {
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function describeTable(name: string) {
  const rs = await store.query({ ...sql`DESCRIBE TABLE ${sql.identifier(name)}`.toQuery(), format: 'JSONEachRow' })
  return (await rs.json<{ name: string; type: string; default_type: string; default_expression: string }>()).map((c) =>
    c.default_expression
      ? { name: c.name, type: c.type, default: c.default_expression }
      : { name: c.name, type: c.type },
  )
}

/** What DESCRIBE TABLE shows of a declared column (ingest's fallback is not the table's). */
const described = (cs: readonly ColumnDef[]) =>
  cs.map(({ name, type, default: d }) => (d ? { name, type, default: d } : { name, type }))

describe('schema registry', () => {
  it('names every table the migrations create', async () => {
    const rs = await store.query({
      ...sql`SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView')`.toQuery(),
      format: 'JSONEachRow',
    })
    const created = (await rs.json<{ name: string }>()).map((r) => r.name).sort()
    expect(created).toEqual([...Object.values(tableName), ...Object.values(viewName)].sort())
    expect(Object.keys(tables).sort()).toEqual(Object.keys(tableName).sort())
  })

  for (const name of Object.keys(RAW_COLUMNS) as Array<keyof typeof RAW_COLUMNS>) {
    it(`declares ${name}'s columns, types and defaults as the migrated table has them`, async () => {
      expect(await describeTable(name)).toEqual(described(RAW_COLUMNS[name]))
    })
  }
  it('declares the rejects table as migrated', async () => {
    expect(await describeTable('rejects')).toEqual(described(REJECT_COLUMNS))
  })

  it('declares the columns of every table it names', () => {
    const declared = [...Object.keys(RAW_COLUMNS), 'rejects', ...Object.keys(TABLE_COLUMNS)].sort()
    expect(declared).toEqual(Object.values(tableName).sort())
  })

  for (const [name, columns] of Object.entries(TABLE_COLUMNS)) {
    it(`declares ${name}'s columns, types and defaults as the migrated table has them`, async () => {
      expect(await describeTable(name)).toEqual(described(columns))
    })
  }
})
