import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Store } from '#store/client.js'
import { tableName } from '#store/schema.js'
import type { Sql } from '#store/sql.js'
import type { StreamName } from '#core/schemas/records.js'
import { batchSize, ingestDuplicates, insertSeconds } from '#platform/metrics.js'
import { writerSql } from './sql.js'
import { REJECT_COLUMNS } from './tsv.js'
import type { InsertAttempt } from './spool.js'

/** What a write did: the keys it left out because the table already had them. */
export interface WriteResult {
  inserted: number
  duplicateKeys: ReadonlySet<string>
}

/** TSV text as the client's insert wants it: a byte stream. */
const body = (tsv: string) => Readable.from([tsv], { objectMode: false })

/**
 * Writes one stream's batch of TSV lines exactly once: the lines go to a staging table, the keys
 * already stored (a retry, a replay after a crash) are looked up by the table's primary key in one
 * query, and one INSERT … SELECT moves the rest, each key once, into the raw table — where the
 * materialized views count them. This process runs one write per stream at a time, so the check and
 * the insert see each other's effects; see docs/reliability.md for several ingest processes.
 *
 * The insert's token and the keys found stored are noted durably (`attempt`) before the insert
 * runs. A retry of the same segment — after a failed attempt, or after a crash that left the raw
 * rows stored and a view's rows not — repeats exactly that insert: each table then takes only the
 * parts it is missing, instead of the raw table's copy hiding the records from the views.
 *
 * Events and tickets first write their change to the cohort table (store/cohorts.ts), computed from
 * the stored steps before the raw insert adds the batch's, under the same token: a retry finds it
 * done if it landed, and if it did not, neither did the raw insert, so it computes the same change.
 */
export function createTableWriter(store: Store, stream: StreamName, suffix: string) {
  const sql = writerSql(stream, suffix)
  let ready: Promise<void> | undefined

  async function prepare(): Promise<void> {
    await store.command(sql.createStage.toQuery())
  }

  async function write(tsv: string, rows: number, attempt?: InsertAttempt): Promise<WriteResult> {
    ready ??= prepare().catch((e) => {
      ready = undefined
      throw e
    })
    await ready
    await store.command(sql.truncateStage.toQuery())
    await store.insert({
      table: sql.stage.toString(),
      values: body(tsv),
      format: 'TabSeparated',
      columns: sql.columns as [string, ...string[]],
    })
    let note = await attempt?.recall()
    if (!note) {
      const dupRs = await store.query({ ...sql.duplicates.toQuery(), format: 'JSONCompactEachRow' })
      note = { token: randomUUID(), duplicates: (await dupRs.json<[string]>()).map((r) => r[0]) }
      await attempt?.note(note)
    }
    const duplicateKeys = new Set(note.duplicates)
    // Both statements store the staged rows whose keys were not found stored (`duplicates`).
    const insert = async (table: string, statement: Sql) => {
      const end = insertSeconds.startTimer({ table })
      await store.command(statement.toQuery())
      end()
    }
    if (sql.cohort) await insert(sql.cohort.table, sql.cohort.insert(note.token, note.duplicates))
    await insert(sql.table, sql.insert(note.token, note.duplicates))
    await store.command(sql.truncateStage.toQuery())
    ingestDuplicates.inc({ stream }, duplicateKeys.size)
    batchSize.observe({ table: sql.table }, rows)
    return { inserted: rows - duplicateKeys.size, duplicateKeys }
  }

  async function close(): Promise<void> {
    await store.command(sql.dropStage.toQuery())
  }

  return { write, close }
}
export type TableWriter = ReturnType<typeof createTableWriter>

/** Invalid input into `rejects`: no identity to check, straight in. */
export function createRejectsWriter(store: Store) {
  const columns = REJECT_COLUMNS.map((c) => c.name) as [string, ...string[]]
  return async function write(tsv: string, rows: number): Promise<WriteResult> {
    const end = insertSeconds.startTimer({ table: tableName.rejects })
    await store.insert({ table: tableName.rejects, values: body(tsv), format: 'TabSeparated', columns })
    end()
    batchSize.observe({ table: tableName.rejects }, rows)
    return { inserted: rows, duplicateKeys: new Set() }
  }
}
