import type { Overview } from '#core/schemas/api.js'
import type { Store } from '#store/client.js'
import { EVENT_COHORT_TABLE, KEY_DAY_TZ, TICKET_COHORT_TABLE, cohortAsOf, type Cohort } from '#store/cohorts.js'
import { tables } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'
import { num, rows } from './run.js'
import { instantOf, startedBy, type Scope } from './scope.js'
import { TERMINALS_AGG, terminalsAt } from './terminals.js'

/** Records started in [from, to) (epoch ms). */
export type CohortRange = readonly [from: number, to: number]

/** A state column: its name, how a GROUP BY folds it, and how it reads from a merged (FINAL) row. */
type StateColumn = readonly [name: Sql, fold: Sql, merged?: Sql]

/**
 * Rows to aggregate: `aliases` (a WITH clause) names the columns that are parts of a tuple; `from`
 * is the table and its WHERE condition (a caller may append `AND …`).
 */
export interface RowSource {
  aliases: Sql
  from: Sql
}

/**
 * Rows of a state table merged by the table's own engine (FINAL): the same min / max / anyLast the
 * background merges apply, and a quarter cheaper in chDB than folding them with a GROUP BY
 * (docs/performance.md). The WHERE condition applies to the merged rows.
 */
function merged(table: Sql, columns: readonly StateColumn[], where: Sql): RowSource {
  const exprs = columns.flatMap(([name, , expr]) => (expr ? [sql`${expr} AS ${name}`] : []))
  return {
    aliases: exprs.length ? sql`WITH ${sql.join(exprs)} ` : sql.empty(),
    from: sql`${table} FINAL WHERE ${where}`,
  }
}

/** A kind of record with a state table and a cohort table (migration 040), keyed by its id. */
interface StateSource {
  table: Sql
  id: Sql
  columns: readonly StateColumn[]
  /** The cohort table: rows of each record started, ordered by the day and grid of its start. */
  index: Sql
  /** The start time, named alike in the state table and the cohort table. */
  start: Sql
  /** The state table's time of last activity, for the fold without a cohort. */
  active: Sql
  /** The raw table of the record's steps, and each state column folded from it (the state as of an instant). */
  rawTable: Sql
  raw: readonly (readonly [name: Sql, fold: Sql])[]
}

const firstStep = (step: string) => sql`minIf(toNullable(ts), step = ${sql.string(step)})`
const lastStep = (step: string) => sql`maxIf(toNullable(ts), step = ${sql.string(step)})`
/** The latest non-empty value of a column, NULL for none (as the state tables keep it). */
const latestSet = (column: Sql) => sql`nullIf(argMaxIf(${column}, ts, ${column} != ''), '')`

/** A time column within the range [from, to). */
const within = (column: Sql, [from, to]: CohortRange) => sql`${column} >= ${sql.ms(from)} AND ${column} < ${sql.ms(to)}`

/** Records whose start lies in the range, by the start column (of `table` when given). */
const startedIn = (src: StateSource, range: CohortRange, table?: Sql) =>
  within(table ? sql`${table}.${src.start}` : src.start, range)

/** Merged rows as a subquery with one column per state column. */
const asSubquery = (m: RowSource, src: StateSource) =>
  sql`${m.aliases}SELECT ${src.id}, ${sql.join(src.columns.map(([name]) => name))} FROM ${m.from}`

/**
 * The key days of a cohort table that a range of starts can fall on: the key analysis does not carry a
 * condition on the start through toDate() (migration 027), so a query states both.
 */
const keyDays = (table: Sql, [from, to]: CohortRange) =>
  sql`${table}.day >= toDate(${sql.ms(from)}, ${sql.string(KEY_DAY_TZ)}) AND ${table}.day <= toDate(${sql.ms(to)}, ${sql.string(KEY_DAY_TZ)})`

/** The ids of a cohort's records, by key from the narrow cohort table. */
const cohortIds = (src: StateSource, region: string, cohort: CohortRange) =>
  sql`SELECT ${src.index}.${src.id} FROM ${src.index}
      WHERE ${keyDays(src.index, cohort)} AND startsWith(${src.index}.grid_code, ${sql.string(region)})
      AND ${startedIn(src, cohort, src.index)}`

/**
 * The merged rows of a cohort that pass `having`: the ids started in the range and the region come
 * by key from the narrow cohort table (a set: a record's cancelled rows name it again, harmlessly),
 * and only their rows of the state table are read, by primary key. The state table still decides.
 */
const cohortRows = (src: StateSource, region: string, having: Sql, cohort: CohortRange) =>
  merged(src.table, src.columns, sql`${src.table}.${src.id} IN (${cohortIds(src, region, cohort)}) AND (${having})`)

