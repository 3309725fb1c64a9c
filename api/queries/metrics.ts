import type { Breakdown, BreakdownBy, Interval, Metric, Timeseries } from '../../core/schemas/api.js'
import { LEVEL_DIGITS, childLevel, depthOf, levelOf } from '../../core/regions.js'
import { INTERVAL_MS } from '../../core/time.js'
import type { Store } from '../../store/client.js'
import { badRequest } from '../../server/errors.js'
import { EVENT_COHORT, TERMINAL_LATEST, TICKET_COHORT, eventStates, type Scope } from './overview.js'
import { at, num, rows } from './run.js'

/**
 * How each metric is computed. Flow metrics count steps per 5-minute bucket in the rollups;
 * stock metrics (open, overdue, terminals by status) fold the per-record state tables.
 * Every SQL fragment here is a constant chosen by a validated enum, never text from a request.
 */
interface FlowDef {
  kind: 'flow'
  table: 'events_rollup' | 'tickets_rollup' | 'terminals_rollup'
  where: string
  value: string
  /** Key expressions for each breakdown this rollup carries. */
  keys: Partial<Record<BreakdownBy, string>>
}
interface StockDef {
  kind: 'stock'
  /** A per-record subquery with the record's grid_code and the key columns. */
  cohort: string
  where: string
  keys: Partial<Record<BreakdownBy, string>>
}
type MetricDef = FlowDef | StockDef

/** Open events older than this are not drawn in a stock timeseries (they still count in lists). */
const STOCK_LOOKBACK_MS = 30 * 86_400_000

const EVENT_CLASS = `splitByChar('.', toString(category))[1]`
const EVENT_STATUS = `['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'][step_rank]`
const EVENT_STOCK_KEYS = { category: EVENT_CLASS, department: `ifNull(department, '')`, status: EVENT_STATUS }
const EVENT_FLOW_KEYS = { category: EVENT_CLASS, department: 'department' }
const TICKET_FLOW_KEYS = { category: 'category', department: 'department', channel: 'channel' }

export const METRIC_DEFS: Record<Metric, MetricDef> = {
  'events.reported': { kind: 'flow', table: 'events_rollup', where: `step = 'reported'`, value: 'sum(n)', keys: EVENT_FLOW_KEYS },
  'events.closed': { kind: 'flow', table: 'events_rollup', where: `step = 'evaluated'`, value: 'sum(n)', keys: EVENT_FLOW_KEYS },
  'events.open': { kind: 'stock', cohort: EVENT_COHORT, where: 'evaluated_at IS NULL', keys: EVENT_STOCK_KEYS },
  'events.overdue': {
    kind: 'stock',
    cohort: EVENT_COHORT,
    where: `evaluated_at IS NULL AND deadline < ${at('now')}`,
    keys: EVENT_STOCK_KEYS,
  },
  'tickets.created': { kind: 'flow', table: 'tickets_rollup', where: `step = 'created'`, value: 'sum(n)', keys: TICKET_FLOW_KEYS },
  'tickets.closed': { kind: 'flow', table: 'tickets_rollup', where: `step = 'closed'`, value: 'sum(n)', keys: TICKET_FLOW_KEYS },
  'terminals.online': {
    kind: 'flow',
    table: 'terminals_rollup',
    where: `status = 'online'`,
    value: 'uniqMerge(terminals)',
    keys: {},
  },
  'terminals.fault': {
    kind: 'flow',
    table: 'terminals_rollup',
    where: `status = 'fault'`,
    value: 'uniqMerge(terminals)',
    keys: {},
  },
}

// A flow counts steps and has no status; its breakdown by status is of the records it counted,
// by where they stand now: events reported in the range by their furthest step, and so on.
const BY_STATUS: Partial<Record<Metric, StockDef>> = {
  'events.reported': { kind: 'stock', cohort: EVENT_COHORT, where: '1', keys: EVENT_STOCK_KEYS },
  'events.closed': { kind: 'stock', cohort: EVENT_COHORT, where: 'evaluated_at IS NOT NULL', keys: EVENT_STOCK_KEYS },
  'tickets.created': { kind: 'stock', cohort: TICKET_COHORT, where: '1', keys: { status: 'status' } },
  'tickets.closed': { kind: 'stock', cohort: TICKET_COHORT, where: `status IN ('closed', 'rated')`, keys: { status: 'status' } },
}

// Terminal breakdowns are of the terminals' current status, from the state table.
const TERMINAL_STOCK: Record<'terminals.online' | 'terminals.fault', StockDef> = {
  'terminals.online': { kind: 'stock', cohort: TERMINAL_LATEST, where: `status = 'online'`, keys: { status: 'status', category: 'fault_code' } },
  'terminals.fault': { kind: 'stock', cohort: TERMINAL_LATEST, where: `status = 'fault'`, keys: { status: 'status', category: 'fault_code' } },
}

function bucketExpr(interval: Interval): string {
  // Days start at midnight in the city's time zone, not UTC.
  return interval === '1d'
    ? `toStartOfDay(bucket, {tz:String})`
    : `toStartOfInterval(bucket, toIntervalSecond({step:UInt32}))`
}

