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
 * The folds use only deterministic functions of the raw rows (min, max, argMax by time), so the row
 * the writer retracts is exactly the row it wrote before.
 */
/** The zone of the tables' `day` key column (migration 027); a query's day condition must use it too. */
export const KEY_DAY_TZ = 'Asia/Shanghai'

export interface Fold {
  /** The cohort table's column. */
  name: string
  /** An aggregate function and its arguments over raw rows, with an optional condition (-If). */
  fn: string
  args: string
  cond?: string
  /** What follows the aggregate, e.g. a tuple element. */
  tail?: string
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

// argMax by (time, value): two steps at the same instant give the same answer in any order.
const latest = (col: string): Fold => ({ name: col, fn: 'argMax', args: `${col}, (ts, ${col})` })
const latestNonEmpty = (col: string): Fold => ({ ...latest(col), cond: `${col} != ''` })

export const EVENT_COHORT_TABLE: Cohort = {
  table: 'event_cohort',
  source: 'grid_events',
  id: 'event_id',
  reads: ['step', 'ts', 'grid_code', 'deadline'],
  folds: [
    { name: 'reported_at', fn: 'min', args: "if(step = 'reported', ts, NULL)" },
    // A record's grid is that of its latest step (steps agree on it; a correction comes later).
    latest('grid_code'),
    { name: 'evaluated_at', fn: 'max', args: "if(step = 'evaluated', ts, NULL)" },
    { name: 'deadline', fn: 'max', args: 'deadline' },
  ],
}

export const TICKET_COHORT_TABLE: Cohort = {
  table: 'ticket_cohort',
  source: 'hotline_tickets',
  id: 'ticket_id',
  reads: ['step', 'ts', 'grid_code', 'satisfaction'],
  folds: [
    { name: 'created_at', fn: 'min', args: "if(step = 'created', ts, NULL)" },
    latest('grid_code'),
    { name: 'replied_at', fn: 'min', args: "if(step = 'replied', ts, NULL)" },
    // The latest step by time, as ticket_state keeps it: a reopened ticket is open again.
    { name: 'status', fn: 'max', args: '(ts, toString(step))', tail: '.2' },
    latestNonEmpty('satisfaction'),
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
const fromTuple = (c: Cohort, t: string) => [...c.folds.map((_, i) => `tupleElement(${t}, ${i + 1})`), c.id].join(', ')

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
    -- NULLs compare as unknown inside tuples; their text does not.
    HAVING toString(before) != toString(after)
  )
  ARRAY JOIN [(toInt8(-1), before), (toInt8(1), after)] AS s
  WHERE tupleElement(s.2, 1) IS NOT NULL
  SETTINGS ${settings}`
}

/** Every record's row from the raw table, into an empty cohort table (a cut-off run can run again). */
const fillSql = (c: Cohort) => `INSERT INTO ${c.table} (sign, ${columns(c)})
  SELECT 1, ${fromTuple(c, 'r')}
  FROM (SELECT ${c.id}, ${tupleOf(c)} AS r FROM ${c.source} GROUP BY ${c.id})
  WHERE tupleElement(r, 1) IS NOT NULL AND (SELECT count() FROM ${c.table}) = 0`

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
