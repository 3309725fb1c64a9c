import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Breakdown, Overview, Timeseries } from '#core/schemas/api.js'
import type { MetricInfo } from '#core/schemas/metrics.js'
import { loadMetricCatalog } from '#api/metric-catalog.js'
import { overview, overviewByRegion } from '#api/queries/overview.js'
import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

/**
 * Every metric of the catalogue at four levels, against values computed here, independently, from
 * the records this test sends (a seeded random set over two days), including compare=previous.
 */

const L = (s: string) => Date.parse(`${s}+08:00`)
const D0 = L('2026-11-19T00:00:00') // the day before: the previous period
const F = L('2026-11-20T00:00:00')
const T = L('2026-11-21T00:00:00')
const NOW = L('2026-11-21T02:00:00')
const MIN = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

const [gA1, gA2] = gridsIn('320102002', 2) // one street of 玄武区
const [gC] = gridsIn('320102005') // another street of 玄武区
const [gB] = gridsIn('320104') // 秦淮区
const GRIDS = [gA1, gA2, gC, gB]
const REGIONS = ['3201', '320102', gA1.slice(0, 9), gA1]

// A small seeded generator (mulberry32): the same records on every run.
let seed = 20261120
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]

const EVENT_STEPS = ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'] as const
const CATS = [
  ['appearance.garbage', 'chengguan'],
  ['order.parking', 'jiaotong'],
  ['safety.gas', 'yingji'],
] as const

interface Ev {
  id: string
  grid: string
  category: string
  department: string
  deadline: number
  steps: Map<string, number>
  evaluation?: string
}
interface Tk {
  id: string
  grid: string
  category: string
  channel: string
  department: string
  steps: Array<[string, number]>
  satisfaction?: string
}
interface Tm {
  id: string
  grid: string
  reports: Array<{ ts: number; status: string; fault_code: string; transactions: number }>
}

const events: Ev[] = []
for (let i = 0; i < 90; i++) {
  const [category, department] = pick(CATS)
  const rep = D0 + Math.floor(rnd() * 2 * DAY)
  const steps = new Map<string, number>([['reported', rep]])
  const e: Ev = { id: `ME${i}`, grid: pick(GRIDS), category, department, deadline: rep + 6 * HOUR, steps }
  const r = rnd()
  let t = rep
  const gap = () => (t += (5 + Math.floor(rnd() * 240)) * MIN)
  if (r < 0.12) {
    steps.set('verified', gap())
    steps.set('evaluated', gap())
    e.evaluation = 'rejected'
  } else {
    const last = r < 0.4 ? 1 + Math.floor(rnd() * 5) : 5
    for (let k = 1; k <= last; k++) steps.set(EVENT_STEPS[k], gap())
    if (last === 5) e.evaluation = pick(['satisfied', 'basically', 'unsatisfied'])
  }
  for (const [s, ts] of [...steps]) if (ts >= NOW) steps.delete(s) // not happened yet
  if (!steps.has('evaluated')) delete e.evaluation
  events.push(e)
}

const tickets: Tk[] = []
for (let i = 0; i < 60; i++) {
  const created = D0 + Math.floor(rnd() * 2 * DAY)
  const k: Tk = {
    id: `MT${i}`,
    grid: pick(GRIDS),
    category: pick(['environment', 'traffic']),
    channel: pick(['phone', 'app', 'wechat']),
    department: pick(['chengguan', 'jiaotong']),
    steps: [['created', created]],
  }
  let t = created
  const gap = () => (t += (3 + Math.floor(rnd() * 300)) * MIN)
  const r = rnd()
  const path =
    r < 0.2
      ? ['dispatched']
      : r < 0.4
        ? ['dispatched', 'accepted', 'replied']
        : r < 0.55
          ? ['dispatched', 'replied', 'closed', 'reopened', 'replied', 'closed']
          : ['dispatched', 'accepted', 'replied', 'closed', 'rated']
  for (const s of path) k.steps.push([s, gap()])
  k.steps = k.steps.filter(([, ts]) => ts < NOW)
  if (k.steps.some(([s]) => s === 'rated')) k.satisfaction = pick(['satisfied', 'basically', 'unsatisfied'])
  tickets.push(k)
}

