import type { Alert, AlertRule } from '#core/schemas/alert.js'
import { log } from '#platform/log.js'
import type { AppContext } from '../context.js'
import type { QueryResult, Sandbox } from '../layers/sandbox.js'
import { thematicFor, type Thematic } from '../layers/service.js'
import { nextVersion, openAlerts, writeAlert } from './store.js'

/** One row of a rule's query: the thing watched and its value now. */
export interface Observation {
  key: string
  region: string
  value: number
  label: string | null
  lon: number | null
  lat: number | null
  since: number | null
  deadline: number | null
}

/** The condition's verdict on one observation: fire (when not firing) and hold (when firing: hysteresis). */
export interface Verdict {
  obs: Observation
  fire: boolean
  hold: boolean
  detail: string
  /** The detail in English, for the alert's `message_en`. */
  detail_en: string
}

const WEEK = 7 * 86_400_000

function column(result: QueryResult, name: string): number {
  return result.meta.findIndex((m) => m.name === name)
}

const timeMs = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null
  const s = String(v)
  return /^\d{4}-/.test(s) ? Date.parse(`${s.replace(' ', 'T')}Z`) : Number(s) * 1000
}

/** Rows of a rule's query as observations; `key`, `region` and `value` are required columns. */
export function observations(rule: AlertRule, result: QueryResult): Observation[] {
  const idx = Object.fromEntries(
    ['key', 'region', 'value', 'label', 'lon', 'lat', 'since', 'deadline'].map((n) => [n, column(result, n)]),
  )
  for (const need of ['key', 'region', 'value']) {
    if (idx[need] < 0) throw new Error(`rule ${rule.id}: the query must return a column named ${need}`)
  }
  if (rule.condition.kind === 'duration' && idx.since < 0)
    throw new Error(`rule ${rule.id}: a duration condition needs a column named since`)
  if (rule.condition.kind === 'sla' && idx.deadline < 0)
    throw new Error(`rule ${rule.id}: an sla condition needs a column named deadline`)
  const get = (row: unknown[], n: string) => (idx[n] >= 0 ? row[idx[n]] : null)
  return result.data.map((row) => ({
    key: String(get(row, 'key')),
    region: String(get(row, 'region')),
    value: Number(get(row, 'value')),
    label: get(row, 'label') === null ? null : String(get(row, 'label')),
    lon: get(row, 'lon') === null ? null : Number(get(row, 'lon')),
    lat: get(row, 'lat') === null ? null : Number(get(row, 'lat')),
    since: timeMs(get(row, 'since')),
    deadline: timeMs(get(row, 'deadline')),
  }))
}

const cmp = (a: number, op: '>' | '>=' | '<' | '<=', b: number) =>
  op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Robust z-score of x against a baseline: (x − median) / spread, the spread being 1.4826 · MAD but
 * at least √median (counts are Poisson-like: a quiet street's MAD of 0 must not make 3 events a storm)
 * and at least 1.
 */
export function robustZ(x: number, baseline: number[]): { z: number; median: number } {
  const med = median(baseline)
  const mad = median(baseline.map((b) => Math.abs(b - med)))
  return { z: (x - med) / Math.max(1, 1.4826 * mad, Math.sqrt(Math.max(0, med))), median: med }
}

/** Whether `now` falls in one of the rule's quiet periods, in the city's time zone. */
export function inQuiet(rule: Pick<AlertRule, 'quiet'>, now: number, tz: string): boolean {
  if (!rule.quiet.length) return false
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(now))
      .map((p) => [p.type, p.value]),
  )
  const minutes = Number(parts.hour) * 60 + Number(parts.minute)
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 1
  return rule.quiet.some((q) => {
    if (q.days && !q.days.includes(weekday)) return false
    const [f, t] = [q.from, q.to].map((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)))
    return f <= t ? minutes >= f && minutes < t : minutes >= f || minutes < t
  })
}

/** Runs the rules of dashboards/alerts/ on their schedule; stores changes and pushes them. */
/** One moment a dry run would have fired or cleared an alert, explained in both languages. */
interface DryRunEvent {
  at: string
  kind: 'fire' | 'resolve'
  key: string
  region: string
  value: number
  detail: string
  detail_en: string
}

export class AlertEvaluator {
  private readonly lastRun = new Map<string, number>()
  private timer?: NodeJS.Timeout
  private running: Promise<void> = Promise.resolve()
  private readonly thematic: Thematic
  private readonly sandbox: Sandbox

  constructor(
    private readonly ctx: AppContext,
    private readonly publish: (alert: Alert) => void,
  ) {
    this.thematic = thematicFor(ctx)
    this.sandbox = this.thematic.rulesSandbox
  }

