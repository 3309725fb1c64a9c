import type { BreakdownBy, Interval } from '#core/schemas/api.js'
import type { MetricDef } from '#core/schemas/metrics.js'
import { EVENT_STEPS } from '#core/schemas/records.js'
import { LEVEL_DIGITS, childLevel, depthOf, levelOf } from '#core/regions.js'
import { INTERVAL_MS, tzOffsetMs } from '#core/time.js'
import type { Store } from '#store/client.js'
import { invalidRequest } from '#store/errors.js'
import { tables } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'
import { eventCohort, eventStates, ticketCohort, ticketStates } from './overview.js'
import { instantOf, startedBy, type Scope } from './scope.js'
import { num, rows } from './run.js'
import { terminalLatest } from './terminals.js'

/**
 * Every metric of the catalogue (dashboards/catalog/metrics.yaml) as a total, a timeseries or a
 * breakdown. The catalogue names a kind, a source, a measure and predicates; each name picks one of
 * the constant SQL fragments below. Each kind is one pure function from the definition, the scope
 * and the grouping to a statement that carries its own values (store/sql.ts); `compute` runs it.
 */

/** How the answer is grouped: one value, one per interval (keyed by its start, epoch ms), or one per key. */
export type Grouping =
  { kind: 'total' } | { kind: 'series'; interval: Interval; tz: string } | { kind: 'by'; by: BreakdownBy }

type Def<K extends MetricDef['compute']> = Extract<MetricDef, { compute: K }>
type Source = 'events' | 'tickets' | 'terminals'

const EVENT_CLASS = sql`splitByChar('.', toString(category))[1]`
const EVENT_STATUS = sql`['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'][step_rank]`

/** What a query needs of the scope's region: its depth, its children's depth and code length. */
interface Level {
  depth: number
  childDepth: number
  /** The code length of a child region (a grid has none: its own length). */
  digits: number
}

/** Breakdown keys per source, over the state of each record (cohort, stock, latest). */
function stateKeys(source: Source, lv: Level): Partial<Record<BreakdownBy, Sql>> {
  const child = sql`substring(grid_code, 1, ${sql.uint8(lv.digits)})`
  if (source === 'events') {
    return { child, category: EVENT_CLASS, department: sql`ifNull(department, '')`, status: EVENT_STATUS }
  }
  if (source === 'tickets') {
    return {
      child,
      category: sql`category`,
      department: sql`ifNull(department, '')`,
      channel: sql`ifNull(channel, '')`,
      status: sql`status`,
    }
  }
  return { child, status: sql`status`, category: sql`fault_code` }
}
/** Breakdown keys of the rollups (child is the rollup's region one level down). */
const ROLLUP_KEYS: Record<Source, Partial<Record<BreakdownBy, Sql>>> = {
  events: { child: sql`region`, category: EVENT_CLASS, department: sql`department` },
  tickets: { child: sql`region`, category: sql`category`, department: sql`department`, channel: sql`channel` },
  terminals: { child: sql`region` },
}
const ROLLUP_TABLE = {
  events: tables.eventsRollup,
  tickets: tables.ticketsRollup,
  terminals: tables.terminalsRollup,
} as const
/**
 * The same step counts without department and channel, and for events by class instead of category
 * (migrations 023, 026): what a count, a trend, a child ranking or a breakdown by class reads.
 */
const TOTALS: Record<'events' | 'tickets', { table: Sql; keys: Partial<Record<BreakdownBy, Sql>> }> = {
  events: { table: tables.eventsClassTotals, keys: { child: sql`region`, category: sql`class` } },
  tickets: { table: tables.ticketsTotals, keys: { child: sql`region` } },
}
const FLOW_VALUE = { count: sql`sum(n)`, transactions: sql`sum(transactions)` } as const

