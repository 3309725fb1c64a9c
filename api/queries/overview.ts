import type { Overview } from '#core/schemas/api.js'
import type { Store } from '#store/client.js'
import { EVENT_COHORT_TABLE, KEY_DAY_TZ, TICKET_COHORT_TABLE, type Cohort } from '#store/cohorts.js'
import { at, num, rows } from './run.js'

export interface Scope {
  region: string
  from: number
  to: number
  now: number
}

/** Names of the bound parameters that delimit a cohort: records started in [from, to). */
export type CohortRange = readonly [from: string, to: string]

/** A state column: its name, how a GROUP BY folds it, and how it reads from a merged (FINAL) row. */
type StateColumn = readonly [name: string, fold: string, merged?: string]

/**
 * Rows to aggregate: `aliases` (a WITH clause) names the columns that are parts of a tuple; `from`
 * is the table and its WHERE condition (a caller may append `AND …`).
 */
export interface RowSource {
  aliases: string
  from: string
}

/**
 * Rows of a state table merged by the table's own engine (FINAL): the same min / max / anyLast the
 * background merges apply, and a quarter cheaper in chDB than folding them with a GROUP BY
 * (docs/performance.md). The WHERE condition applies to the merged rows.
 */
function merged(table: string, columns: readonly StateColumn[], where: string): RowSource {
  const exprs = columns.flatMap(([name, , expr]) => (expr ? [`${expr} AS ${name}`] : []))
  return { aliases: exprs.length ? `WITH ${exprs.join(', ')} ` : '', from: `${table} FINAL WHERE ${where}` }
}

/** A kind of record with a state table and a cohort index (migration 024), keyed by its id. */
interface StateSource {
  table: string
  id: string
  columns: readonly StateColumn[]
  /** The cohort index: one row per record started, ordered by its start. */
  index: string
  /** The start time, named alike in the state table and the index. */
  start: string
  /** The state table's time of last activity, for the fold without a cohort. */
  active: string
}

/** A time column within the range [from, to). */
const within = (column: string, [from, to]: CohortRange) => `${column} >= ${at(from)} AND ${column} < ${at(to)}`

/** Records whose start lies in the range, by the start column (of `table` when given). */
const startedIn = (src: StateSource, range: CohortRange, table = '') => within(`${table && `${table}.`}${src.start}`, range)

/** Merged rows as a subquery with one column per state column. */
const asSubquery = (m: RowSource, src: StateSource) => `${m.aliases}SELECT ${src.id}, ${src.columns.map(([name]) => name).join(', ')} FROM ${m.from}`

/**
 * The merged rows of a cohort that pass `having`: the ids started in the range and the region come
 * by key from the narrow cohort index, and only their rows of the state table are read, by primary key.
 */
const cohortRows = (src: StateSource, having: string, cohort: CohortRange) =>
  merged(
    src.table,
    src.columns,
    `${src.table}.${src.id} IN (SELECT ${src.index}.${src.id} FROM ${src.index}
      WHERE startsWith(${src.index}.grid_code, {region:String}) AND ${startedIn(src, cohort, src.index)}) AND (${having})`,
  )

/**
 * The state of each record, one row per id. With a cohort only its ids' rows are read and merged.
 * Without one, the region and time filter runs before a GROUP BY fold, since FINAL would merge every
 * row of the table before filtering. All steps of a record carry the same grid, so the region filter
 * may run before the fold; activity since `since` keeps the fold to recent records.
 */
function states(src: StateSource, having: string, cohort?: CohortRange): string {
  if (cohort) return asSubquery(cohortRows(src, having, cohort), src)
  return `
  SELECT ${src.id}, ${src.columns.map(([name, fold]) => `${fold} AS ${name}`).join(', ')}
  FROM ${src.table}
  WHERE startsWith(${src.table}.grid_code, {region:String}) AND ${src.active} >= ${at('since')}
  GROUP BY ${src.id}
  HAVING ${having}`
}

