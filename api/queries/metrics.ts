import type { BreakdownBy, Interval } from '#core/schemas/api.js'
import type { MetricDef } from '#core/schemas/metrics.js'
import { EVENT_STEPS } from '#core/schemas/records.js'
import { LEVEL_DIGITS, childLevel, depthOf, levelOf } from '#core/regions.js'
import { INTERVAL_MS, tzOffsetMs } from '#core/time.js'
import type { Store } from '#store/client.js'
import { badRequest } from '#platform/errors.js'
import { EVENT_COHORT, TERMINAL_LATEST, TICKET_COHORT, eventStates, ticketStates, type Scope } from './overview.js'
import { at, num, rows, type Params } from './run.js'

/**
 * Every metric of the catalogue (dashboards/catalog/metrics.yaml) as a total, a timeseries or a
 * breakdown. The catalogue names a kind, a source, a measure and predicates; each name picks one of
 * the constant SQL fragments below, and every value (region, times, steps) is a bound parameter.
 */

/** How the answer is grouped: one value, one per interval (keyed by its start, epoch ms), or one per key. */
export type Grouping = { kind: 'total' } | { kind: 'series'; interval: Interval; tz: string } | { kind: 'by'; by: BreakdownBy }

const EVENT_CLASS = `splitByChar('.', toString(category))[1]`
const EVENT_STATUS = `['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'][step_rank]`
const CHILD_OF_GRID = `substring(grid_code, 1, {digits:UInt8})`

/** Breakdown keys per source, over the state of each record (cohort, stock, latest). */
const STATE_KEYS: Record<'events' | 'tickets' | 'terminals', Partial<Record<BreakdownBy, string>>> = {
  events: { child: CHILD_OF_GRID, category: EVENT_CLASS, department: `ifNull(department, '')`, status: EVENT_STATUS },
  tickets: { child: CHILD_OF_GRID, category: 'category', department: `ifNull(department, '')`, channel: `ifNull(channel, '')`, status: 'status' },
  terminals: { child: CHILD_OF_GRID, status: 'status', category: 'fault_code' },
}
/** Breakdown keys of the rollups (child is the rollup's region one level down). */
const ROLLUP_KEYS: Record<'events' | 'tickets' | 'terminals', Partial<Record<BreakdownBy, string>>> = {
  events: { child: 'region', category: EVENT_CLASS, department: 'department' },
  tickets: { child: 'region', category: 'category', department: 'department', channel: 'channel' },
  terminals: { child: 'region' },
}
const ROLLUP_TABLE = { events: 'events_rollup', tickets: 'tickets_rollup', terminals: 'terminals_rollup' } as const
/**
 * The same step counts without department and channel, and for events by class instead of category
 * (migrations 023, 026): what a count, a trend, a child ranking or a breakdown by class reads.
 */
const TOTALS: Record<'events' | 'tickets', { table: string; keys: Partial<Record<BreakdownBy, string>> }> = {
  events: { table: 'events_class_totals', keys: { child: 'region', category: 'class' } },
  tickets: { table: 'tickets_totals', keys: { child: 'region' } },
}
const FLOW_VALUE = { count: 'sum(n)', transactions: 'sum(transactions)' } as const

const CLOSED_TICKET = `status IN ('closed', 'rated')`
const PREDICATES: Record<'events' | 'tickets', Record<string, string>> = {
  events: {
    all: '1',
    open: 'evaluated_at IS NULL',
    closed: 'evaluated_at IS NOT NULL',
    overdue: `evaluated_at IS NULL AND deadline < ${at('now')}`,
    rework: `evaluation IN ('rejected', 'unsatisfied')`,
  },
  tickets: {
    all: '1',
    open: `NOT ${CLOSED_TICKET}`,
    closed: CLOSED_TICKET,
    rated: 'satisfaction IS NOT NULL',
    satisfied: `satisfaction IN ('satisfied', 'basically')`,
    replied: 'replied_at IS NOT NULL',
    reopened: 'reopened > 0',
    repeat: 'is_repeat',
  },
}
/** When a cohort record starts: a series puts it in that interval. */
const START = { events: 'reported_at', tickets: 'created_at' } as const