/**
 * Which records a state query reads: a cohort's ids (with `at`, each as it stood at that instant), or every record
 * active since a time.
 */
export type StateScope = { region: string; cohort: CohortRange; at?: number } | { region: string; since: number }

/**
 * The state of a cohort's records as it stood at an instant, folded from their raw steps with `ts <= at`: the state
 * tables keep only the latest fold, which cannot tell that a ticket closed, reopened and closed again was closed at
 * an instant between. Exact, at the cost of reading the cohort's raw rows (docs/metrics.md).
 */
function statesAt(src: StateSource, region: string, cohort: CohortRange, at: number, having: Sql): Sql {
  return sql`
  SELECT ${src.id}, ${sql.join(src.raw.map(([name, fold]) => sql`${fold} AS ${name}`))}
  FROM ${src.rawTable}
  WHERE ${src.id} IN (${cohortIds(src, region, cohort)}) AND ts <= ${sql.ms(at)}
  GROUP BY ${src.id}
  HAVING ${having}`
}

/**
 * The state of each record, one row per id. With a cohort only its ids' rows are read and merged.
 * Without one, the region and time filter runs before a GROUP BY fold, since FINAL would merge every
 * row of the table before filtering. All steps of a record carry the same grid, so the region filter
 * may run before the fold; activity since `since` keeps the fold to recent records.
 */
function states(src: StateSource, scope: StateScope, having: Sql): Sql {
  if ('cohort' in scope && scope.at !== undefined) return statesAt(src, scope.region, scope.cohort, scope.at, having)
  if ('cohort' in scope) return asSubquery(cohortRows(src, scope.region, having, scope.cohort), src)
  return sql`
  SELECT ${src.id}, ${sql.join(src.columns.map(([name, fold]) => sql`${fold} AS ${name}`))}
  FROM ${src.table}
  WHERE startsWith(${src.table}.grid_code, ${sql.string(scope.region)}) AND ${src.active} >= ${sql.ms(scope.since)}
  GROUP BY ${src.id}
  HAVING ${having}`
}

const EVENTS: StateSource = {
  table: tables.eventState,
  id: sql`event_id`,
  columns: [
    [sql`reported_at`, sql`min(reported_at)`],
    [sql`verified_at`, sql`min(verified_at)`],
    [sql`dispatched_at`, sql`min(dispatched_at)`],
    [sql`handled_at`, sql`min(handled_at)`],
    [sql`submitted_at`, sql`min(submitted_at)`],
    [sql`evaluated_at`, sql`max(evaluated_at)`],
    [sql`deadline`, sql`max(deadline)`],
    [sql`step_rank`, sql`max(step_rank)`],
    [sql`grid_code`, sql`anyLast(grid_code)`],
    [sql`category`, sql`anyLast(category)`],
    [sql`department`, sql`anyLast(department)`],
    [sql`evaluation`, sql`anyLast(evaluation)`],
  ],
  index: tables.eventCohort,
  start: sql`reported_at`,
  active: sql`${tables.eventState}.last_ts`,
  rawTable: tables.gridEvents,
  raw: [
    [sql`reported_at`, firstStep('reported')],
    [sql`verified_at`, firstStep('verified')],
    [sql`dispatched_at`, firstStep('dispatched')],
    [sql`handled_at`, firstStep('handled')],
    [sql`submitted_at`, firstStep('submitted')],
    [sql`evaluated_at`, lastStep('evaluated')],
    [sql`deadline`, sql`max(deadline)`],
    [
      sql`step_rank`,
      sql`max(toUInt8(indexOf(['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'], step)))`,
    ],
    [sql`grid_code`, sql`argMin(grid_code, ts)`],
    [sql`category`, sql`argMax(category, ts)`],
    [sql`department`, latestSet(sql`department`)],
    [sql`evaluation`, latestSet(sql`evaluation`)],
  ],
}