const CLOSED_TICKET = sql`status IN ('closed', 'rated')`
/** Predicates over a record's state (now, or folded as of the scope's instant); overdue is judged at the instant. */
const predicates = (source: 'events' | 'tickets', s: Scope): Record<string, Sql> =>
  source === 'events'
    ? {
        all: sql`1`,
        open: sql`evaluated_at IS NULL`,
        closed: sql`evaluated_at IS NOT NULL`,
        overdue: sql`evaluated_at IS NULL AND deadline < ${sql.ms(instantOf(s))}`,
        rework: sql`evaluation IN ('rejected', 'unsatisfied')`,
      }
    : {
        all: sql`1`,
        open: sql`NOT ${CLOSED_TICKET}`,
        closed: CLOSED_TICKET,
        rated: sql`satisfaction IS NOT NULL`,
        satisfied: sql`satisfaction IN ('satisfied', 'basically')`,
        replied: sql`replied_at IS NOT NULL`,
        reopened: sql`reopened > 0`,
        repeat: sql`is_repeat`,
      }
/** When a cohort record starts: a series puts it in that interval. */
const START = { events: sql`reported_at`, tickets: sql`created_at` } as const
/** The times a duration measure may span (core/schemas/metrics.ts EVENT_TIMES, TICKET_TIMES). */
const TIMES: Record<string, Sql> = {
  reported_at: sql`reported_at`,
  evaluated_at: sql`evaluated_at`,
  created_at: sql`created_at`,
  replied_at: sql`replied_at`,
  closed_at: sql`closed_at`,
}

/** A stock at instant `e`: started by then and not closed by then (overdue: and past its deadline by then). */
const STOCK_AT: Record<string, Sql> = {
  'events.open': sql`reported_at < e AND (evaluated_at IS NULL OR evaluated_at >= e)`,
  'events.overdue': sql`reported_at < e AND (evaluated_at IS NULL OR evaluated_at >= e) AND deadline < e`,
  'tickets.open': sql`created_at < e AND (closed_at IS NULL OR closed_at >= e)`,
}
/** Open records older than this are not drawn in a stock series (they still count in lists). */
const STOCK_LOOKBACK_MS = 30 * 86_400_000
/** A repeat complaint looks this far back for an earlier ticket at the same place. */
const REPEAT_WINDOW_MS = 30 * 86_400_000
/** The status of a terminal at the start of a range is its last report at most this long before. */
const RUNS_LOOKBACK_MS = 2 * 86_400_000

const ms = (col: Sql) => sql`toUnixTimestamp64Milli(${col})`

/** Tickets with `is_repeat`: another ticket of the same category in the same grid within 30 days before. */
function ticketsWithRepeat(s: Scope): Sql {
  const since = s.from - REPEAT_WINDOW_MS
  const prev = sql`lagInFrame(toNullable(created_at), 1, NULL) OVER
             (PARTITION BY grid_code, category ORDER BY created_at, ticket_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`
  const states = ticketStates(
    { region: s.region, cohort: [since, s.to], at: s.at },
    sql`created_at >= ${sql.ms(since)} AND created_at < ${sql.ms(s.to)}`,
  )
  return sql`
  SELECT *, prev_created IS NOT NULL AND ${ms(sql`created_at`)} - ${ms(sql`prev_created`)} <= ${sql.int64(REPEAT_WINDOW_MS)} AS is_repeat
  FROM (
    SELECT *, ${prev} AS prev_created
    FROM (${states})
  )
  WHERE created_at >= ${sql.ms(s.from)}`
}

function cohortOf(source: 'events' | 'tickets', scope: Scope, usesRepeat: boolean): Sql {
  // With an instant only records started by then exist; their state then is folded from their raw steps.
  const s = startedBy(scope)
  if (source === 'events') return eventCohort(s)
  return usesRepeat ? ticketsWithRepeat(s) : ticketCohort(s)
}