const terminals: Tm[] = GRIDS.flatMap((grid, gi) =>
  [0, 1].map((j) => {
    const reports: Tm['reports'] = []
    let status = 'online'
    let fault = ''
    for (let ts = D0 + (gi * 2 + j) * 60_000; ts < NOW - HOUR; ts += 30 * MIN) {
      const r = rnd()
      if (status === 'online' && r < 0.06)
        [status, fault] = r < 0.03 ? ['fault', pick(['printer', 'network'])] : ['offline', '']
      else if (status !== 'online' && r < 0.3) [status, fault] = r < 0.05 ? ['maintenance', ''] : ['online', '']
      else if (status === 'maintenance') status = 'online'
      reports.push({ ts, status, fault_code: fault, transactions: status === 'online' ? Math.floor(rnd() * 5) : 0 })
    }
    // Half the terminals still report (a heartbeat five minutes before now); the others have fallen silent.
    if (j === 0) reports.push({ ...reports.at(-1)!, ts: NOW - 5 * MIN, transactions: 0 })
    return { id: `MK${gi}${j}`, grid, reports }
  }),
)

// ── the oracle: each metric computed from the records above ──────────────────────────────────────
type Key = string
const inR = (grid: string, region: string) => grid.startsWith(region)
const childKey = (grid: string, region: string) => grid.slice(0, { 4: 6, 6: 9, 9: 12, 12: 15 }[region.length] ?? 15)
const evStatus = (e: Ev) => EVENT_STEPS[Math.max(...[...e.steps.keys()].map((s) => EVENT_STEPS.indexOf(s as never)))]
const tkLatest = (k: Tk) => [...k.steps].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).at(-1)![0]
const tkFirst = (k: Tk, s: string) => Math.min(...k.steps.filter(([x]) => x === s).map(([, ts]) => ts))
const tkLast = (k: Tk, s: string) => Math.max(...k.steps.filter(([x]) => x === s).map(([, ts]) => ts))
const has = (k: Tk, s: string) => k.steps.some(([x]) => x === s)
const evKeys = (e: Ev, region: string): Record<string, Key> => ({
  child: childKey(e.grid, region),
  category: e.category.split('.')[0],
  department: e.department,
  status: evStatus(e),
})
const tkKeys = (k: Tk, region: string): Record<string, Key> => ({
  child: childKey(k.grid, region),
  category: k.category,
  department: k.department,
  channel: k.channel,
  status: tkLatest(k),
})
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
const p90 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(0.9 * xs.length)] : 0)

/** Group items by key and reduce each group; '' is the total. */
function group<I>(items: I[], key: (i: I) => Key, value: (is: I[]) => number): Map<Key, number> {
  const m = new Map<Key, I[]>()
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i])
  return new Map([...m].map(([k, is]) => [k, value(is)]))
}

/** The instant the oracle judges states at (overdue; compare=previous's stocks); oracle() sets it. */
let AT = NOW
const evClosed = (e: Ev) => e.steps.has('evaluated')
const EV_PRED: Record<string, (e: Ev) => boolean> = {
  all: () => true,
  open: (e) => !evClosed(e),
  closed: evClosed,
  overdue: (e) => !evClosed(e) && e.deadline < AT,
  rework: (e) => e.evaluation === 'rejected' || e.evaluation === 'unsatisfied',
}
const tkClosed = (k: Tk) => ['closed', 'rated'].includes(tkLatest(k))
function isRepeat(k: Tk): boolean {
  const c = tkFirst(k, 'created')
  return tickets.some(
    (o) =>
      o !== k &&
      o.grid === k.grid &&
      o.category === k.category &&
      tkFirst(o, 'created') < c &&
      c - tkFirst(o, 'created') <= 30 * DAY,
  )
}
const TK_PRED: Record<string, (k: Tk) => boolean> = {
  all: () => true,
  open: (k) => !tkClosed(k),
  closed: tkClosed,
  rated: (k) => k.satisfaction !== undefined,
  satisfied: (k) => k.satisfaction === 'satisfied' || k.satisfaction === 'basically',
  replied: (k) => has(k, 'replied'),
  reopened: (k) => has(k, 'reopened'),
  repeat: isRepeat,
}

