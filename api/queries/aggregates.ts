import type { Breakdown, BreakdownBy, Interval, Overview, Point, Timeseries } from '#core/schemas/api.js'
import type { MetricDef } from '#core/schemas/metrics.js'
import { EVENT_STEPS } from '#core/schemas/records.js'
import { INTERVAL_MS } from '#core/time.js'
import type { Store } from '#store/client.js'
import { invalidRequest } from '#store/errors.js'
import { bucketStarts, compute } from './metrics.js'
import { overview } from './overview.js'
import { instantOf, type Scope } from './scope.js'

/** The most buckets a series may have: more than a screen's width of points draws nothing a leader can read. */
export const MAX_BUCKETS = 2_000

/**
 * compare=previous's scope, like with like (docs/metrics.md): with len = to − from and T = min(to, instant), the
 * previous period's flows are counted over [from − len, T − len), the same elapsed part, and its stocks judged at
 * instant − len, over that period's cohort. A range that has not begun has no elapsed part to compare: 400.
 */
export function previousOf(s: Scope): Scope {
  const len = s.to - s.from
  const instant = instantOf(s)
  if (s.from > instant) {
    throw invalidRequest(
      `parameter compare: the range starts after ${s.at === undefined ? 'now' : 'at'}; nothing of it has elapsed to compare`,
      { parameter: 'compare' },
    )
  }
  return { ...s, from: s.from - len, to: Math.min(s.to, instant) - len, now: s.now - len, at: instant - len }
}

/** The overview, with compare=previous its like-with-like previous (`at`: the instant its stocks are judged). */
export async function overviewWithCompare(store: Store, s: Scope, compare: boolean): Promise<Overview> {
  const prevScope = compare ? previousOf(s) : undefined
  const now = await overview(store, s)
  const out: Overview = { ...now, computed_at: new Date(s.now).toISOString() }
  if (prevScope) out.previous = { ...(await overview(store, prevScope)), at: new Date(prevScope.at!).toISOString() }
  return out
}

/** The bucket starts of a series over the scope's range; 400 naming `interval` past MAX_BUCKETS. */
function bucketsOf(s: Scope, interval: Interval, tz: string): number[] {
  const n = Math.ceil((s.to - s.from) / INTERVAL_MS[interval])
  if (n > MAX_BUCKETS) {
    throw invalidRequest(
      `parameter interval: ${interval} over this range is ${n} buckets, more than the ${MAX_BUCKETS} a series may have; choose a longer interval or a shorter range`,
      { parameter: 'interval' },
    )
  }
  return bucketStarts(s.from, s.to, interval, tz)
}

/**
 * Every bucket of the range: a bucket that starts after the range's end or after the instant (now, or `at`) has
 * no value yet (null, not 0); the bucket holding the instant is partial.
 */
async function points(store: Store, def: MetricDef, s: Scope, interval: Interval, tz: string, instant: number) {
  const starts = bucketsOf(s, interval, tz)
  const got = await compute(store, def, s, { kind: 'series', interval, tz })
  return starts.map((t, i): Point => {
    const at = new Date(t).toISOString()
    if (t >= s.to || t > instant) return { t: at, v: null }
    const p: Point = { t: at, v: got.get(String(t)) ?? 0 }
    // The next bucket's start ends this one (a local day across a clock change is 23 or 25 hours).
    if (instant < (starts[i + 1] ?? t + INTERVAL_MS[interval])) p.partial = true
    return p
  })
}

/** Values per interval over [from, to), every interval present (0 where nothing happened, null where not yet). */
export async function metricTimeseries(
  store: Store,
  def: MetricDef,
  s: Scope,
  interval: Interval,
  tz: string,
  compare: boolean,
): Promise<Timeseries> {
  const instant = instantOf(s)
  if (compare) previousOf(s) // the same refusal as the overview's
  const out: Timeseries = {
    metric: def.id,
    interval,
    points: await points(store, def, s, interval, tz, instant),
    computed_at: new Date(s.now).toISOString(),
  }
  if (compare) {
    // The whole previous period, bucket by bucket: its buckets are past, so each keeps its value.
    const len = s.to - s.from
    const prev = await points(store, def, { ...s, from: s.from - len, to: s.to - len }, interval, tz, instant)
    // Aligned to the points by position; a range not aligned to the interval can give one bucket more or less.
    out.previous = out.points.map((p, i) => prev[i] ?? { t: new Date(Date.parse(p.t) - len).toISOString(), v: null })
  }
  return out
}

/** Values by child region, category, status, department, channel or loop step. */
export async function metricBreakdown(
  store: Store,
  def: MetricDef,
  s: Scope,
  by: BreakdownBy,
  nameOf: (key: string) => string,
  compare: boolean,
): Promise<Breakdown> {
  const prevScope = compare ? previousOf(s) : undefined
  const got = await compute(store, def, s, { kind: 'by', by })
  let keys: string[]
  if (by === 'step') {
    // The funnel in the loop's order, every step present; time per step has none for 'reported'.
    keys = EVENT_STEPS.filter((k) => def.compute !== 'cohort' || def.measure !== 'step_minutes' || k !== 'reported')
  } else {
    keys = [...got.keys()].sort((a, b) => got.get(b)! - got.get(a)! || (a < b ? -1 : a > b ? 1 : 0))
  }
  const prev = prevScope ? await compute(store, def, prevScope, { kind: 'by', by }) : undefined
  return {
    metric: def.id,
    by,
    rows: keys.map((key) => {
      const row: Breakdown['rows'][number] = { key, name: nameOf(key), value: got.get(key) ?? 0 }
      if (prev) row.previous = prev.get(key) ?? 0
      return row
    }),
    computed_at: new Date(s.now).toISOString(),
  }
}

/** One metric's value over the range (the total the catalogue defines). */
export async function metricValue(store: Store, def: MetricDef, s: Scope): Promise<number> {
  return (await compute(store, def, s, { kind: 'total' })).get('') ?? 0
}