/** The value of a cohort measure over the rows of one group. */
function cohortValue(def: Def<'cohort'>, preds: Record<string, Sql>): Sql {
  switch (def.measure) {
    case 'count':
      return sql`count()`
    case 'rate':
      return sql`if(count() = 0, 0, countIf(${preds[def.numerator!]}) / count())`
    case 'avg_minutes':
    case 'p90_minutes': {
      const [from, to] = [TIMES[def.duration!.from], TIMES[def.duration!.to]]
      const d = sql`${ms(to)} - ${ms(from)}`
      const both = sql`${from} IS NOT NULL AND ${to} IS NOT NULL`
      // quantileExact: the value at ⌊0.9·n⌋ of the sorted durations, so a test can compute it exactly.
      return def.measure === 'avg_minutes'
        ? sql`ifNotFinite(avgIf(${d}, ${both}) / 60000, 0)`
        : sql`ifNotFinite(quantileExactIf(0.9)(${d}, ${both}) / 60000, 0)`
    }
    case 'step_reached':
      return sql`countIf(evaluated_at IS NOT NULL)`
    case 'step_minutes':
      return sql`ifNotFinite(avgIf(${ms(sql`evaluated_at`)} - ${ms(sql`reported_at`)}, evaluated_at IS NOT NULL) / 60000, 0)`
  }
}