/** A stock at instant `e`: started by then and not closed by then (overdue: and past its deadline by then). */
const STOCK_AT: Record<string, string> = {
  'events.open': `reported_at < e AND (evaluated_at IS NULL OR evaluated_at >= e)`,
  'events.overdue': `reported_at < e AND (evaluated_at IS NULL OR evaluated_at >= e) AND deadline < e`,
  'tickets.open': `created_at < e AND (closed_at IS NULL OR closed_at >= e)`,
}
/** Open records older than this are not drawn in a stock series (they still count in lists). */
const STOCK_LOOKBACK_MS = 30 * 86_400_000
/** A repeat complaint looks this far back for an earlier ticket at the same place. */
const REPEAT_WINDOW_MS = 30 * 86_400_000
/** The status of a terminal at the start of a range is its last report at most this long before. */
const RUNS_LOOKBACK_MS = 2 * 86_400_000

const ms = (col: string) => `toUnixTimestamp64Milli(${col})`

/** Tickets with `is_repeat`: another ticket of the same category in the same grid within 30 days before. */
const TICKETS_WITH_REPEAT = `
  SELECT *, prev_created IS NOT NULL AND ${ms('created_at')} - ${ms('prev_created')} <= {repeatMs:Int64} AS is_repeat
  FROM (
    SELECT *, lagInFrame(toNullable(created_at), 1, NULL) OVER
             (PARTITION BY grid_code, category ORDER BY created_at, ticket_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prev_created
    FROM (${ticketStates(`created_at >= ${at('repeatSince')} AND created_at < ${at('to')}`, ['repeatSince', 'to'])})
  )
  WHERE created_at >= ${at('from')}`

function cohortSql(source: 'events' | 'tickets', usesRepeat: boolean): string {
  if (source === 'events') return EVENT_COHORT
  return usesRepeat ? TICKETS_WITH_REPEAT : TICKET_COHORT
}

/** The value of a cohort measure over the rows of one group. */
function cohortValue(def: Extract<MetricDef, { kind: 'cohort' }>): string {
  const preds = PREDICATES[def.source]
  switch (def.measure) {
    case 'count':
      return 'count()'
    case 'rate':
      return `if(count() = 0, 0, countIf(${preds[def.numerator!]}) / count())`
    case 'avg_minutes':
    case 'p90_minutes': {
      const { from, to } = def.duration!
      const d = `${ms(to)} - ${ms(from)}`
      const both = `${from} IS NOT NULL AND ${to} IS NOT NULL`
      // quantileExact: the value at ⌊0.9·n⌋ of the sorted durations, so a test can compute it exactly.
      return def.measure === 'avg_minutes' ? `ifNotFinite(avgIf(${d}, ${both}) / 60000, 0)` : `ifNotFinite(quantileExactIf(0.9)(${d}, ${both}) / 60000, 0)`
    }
    case 'step_reached':
      return `countIf(evaluated_at IS NOT NULL)`
    case 'step_minutes':
      return `ifNotFinite(avgIf(${ms('evaluated_at')} - ${ms('reported_at')}, evaluated_at IS NOT NULL) / 60000, 0)`
  }
}

// Each step with the time it was reached and the time of the step before it.
const STEP_TIMES = `arrayZip(${JSON.stringify([...EVENT_STEPS]).replace(/"/g, "'")},
  [reported_at, verified_at, dispatched_at, handled_at, submitted_at, evaluated_at],
  [NULL, reported_at, verified_at, dispatched_at, handled_at, submitted_at])`

