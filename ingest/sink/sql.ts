import type { StreamName } from '#core/schemas/records.js'
import { EVENT_COHORT_TABLE, TICKET_COHORT_TABLE, cohortDelta, type Cohort } from '#store/cohorts.js'
import { TABLES } from '#store/rows.js'
import { COLUMNS, type Column } from './tsv.js'

/**
 * The statements of one stream's writer. Identifiers come only from the constant column and table
 * maps above and a staging suffix checked to be [a-z0-9_]; values are always bound.
 */
export interface WriterSql {
  table: string
  stage: string
  columns: string[]
  createStage: string
  truncateStage: string
  dropStage: string
  /** Keys of staged rows already in the table, as `id|step|ms` (or `id|ms`). */
  duplicates: string
  /**
   * Staged rows into the table: times converted, keys already stored and repeats in the batch left
   * out. `optimize_on_insert = 0`: the batch has no repeated key and every view already groups its
   * block, so folding each written block again (a second sort and merge per table) is pure cost —
   * it more than doubled the CPU per row of the rollups (docs/performance.md).
   * The token makes a repeat of the same insert (after a failure or a crash part-way) add to each
   * table, raw and views alike, only the parts that table did not get (migration 025).
   */
  insert: (token: string) => string
  /**
   * The batch's change to its stream's cohort table (store/cohorts.ts), run before `insert` so it
   * reads the stored steps without the batch's own, on the same rows `insert` will store (bind the
   * same `dups`); its token makes a retry a no-op.
   */
  cohort?: { table: string; insert: (token: string) => string }
}

const COHORT_OF: Partial<Record<StreamName, Cohort>> = { 'grid-events': EVENT_COHORT_TABLE, 'hotline-tickets': TICKET_COHORT_TABLE }

/** Tokens are ours (a UUID per spool segment), checked before they go into a SETTINGS clause. */
const TOKEN = /^[A-Za-z0-9_:-]{1,100}$/
function checkToken(token: string): void {
  if (!TOKEN.test(token)) throw new Error(`insert token must be [A-Za-z0-9_:-]{1,100}: ${token}`)
}

const keyExpr = (id: string, hasStep: boolean, ts: string) =>
  hasStep ? `concat(${id}, '|', step, '|', toString(${ts}))` : `concat(${id}, '|', toString(${ts}))`

function select(c: Column): string {
  if (c.kind === 'ms') return `fromUnixTimestamp64Milli(${c.name}, 'UTC')`
  if (c.kind === 'ms?') return `if(isNull(${c.name}), NULL, fromUnixTimestamp64Milli(assumeNotNull(${c.name}), 'UTC'))`
  return c.name
}

export function writerSql(stream: StreamName, suffix: string): WriterSql {
  if (!/^[a-z0-9_]+$/.test(suffix)) throw new Error(`staging suffix must be [a-z0-9_]: ${suffix}`)
  const { table, id, hasStep } = TABLES[stream]
  const columns = COLUMNS[stream]
  const stage = `ingest_stage_${table}_${suffix}`
  const names = columns.map((c) => c.name)
  const cohort = COHORT_OF[stream]
  const staged = new Map(columns.map((c) => [c.name, select(c)]))
  // The staged rows to store: keys not found stored, each once.
  const fresh = `WHERE ${keyExpr(id, hasStep, 'ts')} NOT IN {dups:Array(String)} LIMIT 1 BY ${hasStep ? `${id}, step, ts` : `${id}, ts`}`
  const storedKey = hasStep ? `(${id}, step, ts)` : `(${id}, ts)`
  const stagedKey = hasStep ? `(${id}, step, fromUnixTimestamp64Milli(ts, 'UTC'))` : `(${id}, fromUnixTimestamp64Milli(ts, 'UTC'))`
  return {
    table,
    stage,
    columns: names,
    // Memory: a batch lives here only between its two statements; nothing to persist.
    createStage: `CREATE TABLE IF NOT EXISTS ${stage} (${columns.map((c) => `${c.name} ${c.type}`).join(', ')}) ENGINE = Memory`,
    truncateStage: `TRUNCATE TABLE IF EXISTS ${stage}`,
    dropStage: `DROP TABLE IF EXISTS ${stage}`,
    duplicates: `SELECT DISTINCT ${keyExpr(id, hasStep, 'ts')} AS k FROM ${stage}
      WHERE ${stagedKey} IN (SELECT ${storedKey.slice(1, -1)} FROM ${table} WHERE ${id} IN (SELECT ${id} FROM ${stage}))`,
    insert: (token) => {
      checkToken(token)
      return `INSERT INTO ${table} (${names.join(', ')})
      SELECT ${columns.map(select).join(', ')} FROM ${stage} ${fresh}
      SETTINGS optimize_on_insert = 0, insert_deduplicate = 1, insert_deduplication_token = '${token}',
        deduplicate_blocks_in_dependent_materialized_views = 1`
    },
    cohort: cohort && {
      table: cohort.table,
      insert: (token) => {
        checkToken(token)
        const settings = `insert_deduplicate = 1, insert_deduplication_token = '${token}:cohort'`
        return cohortDelta(cohort, stage, (name) => staged.get(name) ?? name, fresh, settings)
      },
    },
  }
}