// Each step with the time it was reached and the time of the step before it.
const STEP_TIMES = sql`arrayZip(${sql.strings(EVENT_STEPS)},
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

/** A series' interval: its length and the offset of its starts (local midnight for days). */
interface Step {
  stepMs: number
  offset: number
}
const stepOf = (s: Scope, g: Extract<Grouping, { kind: 'series' }>): Step => ({
  stepMs: INTERVAL_MS[g.interval],
  offset: g.interval === '1d' ? -tzOffsetMs(s.from, g.tz) : 0,
})

/** A time (epoch ms) bucketed like bucketStarts(), as epoch ms. */
const bucketOf = (msExpr: Sql, { stepMs, offset }: Step) =>
  sql`intDiv(${msExpr} - ${sql.int64(offset)}, ${sql.int64(stepMs)}) * ${sql.int64(stepMs)} + ${sql.int64(offset)}`

function missingKey(def: MetricDef, by: BreakdownBy): never {
  throw invalidRequest(`parameter by: ${def.id} has no breakdown by ${by}`, { parameter: 'by' })
}

/** The key expression of a breakdown from the keys a source offers. */
const keyOf = (def: MetricDef, keys: Partial<Record<BreakdownBy, Sql>>, by: BreakdownBy): Sql =>
  keys[by] ?? missingKey(def, by)

/** A flow: step counts (or transactions) from the rollups, by interval or key. */
export function flowSql(def: Def<'flow'>, s: Scope, g: Grouping, lv: Level): Sql {
  if (g.kind === 'by' && g.by === 'status') {
    // A flow counts steps; its breakdown by status is of the records it counted, by where they stand now.
    const source = def.source as 'events' | 'tickets'
    return sql`SELECT toString(${stateKeys(source, lv).status!}) AS key, count() AS value FROM (${cohortOf(source, s, false)})
               WHERE ${predicates(source, s)[def.status_cohort ?? 'all']} GROUP BY key`
  }
  // Step counts not broken down by department or channel read the narrower totals.
  const totals = def.measure === 'count' && def.source !== 'terminals' ? TOTALS[def.source] : undefined
  const narrow = totals && (g.kind !== 'by' || g.by in totals.keys) ? totals : undefined
  const table = narrow?.table ?? ROLLUP_TABLE[def.source]
  const region =
    g.kind === 'by' && g.by === 'child'
      ? sql`depth = ${sql.uint8(lv.childDepth)} AND startsWith(region, ${sql.string(s.region)})`
      : sql`depth = ${sql.uint8(lv.depth)} AND region = ${sql.string(s.region)}`
  const where = [region, sql`bucket >= ${sql.ms(s.from)}`, sql`bucket < ${sql.ms(s.to)}`]
  if (def.steps) where.push(sql`step IN ${sql.strings(def.steps)}`)
  let key = sql`''`
  if (g.kind === 'series') key = bucketOf(sql`toUnixTimestamp(bucket) * 1000`, stepOf(s, g))
  if (g.kind === 'by') key = keyOf(def, narrow?.keys ?? ROLLUP_KEYS[def.source], g.by)
  const source = sql`FROM ${table} WHERE ${sql.join(where, sql` AND `)}`
  // A key computed from a column (an event's class from its category) is computed once per
  // distinct value rather than once per rollup row: a week of the city is a million rows.
  return key === EVENT_CLASS
    ? sql`SELECT toString(${key}) AS key, sum(v) AS value
          FROM (SELECT category, ${FLOW_VALUE[def.measure]} AS v ${source} GROUP BY category) GROUP BY key`
    : sql`SELECT toString(${key}) AS key, ${FLOW_VALUE[def.measure]} AS value ${source} GROUP BY key`
}

/** A cohort: records started in the range, measured by their state now. */
export function cohortSql(def: Def<'cohort'>, s: Scope, g: Grouping, lv: Level): Sql {
  const preds = predicates(def.source, s)
  const usesRepeat = def.where === 'repeat' || def.numerator === 'repeat'
  const cohort = cohortOf(def.source, s, usesRepeat)
  if (g.kind === 'by' && g.by === 'step') {
    const value =
      def.measure === 'step_minutes'
        ? sql`ifNotFinite(avgIf(${ms(sql`st.2`)} - ${ms(sql`st.3`)}, st.2 IS NOT NULL AND st.3 IS NOT NULL) / 60000, 0)`
        : sql`countIf(st.2 IS NOT NULL)`
    // The funnel keeps the loop's order: the key's position, not the value, orders the rows.
    return sql`SELECT st.1 AS key, ${value} AS value FROM (${cohort}) ARRAY JOIN ${STEP_TIMES} AS st
               WHERE ${preds[def.where]} ${def.measure === 'step_minutes' ? sql`AND st.1 != 'reported'` : sql.empty()} GROUP BY key`
  }
  let key = sql`''`
  if (g.kind === 'series') key = bucketOf(ms(START[def.source]), stepOf(s, g))
  if (g.kind === 'by') key = keyOf(def, stateKeys(def.source, lv), g.by)
  return sql`SELECT toString(${key}) AS key, ${cohortValue(def, preds)} AS value FROM (${cohort}) WHERE ${preds[def.where]} GROUP BY key`
}

/** A stock: open (or overdue) records, now or at the end of each interval. */
export function stockSql(def: Def<'stock'>, s: Scope, g: Grouping, lv: Level): Sql {
  const preds = predicates(def.source, s)
  if (g.kind === 'series') {
    // At the end of each interval: started by then and not yet closed by then.
    const starts = bucketStarts(s.from, s.to, g.interval, g.tz)
    const scope = { region: s.region, since: s.from - STOCK_LOOKBACK_MS }
    const states =
      def.source === 'events'
        ? eventStates(scope, sql`reported_at < ${sql.ms(s.to)}`)
        : ticketStates(scope, sql`created_at < ${sql.ms(s.to)}`)
    return sql`SELECT toString(toUnixTimestamp64Milli(b)) AS key, countIf(${STOCK_AT[`${def.source}.${def.where}`]}) AS value
               FROM (SELECT *, b, b + toIntervalMillisecond(${sql.int64(stepOf(s, g).stepMs)}) AS e FROM (${states})
                     ARRAY JOIN arrayMap(x -> fromUnixTimestamp64Milli(x, 'UTC'), ${sql.int64s(starts)}) AS b)
               GROUP BY key`
  }
  const key = g.kind === 'by' ? keyOf(def, stateKeys(def.source, lv), g.by) : sql`''`
  return sql`SELECT toString(${key}) AS key, count() AS value FROM (${cohortOf(def.source, s, false)})
             WHERE ${preds[def.where]} GROUP BY key`
}

/**
 * Terminals by their latest status, a silent one as offline (the overview's own rows, so the totals agree), as a
 * count or as the share of all terminals in those statuses; a series counts distinct terminals per reported status
 * and interval (share: of those reporting in the interval).
 */
export function latestSql(def: Def<'latest'>, s: Scope, g: Grouping, lv: Level): Sql {
  const statusFilter = def.statuses.length ? sql`status IN ${sql.strings(def.statuses)}` : sql`1`
  const share = def.measure === 'share'
  if (g.kind === 'series') {
    const value = share
      ? sql`if(uniqMerge(terminals) = 0, 0, uniqMergeIf(terminals, ${statusFilter}) / uniqMerge(terminals))`
      : sql`uniqMerge(terminals)`
    return sql`SELECT toString(${bucketOf(sql`toUnixTimestamp(bucket) * 1000`, stepOf(s, g))}) AS key,
               ${value} AS value FROM ${tables.terminalsRollup}
               WHERE depth = ${sql.uint8(lv.depth)} AND region = ${sql.string(s.region)}
                 AND bucket >= ${sql.ms(s.from)} AND bucket < ${sql.ms(s.to)} ${share ? sql.empty() : sql`AND ${statusFilter}`}
               GROUP BY key`
  }
  const key = g.kind === 'by' ? keyOf(def, stateKeys('terminals', lv), g.by) : sql`''`
  if (share) {
    return sql`SELECT toString(${key}) AS key, if(count() = 0, 0, countIf(${statusFilter}) / count()) AS value
               FROM (${terminalLatest(s)}) GROUP BY key`
  }
  return sql`SELECT toString(${key}) AS key, count() AS value FROM (${terminalLatest(s)}) WHERE ${statusFilter} GROUP BY key`
}

/** Availability or mean time to repair, from each terminal's runs of status. */
export function runsSql(def: Def<'runs'>, s: Scope, g: Grouping, lv: Level): Sql {
  const range: RunsRange = {
    region: s.region,
    from: s.from,
    lookback: s.from - RUNS_LOOKBACK_MS,
    end: Math.min(s.to, instantOf(s)),
  }
  const key = g.kind === 'by' ? keyOf(def, stateKeys('terminals', lv), g.by) : sql`''`
  const series =
    g.kind === 'series' ? { step: stepOf(s, g), starts: bucketStarts(s.from, s.to, g.interval, g.tz) } : undefined
  return def.measure === 'availability'
    ? availabilitySql(range, key, series)
    : mttrSql(range, series ? bucketOf(sql`end_ms`, series.step) : key)
}

/** Check the grouping against the definition and the region: what the request may ask of this metric. */
function levelFor(def: MetricDef, s: Scope, g: Grouping): Level {
  const level = levelOf(s.region)
  if (!level) throw invalidRequest(`parameter region: ${s.region} is not a region code`, { parameter: 'region' })
  const child = childLevel(level)
  if (g.kind === 'by') {
    if (!def.breakdowns.includes(g.by)) {
      const has = def.breakdowns.join(', ') || 'none'
      throw invalidRequest(`parameter by: ${def.id} has no breakdown by ${g.by} (it has ${has})`, { parameter: 'by' })
    }
    if (g.by === 'child' && !child)
      throw invalidRequest('parameter by: a grid has no child regions', { parameter: 'by' })
  }
  if (g.kind === 'series' && !def.series) {
    throw invalidRequest(
      `parameter metric: ${def.id} is a per-step metric with no timeseries; ask /breakdown?by=step`,
      {
        parameter: 'metric',
      },
    )
  }
  return { depth: depthOf(level), childDepth: depthOf(level) + 1, digits: child ? LEVEL_DIGITS[child] : 15 }
}

/** The statement of one metric for a region and range, grouped as asked: rows of (key, value). */
export function metricSql(def: MetricDef, s: Scope, g: Grouping): Sql {
  const lv = levelFor(def, s, g)
  switch (def.compute) {
    case 'flow':
      return flowSql(def, s, g, lv)
    case 'cohort':
      return cohortSql(def, s, g, lv)
    case 'stock':
      return stockSql(def, s, g, lv)
    case 'latest':
      return latestSql(def, s, g, lv)
    case 'runs':
      return runsSql(def, s, g, lv)
  }
}

/** Compute one metric for a region and range, grouped as asked. */
export async function compute(store: Store, def: MetricDef, s: Scope, g: Grouping): Promise<Map<string, number>> {
  const got = await rows<{ key: string; value: string | number }>(store, metricSql(def, s, g))
  return new Map(got.map((r) => [r.key, num(r.value)]))
}

/** The terminals' reports a runs metric reads: since shortly before the range, up to min(to, now). */
interface RunsRange {
  region: string
  from: number
  lookback: number
  end: number
}

// Each terminal's reports since shortly before the range, in time order: (epoch ms, status).
const terminalHistory = (r: RunsRange) => sql`
  SELECT terminal_id, any(grid_code) AS grid_code,
         arraySort(x -> x.1, groupArray((toUnixTimestamp64Milli(ts), toString(status)))) AS h
  FROM ${tables.terminalStatus}
  WHERE startsWith(${tables.terminalStatus}.grid_code, ${sql.string(r.region)})
    AND ts >= ${sql.ms(r.lookback)} AND ts < ${sql.ms(r.end)}
  GROUP BY terminal_id`

/**
 * Availability: each report's status lasts until the terminal's next report (the last one until
 * min(to, now)); the share of that terminal-time within the range spent online.
 */
function availabilitySql(r: RunsRange, key: Sql, series?: { step: Step; starts: number[] }): Sql {
  const [from, end] = [sql.int64(r.from), sql.int64(r.end)]
  const segments = sql`
    SELECT grid_code, seg.1 AS s, seg.2 AS e, seg.3 AS online
    FROM (${terminalHistory(r)})
    ARRAY JOIN arrayMap(i -> (greatest(h[i].1, ${from}), if(i < length(h), least(h[i + 1].1, ${end}), ${end}), h[i].2 = 'online'),
                        arrayEnumerate(h)) AS seg
    WHERE e > s`
  if (!series) {
    return sql`SELECT toString(${key}) AS key, if(sum(e - s) = 0, 0, sumIf(e - s, online) / sum(e - s)) AS value
               FROM (${segments}) GROUP BY key`
  }
  const stepMs = sql.int64(series.step.stepMs)
  return sql`SELECT toString(b) AS key, if(sum(ov) = 0, 0, sumIf(ov, online) / sum(ov)) AS value FROM (
            SELECT online, b, least(e, b + ${stepMs}) - greatest(s, b) AS ov FROM (${segments})
            ARRAY JOIN arrayFilter(x -> x < e AND x + ${stepMs} > s, ${sql.int64s(series.starts)}) AS b)
          GROUP BY key`
}

/**
 * Mean time to repair: a run of offline/fault reports ends at the next report in another status;
 * its length is from the run's first report to that one, counted when it ends inside the range.
 */
function mttrSql(r: RunsRange, key: Sql): Sql {
  const inRange = sql`h[i].1 >= ${sql.int64(r.from)} AND h[i].1 < ${sql.int64(r.end)}`
  return sql`SELECT toString(${key}) AS key, ifNotFinite(avg(dur) / 60000, 0) AS value FROM (
            SELECT grid_code, r.1 AS end_ms, r.2 AS dur FROM (
              SELECT grid_code, arrayMap(x -> x.2 IN ('offline', 'fault'), h) AS down,
                     arrayMap(i -> if(down[i] AND (i = 1 OR NOT down[i - 1]), h[i].1, 0), arrayEnumerate(h)) AS starts,
                     arrayFill(x -> x != 0, starts) AS run_start,
                     arrayMap(i -> (h[i].1, h[i].1 - run_start[i - 1]),
                              arrayFilter(i -> i > 1 AND NOT down[i] AND down[i - 1] AND ${inRange}, arrayEnumerate(h))) AS repairs
              FROM (${terminalHistory(r)})
            ) ARRAY JOIN repairs AS r)
          GROUP BY key`
}