/** The terminal-time segments within [from, end): each report's status until the next report. */
function segments(region: string, from: number, to: number) {
  const end = Math.min(to, NOW)
  return terminals
    .filter((t) => inR(t.grid, region))
    .flatMap((t) => {
      const rs = t.reports.filter((r) => r.ts >= from - 2 * DAY && r.ts < end)
      return rs.map((r, i) => ({
        grid: t.grid,
        s: Math.max(r.ts, from),
        e: i + 1 < rs.length ? Math.min(rs[i + 1].ts, end) : end,
        online: r.status === 'online',
      }))
    })
    .filter((x) => x.e > x.s)
}
function repairs(region: string, from: number, to: number) {
  const end = Math.min(to, NOW)
  return terminals
    .filter((t) => inR(t.grid, region))
    .flatMap((t) => {
      const rs = t.reports.filter((r) => r.ts >= from - 2 * DAY && r.ts < end)
      const out: Array<{ grid: string; end: number; dur: number }> = []
      let start = 0
      rs.forEach((r, i) => {
        const down = r.status === 'offline' || r.status === 'fault'
        const prevDown = i > 0 && ['offline', 'fault'].includes(rs[i - 1].status)
        if (down && !prevDown) start = r.ts
        if (!down && prevDown && r.ts >= from && r.ts < end) out.push({ grid: t.grid, end: r.ts, dur: r.ts - start })
      })
      return out
    })
}

const catalog = loadMetricCatalog()

/** The events as they stood at an instant: only steps at or before it, only events reported by then. */
const eventsAt = (at: number): Ev[] =>
  events.flatMap((e) => {
    const steps = new Map([...e.steps].filter(([, ts]) => ts <= at))
    if (!steps.has('reported')) return []
    return [{ ...e, steps, evaluation: steps.has('evaluated') ? e.evaluation : undefined }]
  })
const ticketsAt = (at: number): Tk[] =>
  tickets.flatMap((k) => {
    const steps = k.steps.filter(([, ts]) => ts <= at)
    if (!steps.some(([x]) => x === 'created')) return []
    return [{ ...k, steps, satisfaction: steps.some(([x]) => x === 'rated') ? k.satisfaction : undefined }]
  })

/**
 * The expected value of `metric` for [from, to) grouped by `by` ('' → the total under key ''), with the cohorts'
 * states as they stood at `at` (default: now).
 */
function oracle(id: string, region: string, from: number, to: number, by: string | '', at = NOW): Map<Key, number> {
  AT = at
  try {
    return oracleAt(id, region, from, to, by, eventsAt(at), ticketsAt(at))
  } finally {
    AT = NOW
  }
}