// Every step of a ticket comes at or after its creation, so rows before `since` cannot belong to a
// ticket created after it.
const TICKETS: StateSource = {
  table: tables.ticketState,
  id: sql`ticket_id`,
  columns: [
    [sql`created_at`, sql`min(created_at)`],
    [sql`replied_at`, sql`min(replied_at)`],
    [sql`closed_at`, sql`max(closed_at)`],
    [sql`status`, sql`max(latest).2`, sql`latest.2`],
    [sql`satisfaction`, sql`anyLast(satisfaction)`],
    [sql`grid_code`, sql`anyLast(grid_code)`],
    [sql`category`, sql`anyLast(category)`],
    [sql`channel`, sql`anyLast(channel)`],
    [sql`department`, sql`anyLast(department)`],
    [sql`reopened`, sql`sum(reopened)`],
  ],
  index: tables.ticketCohort,
  start: sql`created_at`,
  active: sql`tupleElement(${tables.ticketState}.latest, 1)`,
  rawTable: tables.hotlineTickets,
  raw: [
    [sql`created_at`, firstStep('created')],
    [sql`replied_at`, firstStep('replied')],
    [sql`closed_at`, lastStep('closed')],
    [sql`status`, sql`max((ts, toString(step))).2`],
    [sql`satisfaction`, sql`nullIf(argMaxIf(satisfaction, (ts, satisfaction), satisfaction != ''), '')`],
    [sql`grid_code`, sql`argMin(grid_code, ts)`],
    [sql`category`, sql`argMax(category, ts)`],
    [sql`channel`, latestSet(sql`channel`)],
    [sql`department`, latestSet(sql`department`)],
    [sql`reopened`, sql`countIf(step = 'reopened')`],
  ],
}

/** The state of each event now. */
export const eventStates = (scope: StateScope, having: Sql) => states(EVENTS, scope, having)
/** Events reported in [from, to) of a region. */
export const eventCohort = ({ region, from, to, at }: Omit<Scope, 'now' | 'silenceMs'>) =>
  eventStates({ region, cohort: [from, to], at }, startedIn(EVENTS, [from, to]))

/** Tickets as they stand now. */
export const ticketStates = (scope: StateScope, having: Sql) => states(TICKETS, scope, having)
/** Tickets created in [from, to) of a region. */
export const ticketCohort = ({ region, from, to, at }: Omit<Scope, 'now' | 'silenceMs'>) =>
  ticketStates({ region, cohort: [from, to], at }, startedIn(TICKETS, [from, to]))

/**
 * A cohort table's rows (migration 027, store/cohorts.ts) of records started in the range: a range
 * of its key, no id lookup and no merge. Each record's row counts with its sign, so every aggregate
 * is a sum of `sign`; the pairs a batch wrote and a merge has not yet dropped cancel out.
 */
function cohortTable(table: Sql, start: Sql, { region, from, to }: Pick<Scope, 'region' | 'from' | 'to'>): RowSource {
  return {
    aliases: sql.empty(),
    // The day condition lets the key find the region within each day; the start's condition decides.
    from: sql`${table} WHERE ${keyDays(table, [from, to])}
    AND startsWith(${table}.grid_code, ${sql.string(region)}) AND ${within(start, [from, to])}`,
  }
}

/**
 * The cohort as it stood at an instant (compare=previous, `at=`): the cohort table finds the candidates by key
 * (a record's start and grid never change once it has started), then their raw steps up to the instant are
 * folded as the ingest writer folds them. Exact where the state tables are not (a ticket closed, reopened and
 * closed again; an event evaluated twice), at the cost of reading the cohort's raw rows (docs/metrics.md).
 */
function cohortAt(c: Cohort, start: Sql, s: Scope, at: number): RowSource {
  const range = startedBy({ region: s.region, from: s.from, to: s.to, at })
  const ids = sql`SELECT ${sql.identifier(c.id)} FROM ${cohortTable(c.table, start, range).from}`
  return {
    aliases: sql.empty(),
    from: sql`(${cohortAsOf(c, at, ids)}) WHERE startsWith(grid_code, ${sql.string(s.region)}) AND ${within(start, [range.from, range.to])}`,
  }
}

/** The rows of a cohort: as they stand now from the cohort table, or as they stood at `at`. */
const cohortRowsOf = (c: Cohort, start: Sql, s: Scope): RowSource =>
  s.at === undefined ? cohortTable(c.table, start, s) : cohortAt(c, start, s, s.at)

// Only what cannot be derived: open = reported − closed, averages = sum / count (toOverview).
// Each expression costs chDB parsing and analysis, a third of the overview's time (docs/performance.md).
// Each part's columns carry its prefix, so the three parts can share one row.
const eventsAgg = (instant: number) => sql`sum(sign) AS e_reported,
  sumIf(sign, evaluated_at IS NOT NULL) AS e_closed,
  sumIf(sign, evaluated_at IS NULL AND deadline < ${sql.ms(instant)}) AS e_overdue,
  sum(sign * (toUnixTimestamp64Milli(evaluated_at) - toUnixTimestamp64Milli(reported_at))) AS e_handle_ms`

