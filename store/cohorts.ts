import type { Store } from './client.js'
import { tables } from './schema.js'
import { sql, type Sql } from './sql.js'

/**
 * Cohort tables (migration 027): one row per record that has started, keyed by its start and its
 * grid, holding only what the overview counts. "Events reported yesterday in the city" is then a
 * range read of about 100,000 narrow rows, instead of looking up each id's state by key and merging
 * it (docs/performance.md).
 *
 * A record's row changes as its later steps arrive, and those steps do not carry its start. The
 * ingest writer therefore keeps these tables itself, batch by batch, before it inserts the batch
 * into the raw table: it folds the stored steps of the batch's records (their row as it stands) and
 * the stored plus the staged steps (their row after the batch), and writes the old row with sign −1
 * and the new one with sign +1 where they differ. Sums over `sign` are then exact at every moment,
 * whatever the order in which steps arrive (a step before its start, a second report, a reopened
 * ticket); CollapsingMergeTree drops the cancelled pairs as it merges.
 *
 * The folds are deterministic functions of the raw rows, so the row the writer retracts is exactly
 * the row it wrote before: min and max, and arg-min/max by a time that no two candidate rows share
 * (a record's place is that of its first report: two reports at one instant are one key). Every fold
 * is of a non-Nullable value with "none" as the epoch or '', and becomes NULL only when written:
 * Nullable arguments would double the cost of a fold (docs/performance.md, Ingest).
 */
/**
 * The zone of the tables' `day` key column (migration 040: UTC, whatever the city's zone); a query's day
 * condition must use it too.
 */
export const KEY_DAY_TZ = 'UTC'

/** "No such time": what minIf / maxIf of a DateTime64 give when no row matches. */
const NONE = sql`toDateTime64(0, 3, 'UTC')`

export interface Fold {
  /** The cohort table's column. */
  name: Sql
  /** An aggregate function (its -If form is taken with a condition) and its arguments over raw rows. */
  fn: Sql
  args: Sql
  cond?: Sql
  /** What follows the aggregate, e.g. a tuple element. */
  tail?: Sql
  /** A time column that is NULL where the fold found none. */
  nullable?: boolean
}

export interface Cohort {
  table: Sql
  /** The raw table, keyed by (id, step, ts). */
  source: Sql
  /** The record's id column, alike in the raw and the cohort table. */
  id: string
  /** The raw columns the folds read, by name (the staging side reads them converted). */
  reads: readonly string[]
  /** The first fold is the start: a record without one has no row. */
  folds: readonly [Fold, ...Fold[]]
}

const stepIs = (step: string) => sql`step = ${sql.string(step)}`
const first = (name: Sql, step: string, nullable = false): Fold => ({
  name,
  fn: sql`min`,
  args: sql`ts`,
  cond: stepIs(step),
  nullable,
})
const last = (name: Sql, step: string): Fold => ({
  name,
  fn: sql`max`,
  args: sql`ts`,
  cond: stepIs(step),
  nullable: true,
})
/** The grid of the record's first start step. */
const placeOf = (step: string): Fold => ({
  name: sql`grid_code`,
  fn: sql`argMin`,
  args: sql`grid_code, ts`,
  cond: stepIs(step),
})

export const EVENT_COHORT_TABLE: Cohort = {
  table: tables.eventCohort,
  source: tables.gridEvents,
  id: 'event_id',
  reads: ['step', 'ts', 'grid_code', 'deadline'],
  folds: [
    first(sql`reported_at`, 'reported'),
    placeOf('reported'),
    last(sql`evaluated_at`, 'evaluated'),
    { name: sql`deadline`, fn: sql`max`, args: sql`ifNull(deadline, ${NONE})`, nullable: true },
  ],
}

export const TICKET_COHORT_TABLE: Cohort = {
  table: tables.ticketCohort,
  source: tables.hotlineTickets,
  id: 'ticket_id',
  reads: ['step', 'ts', 'grid_code', 'satisfaction'],
  folds: [
    first(sql`created_at`, 'created'),
    placeOf('created'),
    first(sql`replied_at`, 'replied', true),
    // The latest step by time, as ticket_state keeps it (a reopened ticket is open again); two steps
    // at one instant are ordered by name, as there.
    { name: sql`status`, fn: sql`max`, args: sql`(ts, toString(step))`, tail: sql`.2` },
    // The latest rating given, '' for none (by time, then value: a rating may ride on any step).
    {
      name: sql`satisfaction`,
      fn: sql`argMax`,
      args: sql`satisfaction, (ts, satisfaction)`,
      cond: sql`satisfaction != ''`,
    },
  ],
}

export const COHORTS = [EVENT_COHORT_TABLE, TICKET_COHORT_TABLE] as const