function oracleAt(
  id: string,
  region: string,
  from: number,
  to: number,
  by: string | '',
  evs: Ev[],
  tks: Tk[],
): Map<Key, number> {
  const def = catalog.get(id)!
  const keyOf =
    <I>(f: (i: I, r: string) => Record<string, Key>) =>
    (i: I) =>
      by ? f(i, region)[by] : ''
  const cohortEv = evs.filter(
    (e) => inR(e.grid, region) && e.steps.get('reported')! >= from && e.steps.get('reported')! < to,
  )
  const cohortTk = tks.filter((k) => inR(k.grid, region) && tkFirst(k, 'created') >= from && tkFirst(k, 'created') < to)
  switch (def.compute) {
    case 'flow': {
      if (def.source === 'terminals') {
        const rs = terminals
          .filter((t) => inR(t.grid, region))
          .flatMap((t) => t.reports.filter((r) => r.ts >= from && r.ts < to).map((r) => ({ ...r, grid: t.grid })))
        return group(
          rs,
          (r) => (by ? childKey(r.grid, region) : ''),
          (is) => is.reduce((a, r) => a + r.transactions, 0),
        )
      }
      if (by === 'status') {
        return def.source === 'events'
          ? group(cohortEv.filter(EV_PRED[def.status_cohort!]), keyOf(evKeys), (is) => is.length)
          : group(cohortTk.filter(TK_PRED[def.status_cohort!]), keyOf(tkKeys), (is) => is.length)
      }
      const step = def.steps![0]
      if (def.source === 'events') {
        const hits = events.filter(
          (e) => inR(e.grid, region) && e.steps.has(step) && e.steps.get(step)! >= from && e.steps.get(step)! < to,
        )
        return group(hits, keyOf(evKeys), (is) => is.length)
      }
      const hits = tickets.flatMap((k) =>
        inR(k.grid, region) ? k.steps.filter(([s, ts]) => s === step && ts >= from && ts < to).map(() => k) : [],
      )
      return group(hits, keyOf(tkKeys), (is) => is.length)
    }
    case 'cohort':
    case 'stock': {
      if (def.source === 'events') {
        const rows = cohortEv.filter(EV_PRED[def.where])
        if (def.compute === 'stock') return group(rows, keyOf(evKeys), (is) => is.length)
        const d = (e: Ev, a: string, b: string) => (e.steps.get(b)! - e.steps.get(a)!) / MIN
        if (by === 'step') {
          const steps = def.measure === 'step_minutes' ? EVENT_STEPS.slice(1) : EVENT_STEPS
          return new Map(
            steps.map((s) => {
              const prev = EVENT_STEPS[EVENT_STEPS.indexOf(s) - 1]
              const v =
                def.measure === 'step_reached'
                  ? rows.filter((e) => e.steps.has(s)).length
                  : mean(rows.filter((e) => e.steps.has(s) && e.steps.has(prev)).map((e) => d(e, prev, s)))
              return [s, v]
            }),
          )
        }
        return group(rows, keyOf(evKeys), (is) => {
          const closedDur = is.filter(evClosed).map((e) => d(e, 'reported', 'evaluated'))
          switch (def.measure) {
            case 'count':
              return is.length
            case 'rate':
              return is.filter(EV_PRED[def.numerator!]).length / is.length
            case 'avg_minutes':
            case 'step_minutes':
              return mean(closedDur)
            case 'p90_minutes':
              return p90(closedDur)
            case 'step_reached':
              return is.filter(evClosed).length
          }
        })
      }
      const rows = cohortTk.filter(TK_PRED[def.where])
      return group(rows, keyOf(tkKeys), (is) => {
        if (def.compute === 'stock' || def.measure === 'count') return is.length
        if (def.measure === 'rate') return is.filter(TK_PRED[def.numerator!]).length / is.length
        const at = (k: Tk, t: string) =>
          t === 'created_at' ? tkFirst(k, 'created') : t === 'replied_at' ? tkFirst(k, 'replied') : tkLast(k, 'closed')
        const ds = is.map((k) => (at(k, def.duration!.to) - at(k, def.duration!.from)) / MIN)
        return def.measure === 'avg_minutes' ? mean(ds) : p90(ds)
      })
    }
    case 'latest': {
      // Each terminal by its last report up to the instant; silent longer than the threshold: offline.
      const latest = terminals
        .filter((t) => inR(t.grid, region))
        .flatMap((t) => {
          const last = t.reports.filter((r) => r.ts <= AT).at(-1)
          if (!last) return []
          const silent = AT - last.ts > DEFAULT_TERMINAL_SILENCE_MINUTES * MIN
          return [{ grid: t.grid, ...last, status: silent ? 'offline' : last.status }]
        })
      const counted = (r: { status: string }) => def.statuses.length === 0 || def.statuses.includes(r.status as never)
      const rows = def.measure === 'share' ? latest : latest.filter(counted)
      return group(
        rows,
        (r) =>
          by === 'child'
            ? childKey(r.grid, region)
            : by === 'status'
              ? r.status
              : by === 'category'
                ? r.fault_code
                : '',
        (is) => (def.measure === 'share' ? is.filter(counted).length / is.length : is.length),
      )
    }
    case 'runs': {
      if (def.measure === 'availability') {
        return group(
          segments(region, from, to),
          (x) => (by ? childKey(x.grid, region) : ''),
          (is) => is.filter((x) => x.online).reduce((a, x) => a + x.e - x.s, 0) / is.reduce((a, x) => a + x.e - x.s, 0),
        )
      }
      return group(
        repairs(region, from, to),
        (x) => (by ? childKey(x.grid, region) : ''),
        (is) => mean(is.map((x) => x.dur / MIN)),
      )
    }
  }
}

