import type { Store } from './client.js'

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
/** The zone of the tables' `day` key column (migration 027); a query's day condition must use it too. */
export const KEY_DAY_TZ = 'Asia/Shanghai'

/** "No such time": what minIf / maxIf of a DateTime64 give when no row matches. */
const NONE = "toDateTime64(0, 3, 'UTC')"

export interface Fold {
  /** The cohort table's column. */
  name: string
  /** An aggregate function and its arguments over raw rows, with an optional condition (-If). */
  fn: string
  args: string
  cond?: string
  /** What follows the aggregate, e.g. a tuple element. */
  tail?: string
  /** A time column that is NULL where the fold found none. */
  nullable?: boolean
}

export interface Cohort {
  table: string
  /** The raw table, keyed by (id, step, ts). */
  source: string
  id: string
  /** The raw columns the folds read. */
  reads: readonly string[]
  /** The first fold is the start: a record without one has no row. */
  folds: readonly [Fold, ...Fold[]]
}

const first = (name: string, step: string, nullable = false): Fold => ({ name, fn: 'min', args: 'ts', cond: `step = '${step}'`, nullable })
const last = (name: string, step: string): Fold => ({ name, fn: 'max', args: 'ts', cond: `step = '${step}'`, nullable: true })
/** The grid of the record's first start step. */
const placeOf = (step: string): Fold => ({ name: 'grid_code', fn: 'argMin', args: 'grid_code, ts', cond: `step = '${step}'` })

export const EVENT_COHORT_TABLE: Cohort = {
  table: 'event_cohort',
  source: 'grid_events',
  id: 'event_id',
  reads: ['step', 'ts', 'grid_code', 'deadline'],
  folds: [
    first('reported_at', 'reported'),
    placeOf('reported'),
    last('evaluated_at', 'evaluated'),
    { name: 'deadline', fn: 'max', args: `ifNull(deadline, ${NONE})`, nullable: true },
  ],
}

export const TICKET_COHORT_TABLE: Cohort = {
  table: 'ticket_cohort',
  source: 'hotline_tickets',
  id: 'ticket_id',
  reads: ['step', 'ts', 'grid_code', 'satisfaction'],
  folds: [
    first('created_at', 'created'),
    placeOf('created'),
    first('replied_at', 'replied', true),
    // The latest step by time, as ticket_state keeps it (a reopened ticket is open again); two steps
    // at one instant are ordered by name, as there.
    { name: 'status', fn: 'max', args: '(ts, toString(step))', tail: '.2' },
    // The latest rating given, '' for none (by time, then value: a rating may ride on any step).
    { name: 'satisfaction', fn: 'argMax', args: 'satisfaction, (ts, satisfaction)', cond: "satisfaction != ''" },
  ],
}

export const COHORTS = [EVENT_COHORT_TABLE, TICKET_COHORT_TABLE] as const

/** A fold over all rows, or (`among`) over the rows where that condition holds. */
function fold(f: Fold, among?: string): string {
  const cond = [f.cond && `(${f.cond})`, among].filter(Boolean).join(' AND ')
  return `${cond ? `${f.fn}If(${f.args}, ${cond})` : `${f.fn}(${f.args})`}${f.tail ?? ''}`
}

const columns = (c: Cohort) => [...c.folds.map((f) => f.name), c.id].join(', ')
const tupleOf = (c: Cohort, among?: string) => `tuple(${c.folds.map((f) => fold(f, among)).join(', ')})`
/** The columns to write from a tuple of folds: NULL where a time was not found. */
const fromTuple = (c: Cohort, t: string) =>
  [...c.folds.map((f, i) => (f.nullable ? `nullIf(tupleElement(${t}, ${i + 1}), ${NONE})` : `tupleElement(${t}, ${i + 1})`)), c.id].join(', ')
const started = (t: string) => `tupleElement(${t}, 1) > ${NONE}`

/**
 * The writer's statement: the change a staged batch makes to the cohort rows of its records.
 * `stage` is the staging table; `staged(column)` reads a raw column from it with the raw type, and
 * `fresh` (a WHERE … LIMIT BY clause) keeps the staged rows the raw insert will store. Run it before
 * the raw insert, under the batch's own token: a retry after a crash finds it done.
 */
export function cohortDelta(c: Cohort, stage: string, staged: (column: string) => string, fresh: string, settings: string): string {
  return `INSERT INTO ${c.table} (sign, ${columns(c)})
  SELECT s.1, ${fromTuple(c, 's.2')}
  FROM (
    SELECT ${c.id}, ${tupleOf(c, 'stored')} AS before, ${tupleOf(c)} AS after
    FROM (
      SELECT ${c.id}, ${c.reads.join(', ')}, 1 AS stored FROM ${c.source} WHERE ${c.id} IN (SELECT ${c.id} FROM ${stage})
      UNION ALL
      SELECT ${[c.id, ...c.reads].map(staged).join(', ')}, 0 FROM ${stage} ${fresh}
    )
    GROUP BY ${c.id}
    HAVING before != after
  )
  ARRAY JOIN [(toInt8(-1), before), (toInt8(1), after)] AS s
  WHERE ${started('s.2')}
  SETTINGS ${settings}`
}

/** Every record's row from the raw table, into an empty cohort table (a cut-off run can run again). */
const fillSql = (c: Cohort) => `INSERT INTO ${c.table} (sign, ${columns(c)})
  SELECT 1, ${fromTuple(c, 'r')}
  FROM (SELECT ${c.id}, ${tupleOf(c)} AS r FROM ${c.source} GROUP BY ${c.id})
  WHERE ${started('r')} AND (SELECT count() FROM ${c.table}) = 0`

/**
 * Fill the cohort tables from the raw tables: after migration 027 (once, into empty tables), or
 * with `rebuild` after rows reached the raw tables other than through ingest (bench/api's bulk load).
 */
export async function fillCohorts(store: Store, opts: { rebuild?: boolean } = {}): Promise<void> {
  for (const c of COHORTS) {
    if (opts.rebuild) await store.command({ query: `TRUNCATE TABLE ${c.table}` })
    await store.command({ query: fillSql(c) })
  }
}
