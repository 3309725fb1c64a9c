import type { Overview } from '#core/schemas/api'
import type { KpiMetric } from '#core/schemas/screen'

/** A card's label is the message `metric.<id>`; its unit the message `unit.<unit>`. */
export interface KpiDef {
  unit: 'count' | 'minutes' | 'percent' | 'machines'
  /** The figure, or null when it does not exist yet (nothing rated, nothing closed …). */
  value: (o: Overview) => number | null
  kind: 'int' | 'pct' | 'minutes'
  /** Which way is good: a rise in overdue events is bad news. */
  better: 'up' | 'down' | 'none'
  tone?: (o: Overview) => 'warn' | 'danger' | 'ok' | undefined
  /** A state now (terminals by latest status), the same for any range: no change to show. */
  now?: true
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null)

/** Each card a screen file may ask for, computed from the overview answer. */
export const KPI_DEFS: Record<KpiMetric, KpiDef> = {
  'events.reported': { unit: 'count', value: (o) => o.events.reported, kind: 'int', better: 'none' },
  'events.open': { unit: 'count', value: (o) => o.events.open, kind: 'int', better: 'down', tone: () => 'warn' },
  'events.closed': { unit: 'count', value: (o) => o.events.closed, kind: 'int', better: 'up' },
  'events.overdue': {
    unit: 'count',
    value: (o) => o.events.overdue,
    kind: 'int',
    better: 'down',
    tone: (o) => (o.events.overdue > 0 ? 'danger' : undefined),
  },
  'events.closure_rate': {
    unit: 'percent',
    value: (o) => (o.events.reported ? o.events.closure_rate : null),
    kind: 'pct',
    better: 'up',
    tone: () => 'ok',
  },
  'events.avg_handle_minutes': {
    unit: 'minutes',
    value: (o) => (o.events.closed ? o.events.avg_handle_minutes : null),
    kind: 'minutes',
    better: 'down',
  },
  'tickets.created': { unit: 'count', value: (o) => o.tickets.created, kind: 'int', better: 'none' },
  'tickets.open': { unit: 'count', value: (o) => o.tickets.open, kind: 'int', better: 'down' },
  'tickets.closed': { unit: 'count', value: (o) => o.tickets.closed, kind: 'int', better: 'up' },
  // Nothing rated yet is "—", not a satisfaction of 0 %.
  'tickets.satisfaction_rate': {
    unit: 'percent',
    value: (o) => (o.tickets.rated ? o.tickets.satisfaction_rate : null),
    kind: 'pct',
    better: 'up',
    tone: () => 'ok',
  },
  'tickets.avg_response_minutes': {
    unit: 'minutes',
    value: (o) => (o.tickets.replied ? o.tickets.avg_response_minutes : null),
    kind: 'minutes',
    better: 'down',
  },
  'terminals.total': { unit: 'machines', value: (o) => o.terminals.total, kind: 'int', better: 'none', now: true },
  'terminals.online': {
    unit: 'machines',
    value: (o) => o.terminals.online,
    kind: 'int',
    better: 'up',
    tone: () => 'ok',
    now: true,
  },
  'terminals.offline': { unit: 'machines', value: (o) => o.terminals.offline, kind: 'int', better: 'down', now: true },
  'terminals.fault': {
    unit: 'machines',
    value: (o) => o.terminals.fault,
    kind: 'int',
    better: 'down',
    now: true,
    tone: (o) => (o.terminals.fault > 0 ? 'danger' : undefined),
  },
  'terminals.availability': {
    unit: 'percent',
    value: (o) => ratio(o.terminals.online, o.terminals.total),
    kind: 'pct',
    better: 'up',
    tone: () => 'ok',
    now: true,
  },
}