/** A stock at the end of [from, to): started by then, not closed by then. */
function stockAt(id: string, region: string, e: number): number {
  if (id === 'tickets.open') {
    return tickets.filter(
      (k) => inR(k.grid, region) && tkFirst(k, 'created') < e && (!has(k, 'closed') || tkLast(k, 'closed') >= e),
    ).length
  }
  return events.filter((x) => {
    const rep = x.steps.get('reported')!
    const ev = x.steps.get('evaluated')
    return (
      inR(x.grid, region) && rep < e && (ev === undefined || ev >= e) && (id !== 'events.overdue' || x.deadline < e)
    )
  }).length
}

/** What the 1-day timeseries over [from, to) should hold. */
function dayValue(id: string, region: string, from: number, to: number): number {
  const def = catalog.get(id)!
  if (def.compute === 'stock') return stockAt(id, region, to)
  if (def.compute === 'latest') {
    const reporting = (statuses: readonly string[]) =>
      new Set(
        terminals
          .filter(
            (t) =>
              inR(t.grid, region) &&
              t.reports.some(
                (r) => r.ts >= from && r.ts < to && (statuses.length === 0 || statuses.includes(r.status)),
              ),
          )
          .map((t) => t.id),
      ).size
    if (def.measure === 'share') return reporting([]) ? reporting(def.statuses) / reporting([]) : 0
  }
  if (def.compute === 'latest')
    return new Set(
      terminals
        .filter(
          (t) =>
            inR(t.grid, region) &&
            t.reports.some(
              (r) =>
                r.ts >= from && r.ts < to && (def.statuses.length === 0 || def.statuses.includes(r.status as never)),
            ),
        )
        .map((t) => t.id),
    ).size
  return oracle(id, region, from, to, '').get('') ?? 0
}

const near = (got: number | null | undefined, want: number, id: string) => {
  expect(got, id).not.toBeNull()
  expect(got, id).toBeCloseTo(want, 6)
}
const range = (from: number, to: number) => `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`