/** Interval starts over [from, to): aligned to the interval in UTC, or to local midnight for days. */
export function bucketStarts(from: number, to: number, interval: Interval, tz: string): number[] {
  const step = INTERVAL_MS[interval]
  const offset = interval === '1d' ? -tzOffsetMs(from, tz) : 0
  const out: number[] = []
  for (let t = Math.floor((from - offset) / step) * step + offset; t < to; t += step) out.push(t)
  return out
}

/** Compute one metric for a region and range, grouped as asked. */
export async function compute(store: Store, def: MetricDef, s: Scope, g: Grouping): Promise<Map<string, number>> {
  const level = levelOf(s.region)
  if (!level) throw badRequest(`parameter region: ${s.region} is not a region code`, { parameter: 'region' })
  const child = childLevel(level)
  if (g.kind === 'by') {
    if (!def.breakdowns.includes(g.by)) {
      throw badRequest(`parameter by: ${def.id} has no breakdown by ${g.by} (it has ${def.breakdowns.join(', ') || 'none'})`, { parameter: 'by' })
    }
    if (g.by === 'child' && !child) throw badRequest('parameter by: a grid has no child regions', { parameter: 'by' })
  }
  if (g.kind === 'series' && !def.series) {
    throw badRequest(`parameter metric: ${def.id} is a per-step metric with no timeseries; ask /breakdown?by=step`, { parameter: 'metric' })
  }
  const series = g.kind === 'series' ? { stepMs: INTERVAL_MS[g.interval], offset: g.interval === '1d' ? -tzOffsetMs(s.from, g.tz) : 0 } : undefined
  const params: Params = {
    region: s.region,
    depth: depthOf(level),
    child: depthOf(level) + 1,
    digits: child ? LEVEL_DIGITS[child] : 15,
    from: s.from,
    to: s.to,
    now: s.now,
    since: s.from,
    stepMs: series?.stepMs ?? 1,
    offset: series?.offset ?? 0,
  }
  /** A time column bucketed like bucketStarts(), as epoch ms. */
  const bucketOf = (msExpr: string) => `intDiv(${msExpr} - {offset:Int64}, {stepMs:Int64}) * {stepMs:Int64} + {offset:Int64}`
  let sql: string

  switch (def.kind) {
    case 'flow': {
      if (g.kind === 'by' && g.by === 'status') {
        // A flow counts steps; its breakdown by status is of the records it counted, by where they stand now.
        const source = def.source as 'events' | 'tickets'
        sql = `SELECT toString(${STATE_KEYS[source].status}) AS key, count() AS value FROM (${cohortSql(source, false)})
               WHERE ${PREDICATES[source][def.status_cohort ?? 'all']} GROUP BY key`
        break
      }
      // Step counts not broken down by department or channel read the narrower totals.
      const totals = def.measure === 'count' && def.source !== 'terminals' ? TOTALS[def.source] : undefined
      const narrow = totals && (g.kind !== 'by' || g.by in totals.keys) ? totals : undefined
      const table = narrow?.table ?? ROLLUP_TABLE[def.source]
      const where = [`bucket >= ${at('from')}`, `bucket < ${at('to')}`]
      if (def.steps) {
        where.push('step IN {steps:Array(String)}')
        params.steps = def.steps
      }
      let key = `''`
      if (g.kind === 'series') key = bucketOf(`toUnixTimestamp(bucket) * 1000`)
      if (g.kind === 'by') key = (narrow?.keys ?? ROLLUP_KEYS[def.source])[g.by] ?? missingKey(def, g.by)
      where.unshift(g.kind === 'by' && g.by === 'child' ? `depth = {child:UInt8} AND startsWith(region, {region:String})` : `depth = {depth:UInt8} AND region = {region:String}`)
      const source = `FROM ${table} WHERE ${where.join(' AND ')}`
      // A key computed from a column (an event's class from its category) is computed once per
      // distinct value rather than once per rollup row: a week of the city is a million rows.
      sql =
        key === EVENT_CLASS
          ? `SELECT toString(${key}) AS key, sum(v) AS value FROM (SELECT category, ${FLOW_VALUE[def.measure]} AS v ${source} GROUP BY category) GROUP BY key`
          : `SELECT toString(${key}) AS key, ${FLOW_VALUE[def.measure]} AS value ${source} GROUP BY key`
      break
    }
    case 'cohort': {
      const preds = PREDICATES[def.source]
      const usesRepeat = def.where === 'repeat' || def.numerator === 'repeat'
      if (usesRepeat) {
        params.repeatMs = REPEAT_WINDOW_MS
        params.repeatSince = s.from - REPEAT_WINDOW_MS
        params.since = s.from - REPEAT_WINDOW_MS
      }
      const cohort = cohortSql(def.source, usesRepeat)
      if (g.kind === 'by' && g.by === 'step') {
        const value =
          def.measure === 'step_minutes'
            ? `ifNotFinite(avgIf(${ms('st.2')} - ${ms('st.3')}, st.2 IS NOT NULL AND st.3 IS NOT NULL) / 60000, 0)`
            : `countIf(st.2 IS NOT NULL)`
        // The funnel keeps the loop's order: the key's position, not the value, orders the rows.
        sql = `SELECT st.1 AS key, ${value} AS value FROM (${cohort}) ARRAY JOIN ${STEP_TIMES} AS st
               WHERE ${preds[def.where]} ${def.measure === 'step_minutes' ? `AND st.1 != 'reported'` : ''} GROUP BY key`
        break
      }
      let key = `''`
      if (g.kind === 'series') key = bucketOf(ms(START[def.source]))
      if (g.kind === 'by') key = STATE_KEYS[def.source][g.by] ?? missingKey(def, g.by)
      sql = `SELECT toString(${key}) AS key, ${cohortValue(def)} AS value FROM (${cohort}) WHERE ${preds[def.where]} GROUP BY key`
      break
    }
    case 'stock': {
      const id = `${def.source}.${def.where}`
      const preds = PREDICATES[def.source]
      if (g.kind === 'series') {
        // At the end of each interval: started by then and not yet closed by then.
        const starts = bucketStarts(s.from, s.to, g.interval, g.tz)
        params.since = s.from - STOCK_LOOKBACK_MS
        params.buckets = starts
        const states = def.source === 'events' ? eventStates(`reported_at < ${at('to')}`) : ticketStates(`created_at < ${at('to')}`)
        sql = `SELECT toString(toUnixTimestamp64Milli(b)) AS key, countIf(${STOCK_AT[id]}) AS value
               FROM (SELECT *, b, b + toIntervalMillisecond({stepMs:Int64}) AS e FROM (${states})
                     ARRAY JOIN arrayMap(x -> fromUnixTimestamp64Milli(x, 'UTC'), {buckets:Array(Int64)}) AS b)
               GROUP BY key`
        break
      }
      const key = g.kind === 'by' ? (STATE_KEYS[def.source][g.by] ?? missingKey(def, g.by)) : `''`
      sql = `SELECT toString(${key}) AS key, count() AS value FROM (${cohortSql(def.source, false)}) WHERE ${preds[def.where]} GROUP BY key`
      break
    }
    case 'latest': {
      params.statuses = def.statuses
      const statusFilter = def.statuses.length ? 'status IN {statuses:Array(String)}' : '1'
      if (g.kind === 'series') {
        sql = `SELECT toString(${bucketOf(`toUnixTimestamp(bucket) * 1000`)}) AS key, uniqMerge(terminals) AS value FROM terminals_rollup
               WHERE depth = {depth:UInt8} AND region = {region:String} AND bucket >= ${at('from')} AND bucket < ${at('to')} AND ${statusFilter}
               GROUP BY key`
        break
      }
      const key = g.kind === 'by' ? (STATE_KEYS.terminals[g.by] ?? missingKey(def, g.by)) : `''`
      sql = `SELECT toString(${key}) AS key, count() AS value FROM (${TERMINAL_LATEST}) WHERE ${statusFilter} GROUP BY key`
      break
    }
    case 'runs': {
      params.lookback = s.from - RUNS_LOOKBACK_MS
      params.end = Math.min(s.to, s.now)
      const key = g.kind === 'by' ? (STATE_KEYS.terminals[g.by] ?? missingKey(def, g.by)) : `''`
      sql = def.measure === 'availability' ? availabilitySql(key, g.kind === 'series') : mttrSql(key, g.kind === 'series' ? bucketOf('end_ms') : undefined)
      if (g.kind === 'series') params.buckets = bucketStarts(s.from, s.to, g.interval, g.tz)
      break
    }
  }
  const got = await rows<{ key: string; value: string | number }>(store, sql, params)
  return new Map(got.map((r) => [r.key, num(r.value)]))
}