const EVENTS: StateSource = {
  table: 'event_state',
  id: 'event_id',
  columns: [
    ['reported_at', 'min(reported_at)'],
    ['verified_at', 'min(verified_at)'],
    ['dispatched_at', 'min(dispatched_at)'],
    ['handled_at', 'min(handled_at)'],
    ['submitted_at', 'min(submitted_at)'],
    ['evaluated_at', 'max(evaluated_at)'],
    ['deadline', 'max(deadline)'],
    ['step_rank', 'max(step_rank)'],
    ['grid_code', 'anyLast(grid_code)'],
    ['category', 'anyLast(category)'],
    ['department', 'anyLast(department)'],
    ['evaluation', 'anyLast(evaluation)'],
  ],
  index: 'event_reported',
  start: 'reported_at',
  active: 'event_state.last_ts',
}

// Every step of a ticket comes at or after its creation, so rows before `since` cannot belong to a
// ticket created after it.
const TICKETS: StateSource = {
  table: 'ticket_state',
  id: 'ticket_id',
  columns: [
    ['created_at', 'min(created_at)'],
    ['replied_at', 'min(replied_at)'],
    ['closed_at', 'max(closed_at)'],
    ['status', 'max(latest).2', 'latest.2'],
    ['satisfaction', 'anyLast(satisfaction)'],
    ['grid_code', 'anyLast(grid_code)'],
    ['category', 'anyLast(category)'],
    ['channel', 'anyLast(channel)'],
    ['department', 'anyLast(department)'],
    ['reopened', 'sum(reopened)'],
  ],
  index: 'ticket_created',
  start: 'created_at',
  active: 'tupleElement(ticket_state.latest, 1)',
}

/** The range a cohort query binds: records started in [from, to) (bind since = from). */
const RANGE: CohortRange = ['from', 'to']

/** The state of each event now. */
export const eventStates = (having: string, cohort?: CohortRange) => states(EVENTS, having, cohort)
/** Events reported in [from, to). */
export const EVENT_COHORT = eventStates(startedIn(EVENTS, RANGE), RANGE)

/** Tickets as they stand now. */
export const ticketStates = (having: string, cohort?: CohortRange) => states(TICKETS, having, cohort)
/** Tickets created in [from, to). */
export const TICKET_COHORT = ticketStates(startedIn(TICKETS, RANGE), RANGE)

// Every terminal's latest report (a city has a few thousand terminals; the grid filter applies to
// the merged row).
const TERMINALS_NOW: RowSource = {
  aliases: 'WITH latest.1 AS ts, latest.2 AS status, latest.3 AS fault_code, latest.4 AS paper_pct ',
  from: 'terminal_state FINAL WHERE startsWith(terminal_state.grid_code, {region:String})',
}
export const TERMINAL_LATEST = `${TERMINALS_NOW.aliases}SELECT terminal_id, ts, status, fault_code, paper_pct, grid_code, lon, lat, site, transactions
  FROM ${TERMINALS_NOW.from}`

/** Aggregates of one part of the overview, by output column: SQL is built from these with or without a prefix. */
type Aggregates = Record<string, string>

/**
 * A cohort table's rows (migration 027, store/cohorts.ts) of records started in the range: a range
 * of its key, no id lookup and no merge. Each record's row counts with its sign, so every aggregate
 * is a sum of `sign`; the pairs a batch wrote and a merge has not yet dropped cancel out.
 */
function cohortTable({ table, folds: [start] }: Cohort): RowSource {
  return {
    aliases: '',
    // The day condition lets the key find the region within each day (migration 027); the start's condition decides.
    from: `${table} WHERE ${table}.day >= toDate(${at('from')}, '${KEY_DAY_TZ}') AND ${table}.day <= toDate(${at('to')}, '${KEY_DAY_TZ}')
    AND startsWith(${table}.grid_code, {region:String}) AND ${within(start.name, RANGE)}`,
  }
}