/** Values per interval over [from, to), every interval present (0 where nothing happened). */
export async function timeseries(store: Store, s: Scope, metric: Metric, interval: Interval, tz: string): Promise<Timeseries> {
  const def = METRIC_DEFS[metric]
  const step = INTERVAL_MS[interval]
  const level = levelOf(s.region)!
  const params = { region: s.region, depth: depthOf(level), from: s.from, to: s.to, now: s.now, tz, step: step / 1000 }
  let got: { t: string; v: string | number }[]
  if (def.kind === 'flow') {
    got = await rows(
      store,
      `SELECT toUnixTimestamp(${bucketExpr(interval)}) * 1000 AS t, ${def.value} AS v
       FROM ${def.table}
       WHERE depth = {depth:UInt8} AND region = {region:String} AND ${def.where}
         AND bucket >= ${at('from')} AND bucket < ${at('to')}
       GROUP BY t ORDER BY t`,
      params,
    )
  } else {
    // A stock at the end of each interval: reported by then and not yet closed by then.
    got = await rows(
      store,
      `SELECT toUnixTimestamp64Milli(b) AS t,
              countIf(reported_at < b + toIntervalMillisecond({stepMs:UInt32})
                      AND (evaluated_at IS NULL OR evaluated_at >= b + toIntervalMillisecond({stepMs:UInt32}))
                      ${metric === 'events.overdue' ? 'AND deadline < b + toIntervalMillisecond({stepMs:UInt32})' : ''}) AS v
       FROM (${eventStates(`reported_at < ${at('to')}`)})
       ARRAY JOIN arrayMap(x -> fromUnixTimestamp64Milli(x, 'UTC'), {buckets:Array(Int64)}) AS b
       GROUP BY b ORDER BY b`,
      { ...params, stepMs: step, since: s.from - STOCK_LOOKBACK_MS, buckets: bucketStarts(s.from, s.to, step, interval, tz) },
    )
  }
  const byT = new Map(got.map((r) => [num(r.t), num(r.v)]))
  return {
    metric,
    interval,
    points: bucketStarts(s.from, s.to, step, interval, tz).map((t) => ({ t: new Date(t).toISOString(), v: byT.get(t) ?? 0 })),
  }
}

function bucketStarts(from: number, to: number, step: number, interval: Interval, tz: string): number[] {
  const out: number[] = []
  // Align the first bucket the way the SQL does: to the interval in UTC, or to local midnight for days.
  const offset = interval === '1d' ? -tzOffset(from, tz) : 0
  let t = Math.floor((from - offset) / step) * step + offset
  for (; t < to; t += step) out.push(t)
  return out
}

function tzOffset(ms: number, tz: string): number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).format(new Date(ms))
  const m = f.match(/GMT([+-])(\d{2}):?(\d{2})?/)
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3] ?? 0) * 60_000) : 0
}

/** Values by child region, category, status, department or channel. */
export async function breakdown(
  store: Store,
  s: Scope,
  metric: Metric,
  by: BreakdownBy,
  nameOf: (key: string) => string,
): Promise<Breakdown> {
  const level = levelOf(s.region)!
  const child = childLevel(level)
  const base = METRIC_DEFS[metric]
  const def: MetricDef =
    base.kind === 'flow' && base.table === 'terminals_rollup'
      ? TERMINAL_STOCK[metric as keyof typeof TERMINAL_STOCK]
      : (by === 'status' && BY_STATUS[metric]) || base
  if (by === 'child' && !child) throw badRequest('parameter by: a grid has no child regions', { parameter: 'by' })
  const params = { region: s.region, depth: depthOf(level), from: s.from, to: s.to, now: s.now, since: s.from }
  let got: { key: string; value: string | number }[]
  if (def.kind === 'flow') {
    const key = by === 'child' ? 'region' : def.keys[by]
    if (!key) throw badRequest(`parameter by: ${metric} has no breakdown by ${by}`, { parameter: 'by' })
    const regionFilter = by === 'child' ? `depth = {child:UInt8} AND startsWith(region, {region:String})` : `depth = {depth:UInt8} AND region = {region:String}`
    got = await rows(
      store,
      `SELECT toString(${key}) AS key, ${def.value} AS value FROM ${def.table}
       WHERE ${regionFilter} AND ${def.where} AND bucket >= ${at('from')} AND bucket < ${at('to')}
       GROUP BY key ORDER BY value DESC, key`,
      { ...params, child: depthOf(level) + 1 },
    )
  } else {
    const key = by === 'child' ? `substring(grid_code, 1, {digits:UInt8})` : def.keys[by]
    if (!key) throw badRequest(`parameter by: ${metric} has no breakdown by ${by}`, { parameter: 'by' })
    got = await rows(
      store,
      `SELECT toString(${key}) AS key, count() AS value FROM (${def.cohort})
       WHERE ${def.where} GROUP BY key ORDER BY value DESC, key`,
      { ...params, digits: child ? LEVEL_DIGITS[child] : 15 },
    )
  }
  return { metric, by, rows: got.map((r) => ({ key: r.key, name: nameOf(r.key), value: num(r.value) })) }
}