function missingKey(def: MetricDef, by: BreakdownBy): never {
  throw badRequest(`parameter by: ${def.id} has no breakdown by ${by}`, { parameter: 'by' })
}

// Each terminal's reports since shortly before the range, in time order: (epoch ms, status).
const TERMINAL_HISTORY = `
  SELECT terminal_id, any(grid_code) AS grid_code,
         arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(ts), toString(status)))) AS h
  FROM terminal_status
  WHERE startsWith(terminal_status.grid_code, {region:String}) AND ts >= ${at('lookback')} AND ts < ${at('end')}
  GROUP BY terminal_id`

/**
 * Availability: each report's status lasts until the terminal's next report (the last one until
 * min(to, now)); the share of that terminal-time within the range spent online.
 */
function availabilitySql(key: string, series: boolean): string {
  const segments = `
    SELECT grid_code, seg.1 AS s, seg.2 AS e, seg.3 AS online
    FROM (${TERMINAL_HISTORY})
    ARRAY JOIN arrayMap(i -> (greatest(h[i].1, {from:Int64}), if(i < length(h), least(h[i + 1].1, {end:Int64}), {end:Int64}), h[i].2 = 'online'),
                        arrayEnumerate(h)) AS seg
    WHERE e > s`
  if (!series) {
    return `SELECT toString(${key}) AS key, if(sum(e - s) = 0, 0, sumIf(e - s, online) / sum(e - s)) AS value FROM (${segments}) GROUP BY key`
  }
  return `SELECT toString(b) AS key, if(sum(ov) = 0, 0, sumIf(ov, online) / sum(ov)) AS value FROM (
            SELECT online, b, least(e, b + {stepMs:Int64}) - greatest(s, b) AS ov FROM (${segments})
            ARRAY JOIN arrayFilter(x -> x < e AND x + {stepMs:Int64} > s, {buckets:Array(Int64)}) AS b)
          GROUP BY key`
}

/**
 * Mean time to repair: a run of offline/fault reports ends at the next report in another status;
 * its length is from the run's first report to that one, counted when it ends inside the range.
 */
function mttrSql(key: string, seriesKey: string | undefined): string {
  return `SELECT toString(${seriesKey ?? key}) AS key, ifNotFinite(avg(dur) / 60000, 0) AS value FROM (
            SELECT grid_code, r.1 AS end_ms, r.2 AS dur FROM (
              SELECT grid_code, arrayMap(x -> x.2 IN ('offline', 'fault'), h) AS down,
                     arrayMap(i -> if(down[i] AND (i = 1 OR NOT down[i - 1]), h[i].1, 0), arrayEnumerate(h)) AS starts,
                     arrayFill(x -> x != 0, starts) AS run_start,
                     arrayMap(i -> (h[i].1, h[i].1 - run_start[i - 1]),
                              arrayFilter(i -> i > 1 AND NOT down[i] AND down[i - 1] AND h[i].1 >= {from:Int64} AND h[i].1 < {end:Int64}, arrayEnumerate(h))) AS repairs
              FROM (${TERMINAL_HISTORY})
            ) ARRAY JOIN repairs AS r)
          GROUP BY key`
}