let h: Harness
beforeAll(async () => {
  h = await startHarness({ now: () => NOW })
  const evRecords = events.flatMap((e) =>
    [...e.steps].map(([step, ts]) => ({
      event_id: e.id,
      step,
      ts,
      category: e.category,
      grid_code: e.grid,
      department: e.department,
      deadline: e.deadline,
      ...(step === 'evaluated' && e.evaluation ? { evaluation: e.evaluation } : {}),
    })),
  )
  const tkRecords = tickets.flatMap((k) =>
    k.steps.map(([step, ts]) => ({
      ticket_id: k.id,
      step,
      ts,
      category: k.category,
      channel: k.channel,
      department: k.department,
      grid_code: k.grid,
      ...(step === 'rated' ? { satisfaction: k.satisfaction } : {}),
    })),
  )
  const tmRecords = terminals.flatMap((t) =>
    t.reports.map((r) => ({
      terminal_id: t.id,
      grid_code: t.grid,
      ts: r.ts,
      status: r.status,
      transactions: r.transactions,
      ...(r.fault_code ? { fault_code: r.fault_code } : {}),
    })),
  )
  for (const [stream, recs] of [
    ['grid-events', evRecords],
    ['hotline-tickets', tkRecords],
    ['terminal-status', tmRecords],
  ] as const) {
    const res = await h.send(stream, recs)
    expect(res.body, stream).toMatchObject({ accepted: recs.length, rejected: 0 })
  }
})
afterAll(async () => h?.close())

describe('the metric catalogue', () => {
  it('lists every metric the screens build on, with titles, units and breakdowns', async () => {
    const { status, body } = await h.get<{ metrics: MetricInfo[] }>('/api/v1/metrics', 'analyst')
    expect(status).toBe(200)
    const ids = body.metrics.map((m) => m.id)
    for (const id of [
      'events.reported',
      'events.open',
      'events.closed',
      'events.overdue',
      'events.closure_rate',
      'events.avg_handle_minutes',
      'events.p90_handle_minutes',
      'events.rework',
      'events.step_reached',
      'events.step_minutes',
      'tickets.created',
      'tickets.open',
      'tickets.closed',
      'tickets.avg_response_minutes',
      'tickets.avg_close_minutes',
      'tickets.satisfaction_rate',
      'tickets.repeat_complaints',
      'terminals.total',
      'terminals.online',
      'terminals.offline',
      'terminals.fault',
      'terminals.availability',
      'terminals.mttr_minutes',
      'terminals.transactions',
    ])
      expect(ids).toContain(id)
    const reported = body.metrics.find((m) => m.id === 'events.reported')!
    expect(reported).toMatchObject({ title: { zh: '上报事件', en: 'Events reported' }, unit: 'count', kind: 'flow' })
    expect(body.metrics.find((m) => m.id === 'tickets.created')!.breakdowns).toContain('channel')
    for (const id of ['events.closed_of_reported', 'tickets.closed_of_created', 'terminals.online_rate'])
      expect(ids).toContain(id)
    // What a leader compares, how it is computed, and its definition in both languages (English also as before).
    expect(body.metrics.find((m) => m.id === 'events.open')).toMatchObject({ kind: 'stock', compute: 'stock' })
    expect(body.metrics.find((m) => m.id === 'events.closure_rate')).toMatchObject({ kind: 'flow', compute: 'cohort' })
    expect(body.metrics.find((m) => m.id === 'terminals.online')).toMatchObject({ kind: 'stock', compute: 'latest' })
    for (const m of body.metrics) {
      expect(m.definition.zh, m.id).toBeTruthy()
      expect(m.description, m.id).toBe(m.definition.en)
    }
  })
})

const seriesIds = catalog.defs.filter((d) => d.series).map((d) => d.id)

