import type { Breakdown, BreakdownBy, Interval, Overview, Timeseries } from '#core/schemas/api.js'
import type { MetricDef } from '#core/schemas/metrics.js'
import { EVENT_STEPS } from '#core/schemas/records.js'
import type { Store } from '#store/client.js'
import { bucketStarts, compute } from './metrics.js'
import { overview, type Scope } from './overview.js'

/** The period of the same length just before: what compare=previous sets beside the answer. */
export function previousOf(s: Scope): Scope {
  const len = s.to - s.from
  return { ...s, from: s.from - len, to: s.from }
}

export async function overviewWithCompare(store: Store, s: Scope, compare: boolean): Promise<Overview> {
  const now = await overview(store, s)
  if (!compare) return now
  return { ...now, previous: await overview(store, previousOf(s)) }
}

async function points(store: Store, def: MetricDef, s: Scope, interval: Interval, tz: string) {
  const got = await compute(store, def, s, { kind: 'series', interval, tz })
  return bucketStarts(s.from, s.to, interval, tz).map((t) => ({
    t: new Date(t).toISOString(),
    v: got.get(String(t)) ?? 0,
  }))
}

/** Values per interval over [from, to), every interval present (0 where nothing happened). */
export async function metricTimeseries(
  store: Store,
  def: MetricDef,
  s: Scope,
  interval: Interval,
  tz: string,
  compare: boolean,
): Promise<Timeseries> {
  const out: Timeseries = { metric: def.id, interval, points: await points(store, def, s, interval, tz) }
  if (compare) {
    const prev = await points(store, def, previousOf(s), interval, tz)
    // Aligned to the points by position; a range not aligned to the interval can give one bucket more or less.
    out.previous = out.points.map(
      (p, i) => prev[i] ?? { t: new Date(Date.parse(p.t) - (s.to - s.from)).toISOString(), v: 0 },
    )
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
  const got = await compute(store, def, s, { kind: 'by', by })
  let keys: string[]
  if (by === 'step') {
    // The funnel in the loop's order, every step present; time per step has none for 'reported'.
    keys = EVENT_STEPS.filter((k) => def.kind !== 'cohort' || def.measure !== 'step_minutes' || k !== 'reported')
  } else {
    keys = [...got.keys()].sort((a, b) => got.get(b)! - got.get(a)! || (a < b ? -1 : a > b ? 1 : 0))
  }
  const prev = compare ? await compute(store, def, previousOf(s), { kind: 'by', by }) : undefined
  return {
    metric: def.id,
    by,
    rows: keys.map((key) => {
      const row: Breakdown['rows'][number] = { key, name: nameOf(key), value: got.get(key) ?? 0 }
      if (prev) row.previous = prev.get(key) ?? 0
      return row
    }),
  }
}

/** One metric's value over the range (the total the catalogue defines). */
export async function metricValue(store: Store, def: MetricDef, s: Scope): Promise<number> {
  return (await compute(store, def, s, { kind: 'total' })).get('') ?? 0
}