const TICKETS_AGG = sql`sum(sign) AS t_created,
  sumIf(sign, status IN ('closed', 'rated')) AS t_closed,
  sumIf(sign, satisfaction IN ('satisfied', 'basically')) AS t_satisfied,
  sumIf(sign, satisfaction != '') AS t_rated,
  sumIf(sign, replied_at IS NOT NULL) AS t_replied,
  sum(sign * (toUnixTimestamp64Milli(replied_at) - toUnixTimestamp64Milli(created_at))) AS t_response_ms`

const PREFIXES = ['e_', 't_', 'm_'] as const

/** The three parts of the overview of a region and range, each with its aggregates and rows. */
function parts(s: Scope) {
  return [
    [sql`e`, eventsAgg(instantOf(s)), cohortRowsOf(EVENT_COHORT_TABLE, EVENTS.start, s)],
    [sql`t`, TICKETS_AGG, cohortRowsOf(TICKET_COHORT_TABLE, TICKETS.start, s)],
    [sql`m`, TERMINALS_AGG, terminalsAt(s)],
  ] as const
}

// One statement for the three parts: each statement costs chDB a few ms of parsing and planning
// whatever it reads, which at 50 million events was a third of the overview's time (docs/performance.md).
export const overviewSql = (s: Scope) =>
  sql`SELECT * FROM ${sql.join(
    parts(s).map(([alias, aggs, m]) => sql`(${m.aliases}SELECT ${aggs} FROM ${m.from}) AS ${alias}`),
    sql` CROSS JOIN `,
  )}`

/** A row's columns of one part, without its prefix. */
const partOf = (row: Counts, prefix: string): Counts =>
  Object.fromEntries(
    Object.entries(row)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  )

type Counts = Record<string, string | number>

/**
 * The contract's overview: events and tickets of the range's cohort, terminals as they stand now; with `at`,
 * each as it stood at that instant (overdue judged then).
 */
export async function overview(store: Store, s: Scope): Promise<Overview> {
  const [row] = await rows<Counts>(store, overviewSql(s))
  const [ev, tk, tm] = PREFIXES.map((prefix) => partOf(row, prefix))
  return toOverview(s, s.region, ev, tk, tm)
}

/**
 * The overview of many regions of one level at once, for the live socket's KPI snapshots: three
 * grouped queries instead of three per region, so a thousand subscribed communities cost as much as one city.
 */
export async function overviewByRegion(
  store: Store,
  regions: string[],
  s: Omit<Scope, 'region'>,
): Promise<Map<string, Overview>> {
  const out = new Map<string, Overview>()
  const byLength = new Map<number, string[]>()
  for (const r of regions) byLength.set(r.length, [...(byLength.get(r.length) ?? []), r])
  for (const [digits, list] of byLength) {
    const got: Array<Map<string, Counts>> = []
    for (const [i, [, aggs, m]] of parts({ ...s, region: commonPrefix(list) }).entries()) {
      const rs = await rows<Counts & { r: string }>(
        store,
        sql`${m.aliases}SELECT substring(grid_code, 1, ${sql.uint8(digits)}) AS r, ${aggs}
            FROM ${m.from} AND r IN ${sql.strings(list)} GROUP BY r`,
      )
      got.push(new Map(rs.map((x) => [x.r, partOf(x, PREFIXES[i])])))
    }
    for (const r of list)
      out.set(r, toOverview({ ...s, region: r }, r, got[0].get(r) ?? {}, got[1].get(r) ?? {}, got[2].get(r) ?? {}))
  }
  return out
}

function commonPrefix(codes: string[]): string {
  let p = codes[0] ?? ''
  for (const c of codes) while (!c.startsWith(p)) p = p.slice(0, -1)
  return p
}

function toOverview(s: Scope, region: string, ev: Counts, tk: Counts, tm: Counts): Overview {
  const [reported, closed] = [num(ev.reported), num(ev.closed)]
  const [created, ticketsClosed, rated, replied] = [num(tk.created), num(tk.closed), num(tk.rated), num(tk.replied)]
  return {
    region,
    from: new Date(s.from).toISOString(),
    to: new Date(s.to).toISOString(),
    events: {
      reported,
      open: reported - closed,
      closed,
      overdue: num(ev.overdue),
      closure_rate: reported ? closed / reported : 0,
      avg_handle_minutes: closed ? round1(num(ev.handle_ms) / closed / 60_000) : 0,
    },
    tickets: {
      created,
      open: created - ticketsClosed,
      closed: ticketsClosed,
      satisfaction_rate: rated ? num(tk.satisfied) / rated : 0,
      avg_response_minutes: replied ? round1(num(tk.response_ms) / replied / 60_000) : 0,
      rated,
      replied,
    },
    terminals: { total: num(tm.total), online: num(tm.online), offline: num(tm.offline), fault: num(tm.fault) },
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10
