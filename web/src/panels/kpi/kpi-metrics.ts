import type { Overview } from '#core/schemas/api'
import type { KpiMetric } from '#core/schemas/screen'

export interface KpiDef {
  label: { zh: string; en: string }
  unit: { zh: string; en: string }
  /** The figure, or null when it does not exist yet (nothing rated, nothing closed …). */
  value: (o: Overview) => number | null
  kind: 'int' | 'pct' | 'minutes'
  /** Which way is good: a rise in overdue events is bad news. */
  better: 'up' | 'down' | 'none'
  tone?: (o: Overview) => 'warn' | 'danger' | 'ok' | undefined
  /** A state now (terminals by latest status), the same for any range: no change to show. */
  now?: true
}

const JIAN = { zh: '件', en: '' }
const MIN = { zh: '分钟', en: 'min' }
const PCT = { zh: '%', en: '%' }
const TAI = { zh: '台', en: '' }
const ratio = (a: number, b: number) => (b > 0 ? a / b : null)

/** Each card a screen file may ask for, computed from the overview answer. */
export const KPI_DEFS: Record<KpiMetric, KpiDef> = {
  'events.reported': { label: { zh: '上报事件', en: 'Events reported' }, unit: JIAN, value: (o) => o.events.reported, kind: 'int', better: 'none' },
  'events.open': { label: { zh: '办理中', en: 'Open' }, unit: JIAN, value: (o) => o.events.open, kind: 'int', better: 'down', tone: () => 'warn' },
  'events.closed': { label: { zh: '已办结', en: 'Closed' }, unit: JIAN, value: (o) => o.events.closed, kind: 'int', better: 'up' },
  'events.overdue': {
    label: { zh: '已超期', en: 'Overdue' },
    unit: JIAN,
    value: (o) => o.events.overdue,
    kind: 'int',
    better: 'down',
    tone: (o) => (o.events.overdue > 0 ? 'danger' : undefined),
  },
  'events.closure_rate': { label: { zh: '结案率', en: 'Closure rate' }, unit: PCT, value: (o) => (o.events.reported ? o.events.closure_rate : null), kind: 'pct', better: 'up', tone: () => 'ok' },
  'events.avg_handle_minutes': { label: { zh: '平均办结时长', en: 'Avg. handling' }, unit: MIN, value: (o) => (o.events.closed ? o.events.avg_handle_minutes : null), kind: 'minutes', better: 'down' },
  'tickets.created': { label: { zh: '12345 工单', en: '12345 tickets' }, unit: JIAN, value: (o) => o.tickets.created, kind: 'int', better: 'none' },
  'tickets.open': { label: { zh: '工单办理中', en: 'Tickets open' }, unit: JIAN, value: (o) => o.tickets.open, kind: 'int', better: 'down' },
  'tickets.closed': { label: { zh: '工单办结', en: 'Tickets closed' }, unit: JIAN, value: (o) => o.tickets.closed, kind: 'int', better: 'up' },
  // Nothing rated yet is "—", not a satisfaction of 0 %.
  'tickets.satisfaction_rate': { label: { zh: '群众满意率', en: 'Satisfaction' }, unit: PCT, value: (o) => (o.tickets.rated ? o.tickets.satisfaction_rate : null), kind: 'pct', better: 'up', tone: () => 'ok' },
  'tickets.avg_response_minutes': { label: { zh: '平均响应时长', en: 'Avg. response' }, unit: MIN, value: (o) => (o.tickets.replied ? o.tickets.avg_response_minutes : null), kind: 'minutes', better: 'down' },
  'terminals.total': { label: { zh: '自助终端', en: 'Terminals' }, unit: TAI, value: (o) => o.terminals.total, kind: 'int', better: 'none' , now: true },
  'terminals.online': { label: { zh: '终端在线', en: 'Terminals online' }, unit: TAI, value: (o) => o.terminals.online, kind: 'int', better: 'up', tone: () => 'ok' , now: true },
  'terminals.offline': { label: { zh: '终端离线', en: 'Offline' }, unit: TAI, value: (o) => o.terminals.offline, kind: 'int', better: 'down' , now: true },
  'terminals.fault': {
    label: { zh: '终端故障', en: 'Faulty' },
    unit: TAI,
    value: (o) => o.terminals.fault,
    kind: 'int',
    better: 'down',
    now: true,
    tone: (o) => (o.terminals.fault > 0 ? 'danger' : undefined),
  },
  'terminals.availability': { label: { zh: '终端可用率', en: 'Availability' }, unit: PCT, value: (o) => ratio(o.terminals.online, o.terminals.total), kind: 'pct', better: 'up', tone: () => 'ok', now: true },
}
