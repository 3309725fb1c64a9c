import type { StreamName } from '#core/schemas/records.js'
import { EVENT_COHORT_TABLE, TICKET_COHORT_TABLE, cohortDelta, type Cohort } from '#store/cohorts.js'
import { TABLES } from '#store/rows.js'
import { stageTable, tableName } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'
import { COLUMNS, type Column } from './tsv.js'

/**
 * The statements of one stream's writer (store/sql.ts): identifiers come only from the schema
 * registry and its staging names; values, the keys already stored above all, are bound.
 */
export interface WriterSql {
  table: string
  stage: Sql
  columns: string[]
  createStage: Sql
  truncateStage: Sql
  dropStage: Sql
  /** Keys of staged rows already in the table, as `id|step|ms` (or `id|ms`). */
  duplicates: Sql
  /**
   * Staged rows into the table: times converted, keys already stored (`dups`) and repeats in the
   * batch left out. `optimize_on_insert = 0`: the batch has no repeated key and every view already
   * groups its block, so folding each written block again (a second sort and merge per table) is
   * pure cost — it more than doubled the CPU per row of the rollups (docs/performance.md).
   * The token makes a repeat of the same insert (after a failure or a crash part-way) add to each
   * table, raw and views alike, only the parts that table did not get (migration 025).
   */
  insert: (token: string, dups: readonly string[]) => Sql
  /**
   * The batch's change to its stream's cohort table (store/cohorts.ts), run before `insert` so it
   * reads the stored steps without the batch's own, on the same rows `insert` will store (the same
   * `dups`); its token makes a retry a no-op.
   */
  cohort?: { table: string; insert: (token: string, dups: readonly string[]) => Sql }
}

const COHORT_OF: Partial<Record<StreamName, Cohort>> = {
  'grid-events': EVENT_COHORT_TABLE,
  'hotline-tickets': TICKET_COHORT_TABLE,
}
const COHORT_TABLE: Partial<Record<StreamName, string>> = {
  'grid-events': tableName.eventCohort,
  'hotline-tickets': tableName.ticketCohort,
}

const keyExpr = (id: Sql, hasStep: boolean, ts: Sql) =>
  hasStep ? sql`concat(${id}, '|', step, '|', toString(${ts}))` : sql`concat(${id}, '|', toString(${ts}))`

function select(c: Column): Sql {
  const name = sql.identifier(c.name)
  if (c.kind === 'ms') return sql`fromUnixTimestamp64Milli(${name}, 'UTC')`
  if (c.kind === 'ms?') return sql`if(isNull(${name}), NULL, fromUnixTimestamp64Milli(assumeNotNull(${name}), 'UTC'))`
  return name
}

export function writerSql(stream: StreamName, suffix: string): WriterSql {
  const { table: name, id: idName, hasStep } = TABLES[stream]
  const table = sql.identifier(name)
  const id = sql.identifier(idName)
  const columns = COLUMNS[stream]
  const stage = stageTable(name, suffix)
  const names = columns.map((c) => c.name)
  const cohort = COHORT_OF[stream]
  const staged = new Map(columns.map((c) => [c.name, select(c)]))
  const ts = sql`ts`
  // The staged rows to store: keys not found stored, each once.
  const fresh = (dups: readonly string[]) =>
    sql`WHERE ${keyExpr(id, hasStep, ts)} NOT IN ${sql.strings(dups)} LIMIT 1 BY ${hasStep ? sql`${id}, step, ts` : sql`${id}, ts`}`
  const storedKey = hasStep ? sql`${id}, step, ts` : sql`${id}, ts`
  const stagedKey = hasStep
    ? sql`(${id}, step, fromUnixTimestamp64Milli(ts, 'UTC'))`
    : sql`(${id}, fromUnixTimestamp64Milli(ts, 'UTC'))`
  const columnList = sql.join(names.map((n) => sql.identifier(n)))
  return {
    table: name,
    stage,
    columns: names,
    // Memory: a batch lives here only between its two statements; nothing to persist.
    createStage: sql`CREATE TABLE IF NOT EXISTS ${stage}
      (${sql.join(columns.map((c) => sql`${sql.identifier(c.name)} ${sql.type(c.type)}`))}) ENGINE = Memory`,
    truncateStage: sql`TRUNCATE TABLE IF EXISTS ${stage}`,
    dropStage: sql`DROP TABLE IF EXISTS ${stage}`,
    duplicates: sql`SELECT DISTINCT ${keyExpr(id, hasStep, ts)} AS k FROM ${stage}
      WHERE ${stagedKey} IN (SELECT ${storedKey} FROM ${table} WHERE ${id} IN (SELECT ${id} FROM ${stage}))`,
    insert: (token, dups) => sql`INSERT INTO ${table} (${columnList})
      SELECT ${sql.join(columns.map(select))} FROM ${stage} ${fresh(dups)}
      SETTINGS optimize_on_insert = 0, insert_deduplicate = 1, insert_deduplication_token = ${sql.token(token)},
        deduplicate_blocks_in_dependent_materialized_views = 1`,
    cohort: cohort && {
      table: COHORT_TABLE[stream]!,
      insert: (token, dups) => {
        const settings = sql`insert_deduplicate = 1, insert_deduplication_token = ${sql.token(`${token}:cohort`)}`
        return cohortDelta(
          cohort,
          stage,
          (column) => staged.get(column) ?? sql.identifier(column),
          fresh(dups),
          settings,
        )
      },
    },
  }
}