/** A fold over all rows, or (`among`) over the rows where that condition holds. */
function fold(f: Fold, among?: Sql): Sql {
  const conds = [f.cond && sql`(${f.cond})`, among].filter((c): c is Sql => c !== undefined)
  const tail = f.tail ?? sql.empty()
  return conds.length
    ? sql`${f.fn}If(${f.args}, ${sql.join(conds, sql` AND `)})${tail}`
    : sql`${f.fn}(${f.args})${tail}`
}

const idOf = (c: Cohort) => sql.identifier(c.id)
const columns = (c: Cohort) => sql.join([...c.folds.map((f) => f.name), idOf(c)])
const tupleOf = (c: Cohort, among?: Sql) => sql`tuple(${sql.join(c.folds.map((f) => fold(f, among)))})`
/** A fold's column from a tuple of folds: NULL where a time was not found. */
const element = (f: Fold, i: number, t: Sql) =>
  f.nullable
    ? sql`nullIf(tupleElement(${t}, ${sql.position(i + 1)}), ${NONE})`
    : sql`tupleElement(${t}, ${sql.position(i + 1)})`
/** The columns to write from a tuple of folds. */
const fromTuple = (c: Cohort, t: Sql) => sql.join([...c.folds.map((f, i) => element(f, i, t)), idOf(c)])
const started = (t: Sql) => sql`tupleElement(${t}, 1) > ${NONE}`

/**
 * The writer's statement: the change a staged batch makes to the cohort rows of its records.
 * `stage` is the staging table; `staged(column)` reads a raw column from it with the raw type, and
 * `fresh` (a WHERE … LIMIT BY clause) keeps the staged rows the raw insert will store. Run it before
 * the raw insert, under the batch's own token: a retry after a crash finds it done.
 */
export function cohortDelta(c: Cohort, stage: Sql, staged: (column: string) => Sql, fresh: Sql, settings: Sql): Sql {
  const stored = sql`stored`
  const id = idOf(c)
  return sql`INSERT INTO ${c.table} (sign, ${columns(c)})
  SELECT s.1, ${fromTuple(c, sql`s.2`)}
  FROM (
    SELECT ${id}, ${tupleOf(c, stored)} AS before, ${tupleOf(c)} AS after
    FROM (
      SELECT ${id}, ${sql.join(c.reads.map((r) => sql.identifier(r)))}, 1 AS stored FROM ${c.source}
      WHERE ${id} IN (SELECT ${id} FROM ${stage})
      UNION ALL
      SELECT ${sql.join([c.id, ...c.reads].map(staged))}, 0 FROM ${stage} ${fresh}
    )
    GROUP BY ${id}
    HAVING before != after
  )
  ARRAY JOIN [(toInt8(-1), before), (toInt8(1), after)] AS s
  WHERE ${started(sql`s.2`)}
  SETTINGS ${settings}`
}

/** Every record's row from the raw table, into an empty cohort table (a cut-off run can run again). */
const fillSql = (c: Cohort) => sql`INSERT INTO ${c.table} (sign, ${columns(c)})
  SELECT 1, ${fromTuple(c, sql`r`)}
  FROM (SELECT ${idOf(c)}, ${tupleOf(c)} AS r FROM ${c.source} GROUP BY ${idOf(c)})
  WHERE ${started(sql`r`)} AND (SELECT count() FROM ${c.table}) = 0`

/**
 * Fill the cohort tables from the raw tables: after migration 027 (once, into empty tables), or
 * with `rebuild` after rows reached the raw tables other than through ingest (bench/api's bulk load).
 */
export async function fillCohorts(store: Store, opts: { rebuild?: boolean } = {}): Promise<void> {
  for (const c of COHORTS) {
    if (opts.rebuild) await store.command(sql`TRUNCATE TABLE ${c.table}`.toQuery())
    await store.command(fillSql(c).toQuery())
  }
}

/**
 * The cohort rows of some records as they stood at an instant: the writer's folds over their raw steps with
 * `ts <= at`, so a ticket closed, reopened and closed again reads as it was then. `ids` is a subquery of the
 * records' ids; a record not started by then has no row. Each row has `sign` 1, so a query over it reads like
 * one over the cohort table.
 */
export function cohortAsOf(c: Cohort, at: number, ids: Sql): Sql {
  const r = sql`r`
  return sql`SELECT toInt8(1) AS sign, ${sql.join(c.folds.map((f, i) => sql`${element(f, i, r)} AS ${f.name}`))}, ${idOf(c)}
  FROM (SELECT ${idOf(c)}, ${tupleOf(c)} AS r FROM ${c.source}
        WHERE ${idOf(c)} IN (${ids}) AND ts <= ${sql.ms(at)} GROUP BY ${idOf(c)})
  WHERE ${started(r)}`
}