  start(tickMs = 5000): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick())
    }, tickMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }

  /** Evaluate every rule that is due. */
  async tick(now = this.ctx.now()): Promise<void> {
    await this.thematic.ready()
    for (const rule of this.thematic.rules.list()) {
      if ((this.lastRun.get(rule.id) ?? 0) + rule.every_seconds * 1000 > now) continue
      this.lastRun.set(rule.id, now)
      try {
        await this.evaluate(rule, now)
      } catch (err) {
        log.warn({ err, rule: rule.id }, 'alert rule failed')
      }
    }
  }

  /** The condition's verdicts at `now`; `firing` are the keys already firing (for hysteresis). */
  async verdicts(rule: AlertRule, now: number, sandbox: Sandbox = this.sandbox): Promise<Verdict[]> {
    const c = rule.condition
    const window = c.kind === 'rise' ? c.window_minutes : rule.lookback_minutes
    const run = (at: number) =>
      sandbox.run(rule.query, { region: rule.scope, from: at - window * 60_000, to: at, now: at }, rule.params)
    const current = observations(rule, await run(now))
    if (c.kind === 'threshold') {
      const clear = c.clear ?? c.value
      return current.map((obs) => ({
        obs,
        fire: cmp(obs.value, c.op, c.value),
        hold: cmp(obs.value, c.op, clear),
        detail: `${fmt(obs.value)} ${c.op} ${fmt(c.value)}`,
        detail_en: `${fmt(obs.value)} ${c.op} ${fmt(c.value)}`,
      }))
    }
    if (c.kind === 'duration') {
      return current.map((obs) => {
        const minutes = obs.since === null ? 0 : (now - obs.since) / 60_000
        const on = minutes >= c.minutes
        return {
          obs: { ...obs, value: Math.round(minutes) },
          fire: on,
          hold: on,
          detail: `${Math.round(minutes)} 分钟 ≥ ${c.minutes}`,
          detail_en: `${Math.round(minutes)} min ≥ ${c.minutes}`,
        }
      })
    }
    if (c.kind === 'sla') {
      return current.map((obs) => {
        const late = obs.deadline === null ? -1 : (now - obs.deadline) / 60_000 - c.grace_minutes
        return {
          obs,
          fire: late > 0,
          hold: late > 0,
          detail: late > 0 ? `超时 ${Math.round(late + c.grace_minutes)} 分钟` : '未超时',
          detail_en: late > 0 ? `${Math.round(late + c.grace_minutes)} min late` : 'not late',
        }
      })
    }
    // rise: the same window in each of the past weeks is the baseline, per key (absent = 0).
    const past: Map<string, number>[] = []
    for (let k = 1; k <= c.weeks; k++) {
      past.push(new Map(observations(rule, await run(now - k * WEEK)).map((o) => [o.key, o.value])))
    }
    // Weeks with no rows at all are weeks without data (a new city, a gap), not weeks of zero.
    const known = past.filter((m) => m.size > 0)
    if (known.length < c.min_weeks)
      return current.map((obs) => ({
        obs,
        fire: false,
        hold: false,
        detail: `往周同期数据不足（${known.length} 周）`,
        detail_en: `too few past weeks to compare (${known.length})`,
      }))
    return current.map((obs) => {
      const { z, median: med } = robustZ(
        obs.value,
        known.map((m) => m.get(obs.key) ?? 0),
      )
      const big = obs.value >= c.min_value
      return {
        obs,
        fire: big && z >= c.z,
        hold: big && z >= c.clear_z,
        detail: `${fmt(obs.value)}，往周同期中位数 ${fmt(med)}，z=${z.toFixed(1)}`,
        detail_en: `${fmt(obs.value)}, median of past weeks ${fmt(med)}, z=${z.toFixed(1)}`,
      }
    })
  }

  /** One evaluation: new alerts for keys that fire, resolution for firing keys that no longer hold. */
  async evaluate(rule: AlertRule, now = this.ctx.now()): Promise<Alert[]> {
    const open = new Map((await openAlerts(this.ctx.stores.background, rule.id)).map((a) => [a.key, a]))
    const verdicts = await this.verdicts(rule, now)
    const quiet = inQuiet(rule, now, this.ctx.tz)
    const changes: Alert[] = []
    const seen = new Set<string>()
    for (const v of verdicts) {
      seen.add(v.obs.key)
      const existing = open.get(v.obs.key)
      if (existing && !v.hold) changes.push(this.resolved(existing, now))
      else if (!existing && v.fire && !quiet) changes.push(this.fired(rule, v, now))
    }
    for (const [key, a] of open) if (!seen.has(key)) changes.push(this.resolved(a, now))
    for (const a of changes) {
      await writeAlert(this.ctx.stores.background, a)
      this.publish(a)
    }
    return changes
  }

  /** The rule over the past week without storing anything: when it would have fired and cleared (a studio draft). */
  async dryRun(
    rule: AlertRule,
    now = this.ctx.now(),
    days = 7,
  ): Promise<{
    evaluations: number
    fired: number
    events: DryRunEvent[]
  }> {
    // Hourly, or every 3 hours for a rise (each evaluation then runs weeks + 1 queries).
    const step = (rule.condition.kind === 'rise' ? 3 : 1) * 3_600_000
    const firing = new Set<string>()
    const events: DryRunEvent[] = []
    let evaluations = 0
    let fired = 0
    // On the hour over the period, and now: what an evaluator would have done, ending with today.
    const times: number[] = []
    for (let t = Math.floor((now - days * 86_400_000) / step) * step + step; t < now; t += step) times.push(t)
    times.push(now)
    for (const t of times) {
      evaluations++
      const verdicts = await this.verdicts(rule, t, this.thematic.drafts)
      const seen = new Set<string>()
      const quiet = inQuiet(rule, t, this.ctx.tz)
      for (const v of verdicts) {
        seen.add(v.obs.key)
        const at = new Date(t).toISOString()
        if (firing.has(v.obs.key) && !v.hold) {
          firing.delete(v.obs.key)
          events.push({
            at,
            kind: 'resolve',
            key: v.obs.key,
            region: v.obs.region,
            value: v.obs.value,
            detail: v.detail,
            detail_en: v.detail_en,
          })
        } else if (!firing.has(v.obs.key) && v.fire && !quiet) {
          firing.add(v.obs.key)
          fired++
          events.push({
            at,
            kind: 'fire',
            key: v.obs.key,
            region: v.obs.region,
            value: v.obs.value,
            detail: v.detail,
            detail_en: v.detail_en,
          })
        }
      }
      for (const k of [...firing]) if (!seen.has(k)) firing.delete(k)
    }
    return { evaluations, fired, events: events.slice(-200) }
  }

  private fired(rule: AlertRule, v: Verdict, now: number): Alert {
    const at = new Date(now).toISOString()
    const place = v.obs.label ?? this.ctx.city.get(v.obs.region)?.name ?? v.obs.key
    return {
      alert_id: `${rule.id}:${v.obs.key}:${now}`,
      rule_id: rule.id,
      key: v.obs.key,
      region: v.obs.region,
      severity: rule.severity,
      title: rule.title.zh,
      title_en: rule.title.en,
      message: `${place}：${v.detail}`,
      message_en: `${place}: ${v.detail_en}`,
      value: v.obs.value,
      lon: Number.isFinite(v.obs.lon) ? v.obs.lon : null,
      lat: Number.isFinite(v.obs.lat) ? v.obs.lat : null,
      status: 'firing',
      assignee: '',
      acked_by: '',
      fired_at: at,
      updated_at: at,
      resolved_at: null,
      version: nextVersion(now),
    }
  }

  private resolved(a: Alert, now: number): Alert {
    const at = new Date(now).toISOString()
    return { ...a, status: 'resolved', updated_at: at, resolved_at: at, version: nextVersion(now) }
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2))

// One evaluator per app context: the start-up code starts it, the studio's dry run uses it.
const instances = new WeakMap<AppContext, AlertEvaluator>()
const publishers = new WeakMap<AppContext, Set<(a: Alert) => void>>()

/** Where changed alerts go (the live hub registers itself here). */
export function onAlert(ctx: AppContext, fn: (a: Alert) => void): void {
  let set = publishers.get(ctx)
  if (!set) publishers.set(ctx, (set = new Set()))
  set.add(fn)
}

export function evaluatorFor(ctx: AppContext): AlertEvaluator {
  let e = instances.get(ctx)
  if (!e) {
    e = new AlertEvaluator(ctx, (a) => {
      for (const fn of publishers.get(ctx) ?? []) fn(a)
    })
    instances.set(ctx, e)
  }
  return e
}

/** Start the evaluator of this process (npm start, npm run api); IOC_ALERTS=0 leaves it off on a node. */
export function startAlertEvaluator(ctx: AppContext, env: NodeJS.ProcessEnv = process.env): AlertEvaluator | undefined {
  if (env.IOC_ALERTS === '0') return undefined
  const e = evaluatorFor(ctx)
  e.start()
  return e
}