// Only what cannot be derived: open = reported − closed, averages = sum / count (toOverview).
// Each expression costs chDB parsing and analysis, a third of the overview's time (docs/performance.md).
const ms = (col: string) => `toUnixTimestamp64Milli(${col})`
const EVENTS_AGG: Aggregates = {
  reported: 'sum(sign)',
  closed: 'sumIf(sign, evaluated_at IS NOT NULL)',
  overdue: `sumIf(sign, evaluated_at IS NULL AND deadline < ${at('now')})`,
  handle_ms: `sum(sign * (${ms('evaluated_at')} - ${ms('reported_at')}))`,
}

const TICKETS_AGG: Aggregates = {
  created: 'sum(sign)',
  closed: `sumIf(sign, status IN ('closed', 'rated'))`,
  satisfied: "sumIf(sign, satisfaction IN ('satisfied', 'basically'))",
  rated: "sumIf(sign, satisfaction != '')",
  replied: 'sumIf(sign, replied_at IS NOT NULL)',
  response_ms: `sum(sign * (${ms('replied_at')} - ${ms('created_at')}))`,
}

const TERMINALS_AGG: Aggregates = {
  total: 'count()',
  online: "countIf(status = 'online')",
  offline: "countIf(status = 'offline')",
  fault: "countIf(status = 'fault')",
}

const select = (aggs: Aggregates, prefix = '') => Object.entries(aggs).map(([name, expr]) => `${expr} AS ${prefix}${name}`).join(', ')

const PARTS = [
  ['e_', EVENTS_AGG, cohortTable(EVENT_COHORT_TABLE)],
  ['t_', TICKETS_AGG, cohortTable(TICKET_COHORT_TABLE)],
  ['m_', TERMINALS_AGG, TERMINALS_NOW],
] as const

// One statement for the three parts: each statement costs chDB a few ms of parsing and planning
// whatever it reads, which at 50 million events was a third of the overview's time (docs/performance.md).
const OVERVIEW = `SELECT * FROM ${PARTS.map(([prefix, aggs, m]) => `(${m.aliases}SELECT ${select(aggs, prefix)} FROM ${m.from}) AS ${prefix.slice(0, -1)}`).join(' CROSS JOIN ')}`

type Counts = Record<string, string | number>

/** The contract's overview: events and tickets of the range's cohort, terminals as they stand now. */
export async function overview(store: Store, s: Scope): Promise<Overview> {
  const params = { region: s.region, from: s.from, to: s.to, now: s.now }
  const [row] = await rows<Counts>(store, OVERVIEW, params)
  const [ev, tk, tm] = PARTS.map(([prefix]): Counts =>
    Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v])),
  )
  return toOverview(s, s.region, ev, tk, tm)
}

/**
 * The overview of many regions of one level at once, for the live socket's KPI snapshots: three
 * grouped queries instead of three per region, so a thousand subscribed communities cost as much as one city.
 */
export async function overviewByRegion(store: Store, regions: string[], s: Omit<Scope, 'region'>): Promise<Map<string, Overview>> {
  const out = new Map<string, Overview>()
  const byLength = new Map<number, string[]>()
  for (const r of regions) byLength.set(r.length, [...(byLength.get(r.length) ?? []), r])
  for (const [digits, list] of byLength) {
    const params = { region: commonPrefix(list), regions: list, digits, from: s.from, to: s.to, now: s.now }
    const got: Array<Map<string, Counts>> = []
    for (const [, aggs, m] of PARTS) {
      const rs = await rows<Counts & { r: string }>(
        store,
        `${m.aliases}SELECT substring(grid_code, 1, {digits:UInt8}) AS r, ${select(aggs)} FROM ${m.from} AND r IN {regions:Array(String)} GROUP BY r`,
        params,
      )
      got.push(new Map(rs.map((x) => [x.r, x])))
    }
    for (const r of list) out.set(r, toOverview({ ...s, region: r }, r, got[0].get(r) ?? {}, got[1].get(r) ?? {}, got[2].get(r) ?? {}))
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