describe.each(REGIONS)('every metric for region %s', (region) => {
  it('as a one-day series with the previous day beside it', async () => {
    for (const id of seriesIds) {
      const { status, body } = await h.get<Timeseries>(
        `/api/v1/timeseries?metric=${id}&interval=1d&region=${region}&${range(F, T)}&compare=previous`,
      )
      expect(status, id).toBe(200)
      expect(body.points).toHaveLength(1)
      near(body.points[0].v, dayValue(id, region, F, T), `${id} ${region}`)
      expect(body.previous![0].t).toBe(new Date(D0).toISOString())
      near(body.previous![0].v, dayValue(id, region, D0, F), `${id} ${region} previous`)
    }
  })

  it('broken down by every breakdown it allows', async () => {
    const level = region.length
    for (const def of catalog.defs) {
      for (const by of def.breakdowns) {
        if (by === 'child' && level === 15) continue
        const { status, body } = await h.get<Breakdown>(
          `/api/v1/breakdown?metric=${def.id}&by=${by}&region=${region}&${range(F, T)}&compare=previous`,
        )
        expect(status, `${def.id} by ${by}`).toBe(200)
        const want = oracle(def.id, region, F, T, by)
        // The previous period's states as they stood at the same instant of it (now − 1 day).
        const prev = oracle(def.id, region, D0, F, by, NOW - DAY)
        expect(new Set(body.rows.map((r) => r.key)), `${def.id} by ${by} at ${region}`).toEqual(
          new Set(by === 'step' ? want.keys() : [...want.keys()]),
        )
        for (const r of body.rows) {
          near(r.value, want.get(r.key) ?? 0, `${def.id} by ${by} ${r.key}`)
          // Terminals too: each as it stood then, silence judged then.
          near(r.previous!, prev.get(r.key) ?? 0, `${def.id} by ${by} ${r.key} previous`)
        }
      }
    }
  })
})

describe('series at finer intervals', () => {
  it.each([
    'events.reported',
    'events.closure_rate',
    'events.open',
    'tickets.open',
    'tickets.avg_response_minutes',
    'terminals.availability',
    'terminals.mttr_minutes',
    'terminals.transactions',
  ])('%s per hour in 玄武区', async (id) => {
    const { body } = await h.get<Timeseries>(`/api/v1/timeseries?metric=${id}&interval=1h&region=320102&${range(F, T)}`)
    expect(body.points).toHaveLength(24)
    for (const p of body.points) {
      const t0 = Date.parse(p.t)
      near(p.v, dayValue(id, '320102', t0, t0 + HOUR), `${id} at ${p.t}`)
    }
  })

  it('refuses a series of a per-step metric, naming the breakdown to use', async () => {
    const r = await h.get<{ error: { message: string } }>(
      `/api/v1/timeseries?metric=events.step_reached&region=3201&${range(F, T)}`,
    )
    expect(r.status).toBe(400)
    expect(r.body.error.message).toContain('by=step')
  })

  it('refuses an unknown metric and a breakdown the metric does not have', async () => {
    expect((await h.get(`/api/v1/timeseries?metric=events.nope&region=3201`)).status).toBe(400)
    const r = await h.get<{ error: { message: string } }>(
      `/api/v1/breakdown?metric=terminals.availability&by=channel&region=3201`,
    )
    expect(r.status).toBe(400)
    expect(r.body.error.message).toContain('channel')
  })
})

describe('overview with compare=previous', () => {
  it('adds the previous period with the same shape', async () => {
    const { body } = await h.get<Overview>(`/api/v1/overview?region=320102&${range(F, T)}&compare=previous`)
    expect(body.events.reported).toBe(dayValue('events.reported', '320102', F, T))
    expect(body.previous!.from).toBe(new Date(D0).toISOString())
    expect(body.previous!.events.reported).toBe(
      events.filter((e) => inR(e.grid, '320102') && e.steps.get('reported')! >= D0 && e.steps.get('reported')! < F)
        .length,
    )
    near(
      body.previous!.events.closure_rate,
      oracle('events.closure_rate', '320102', D0, F, '', NOW - DAY).get('') ?? 0,
      'closure_rate previous',
    )
    expect(body.previous!.tickets.created).toBe(oracle('tickets.created', '320102', D0, F, '').get('') ?? 0)
  })
})

describe('KPI snapshots of many regions at once (the live socket)', () => {
  it('equal the overview of each region', async () => {
    const regions = ['320102', '320104', gA1.slice(0, 9), gC.slice(0, 9), gA1, gB]
    const s = { from: F, to: T, now: NOW, silenceMs: DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000 }
    const many = await overviewByRegion(h.store, regions, s)
    for (const region of regions) expect(many.get(region), region).toEqual(await overview(h.store, { region, ...s }))
  })
})
