import type { Overview } from '#core/schemas/api'
import type { KpiMetric } from '#core/schemas/screen'

/** The overview's `previous`: flows over the same elapsed part of the period before, stocks at its `at`. */
export type PreviousOverview = NonNullable<Overview['previous']>

/** What a card reads: the overview answer, or its `previous` (the same figures, compared like with like). */
export type Figures = Pick<Overview, 'events' | 'tickets' | 'terminals'>

/** A card's unit is the message `unit.<unit>`; its label the title of its catalogue metric. */
export interface KpiDef {
  /** The catalogue metric (dashboards/catalog/metrics.yaml) the card shows: its title, its definition. */
  catalog: string
  unit: 'count' | 'minutes' | 'percent' | 'machines'
  /** The figure, or null when it does not exist yet (nothing rated, nothing closed …). */
  value: (o: Figures) => number | null
  kind: 'int' | 'pct' | 'minutes'
  /** Which way is good: a rise in overdue events is bad news. */
  better: 'up' | 'down' | 'none'
  tone?: (o: Figures) => 'warn' | 'danger' | 'ok' | undefined
}

/** A ratio with an empty base does not exist (no 0 %, no change against it). */
const ratio = (a: number, b: number) => (b > 0 ? a / b : null)

/** Each card a screen file may ask for, computed from the overview answer. */
export const KPI_DEFS: Record<KpiMetric, KpiDef> = {
  'events.reported': {
    catalog: 'events.reported',
    unit: 'count',
    value: (o) => o.events.reported,
    kind: 'int',
    better: 'none',
  },
  'events.open': {
    catalog: 'events.open',
    unit: 'count',
    value: (o) => o.events.open,
    kind: 'int',
    better: 'down',
    tone: () => 'warn',
  },
  // The overview's closed are the events reported in the range and closed now, not every close in the range.
  'events.closed': {
    catalog: 'events.closed_of_reported',
    unit: 'count',
    value: (o) => o.events.closed,
    kind: 'int',
    better: 'up',
  },
  'events.overdue': {
    catalog: 'events.overdue',
    unit: 'count',
    value: (o) => o.events.overdue,
    kind: 'int',
    better: 'down',
    tone: (o) => (o.events.overdue > 0 ? 'danger' : undefined),
  },
  'events.closure_rate': {
    catalog: 'events.closure_rate',
    unit: 'percent',
    value: (o) => (o.events.reported ? o.events.closure_rate : null),
    kind: 'pct',
    better: 'up',
    tone: () => 'ok',
  },
  'events.avg_handle_minutes': {
    catalog: 'events.avg_handle_minutes',
    unit: 'minutes',
    value: (o) => (o.events.closed ? o.events.avg_handle_minutes : null),
    kind: 'minutes',
    better: 'down',
  },
  'tickets.created': {
    catalog: 'tickets.created',
    unit: 'count',
    value: (o) => o.tickets.created,
    kind: 'int',
    better: 'none',
  },
  'tickets.open': { catalog: 'tickets.open', unit: 'count', value: (o) => o.tickets.open, kind: 'int', better: 'down' },
  'tickets.closed': {
    catalog: 'tickets.closed_of_created',
    unit: 'count',
    value: (o) => o.tickets.closed,
    kind: 'int',
    better: 'up',
  },
  // Nothing rated yet is "—", not a satisfaction of 0 %.
  'tickets.satisfaction_rate': {
    catalog: 'tickets.satisfaction_rate',
    unit: 'percent',
    value: (o) => (o.tickets.rated ? o.tickets.satisfaction_rate : null),
    kind: 'pct',
    better: 'up',
    tone: () => 'ok',
  },
  'tickets.avg_response_minutes': {
    catalog: 'tickets.avg_response_minutes',
    unit: 'minutes',
    value: (o) => (o.tickets.replied ? o.tickets.avg_response_minutes : null),
    kind: 'minutes',
    better: 'down',
  },
  'terminals.total': {
    catalog: 'terminals.total',
    unit: 'machines',
    value: (o) => o.terminals.total,
    kind: 'int',
    better: 'none',
  },
  'terminals.online': {
    catalog: 'terminals.online',
    unit: 'machines',
    value: (o) => o.terminals.online,
    kind: 'int',
    better: 'up',
    tone: () => 'ok',
  },
  'terminals.offline': {
    catalog: 'terminals.offline',
    unit: 'machines',
    value: (o) => o.terminals.offline,
    kind: 'int',
    better: 'down',
  },
  'terminals.fault': {
    catalog: 'terminals.fault',
    unit: 'machines',
    value: (o) => o.terminals.fault,
    kind: 'int',
    better: 'down',
    tone: (o) => (o.terminals.fault > 0 ? 'danger' : undefined),
  },
  'terminals.online_rate': {
    catalog: 'terminals.online_rate',
    unit: 'percent',
    value: (o) => ratio(o.terminals.online, o.terminals.total),
    kind: 'pct',
    better: 'up',
    tone: () => 'ok',
  },
}

export interface KpiDelta {
  /** "+12.5%" for counts and durations, "+1.2pt" for rates. */
  text: string
  /** Whether the change is good news; null when neither (no preferred direction, or no change). */
  good: boolean | null
  /** The figure compared with (the card's data-previous, for a reader that checks it). */
  before: number
}

/**
 * The change of a card against the previous period, or null where no honest one exists: no previous
 * answer, a figure that does not exist now or then (a ratio or mean over an empty base), or a count
 * or duration that was 0 (a percent change from nothing means nothing).
 */
/** Below this previous count a change is shown as a difference, not a percentage. */
export const SMALL_BASE = 10

export function kpiDelta(def: KpiDef, now: Figures, previous: Figures | null | undefined): KpiDelta | null {
  if (!previous) return null
  const v = def.value(now)
  const before = def.value(previous)
  if (v === null || before === null) return null
  const diff = v - before
  const sign = diff >= 0 ? '+' : '−'
  let text: string
  if (def.kind === 'pct') text = `${sign}${Math.abs(diff * 100).toFixed(1)}pt`
  else if (before === 0) return null
  // On a small count a percentage shouts (1 → 0 is "−100 %"): the difference itself says it plainly.
  else if (def.kind === 'int' && before < SMALL_BASE) text = `${sign}${Math.abs(diff)}`
  else text = `${sign}${Math.abs((diff / before) * 100).toFixed(1)}%`
  const good = def.better === 'none' || diff === 0 ? null : diff > 0 === (def.better === 'up')
  return { text, good, before }
}

/** Which message names the comparison: today is compared with yesterday until the same time. */
export function compareKey(mode: string): 'kpi.vsYesterday' | 'kpi.vsPrev' {
  return mode === 'today' ? 'kpi.vsYesterday' : 'kpi.vsPrev'
}

/**
 * What the cards compare with after a new overview `d`: its own `previous`; a socket snapshot (none)
 * keeps the last one; no data (the scope or range changed) clears it, as another range's compares nothing.
 */
export function keepPrevious(last: PreviousOverview | null, d: Overview | null): PreviousOverview | null {
  if (d === null) return null
  return d.previous ?? last
}
