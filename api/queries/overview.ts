import type { Overview } from '../../core/schemas/api.js'
import type { Store } from '../../store/client.js'
import { at, num, rows } from './run.js'

export interface Scope {
  region: string
  from: number
  to: number
  now: number
}

/** Names of the bound parameters that delimit a cohort: records started in [from, to). */
export type CohortRange = readonly [from: string, to: string]

// The state of each event now, folded from its steps. All steps of an event carry the same grid, so
// the region filter may run before the fold; `last_ts >= since` keeps the fold to recent events.
// With a cohort range, only the ids reported in it (and in the region) are folded instead: they
// come by key from the narrow event_reported index (migration 024), and the fold reads just their
// rows by primary key, every step of them.
export const eventStates = (having: string, cohort?: CohortRange) => `
  SELECT event_id, min(reported_at) AS reported_at, min(verified_at) AS verified_at, min(dispatched_at) AS dispatched_at,
         min(handled_at) AS handled_at, min(submitted_at) AS submitted_at, max(evaluated_at) AS evaluated_at,
         max(deadline) AS deadline, max(step_rank) AS step_rank, anyLast(grid_code) AS grid_code,
         anyLast(category) AS category, anyLast(department) AS department, anyLast(evaluation) AS evaluation
  FROM event_state
  WHERE ${
    cohort
      ? `event_state.event_id IN (SELECT event_reported.event_id FROM event_reported WHERE startsWith(event_reported.grid_code, {region:String})
      AND event_reported.reported_at >= ${at(cohort[0])} AND event_reported.reported_at < ${at(cohort[1])})`
      : `startsWith(event_state.grid_code, {region:String}) AND event_state.last_ts >= ${at('since')}`
  }
  GROUP BY event_id
  HAVING ${having}`

/** Events reported in [from, to) (bind since = from). */
export const EVENT_COHORT = eventStates(`reported_at >= ${at('from')} AND reported_at < ${at('to')}`, ['from', 'to'])

// Tickets as they stand now; every step of a ticket comes at or after its creation, so rows before
// `since` cannot belong to a ticket created after it. A cohort range folds only the ids created in
// it (and in the region) instead, from the ticket_created index (migration 024).
export const ticketStates = (having: string, cohort?: CohortRange) => `
  SELECT ticket_id, min(created_at) AS created_at, min(replied_at) AS replied_at, max(closed_at) AS closed_at,
         max(latest).2 AS status, anyLast(satisfaction) AS satisfaction, anyLast(grid_code) AS grid_code,
         anyLast(category) AS category, anyLast(channel) AS channel, anyLast(department) AS department,
         sum(reopened) AS reopened
  FROM ticket_state
  WHERE ${
    cohort
      ? `ticket_state.ticket_id IN (SELECT ticket_created.ticket_id FROM ticket_created WHERE startsWith(ticket_created.grid_code, {region:String})
      AND ticket_created.created_at >= ${at(cohort[0])} AND ticket_created.created_at < ${at(cohort[1])})`
      : `startsWith(ticket_state.grid_code, {region:String}) AND tupleElement(ticket_state.latest, 1) >= ${at('since')}`
  }
  GROUP BY ticket_id
  HAVING ${having}`

/** Tickets created in [from, to) (bind since = from). */
export const TICKET_COHORT = ticketStates(`created_at >= ${at('from')} AND created_at < ${at('to')}`, ['from', 'to'])

export const TERMINAL_LATEST = `
  SELECT terminal_id, max(latest) AS l, l.1 AS ts, l.2 AS status, l.3 AS fault_code, l.4 AS paper_pct,
         anyLast(grid_code) AS grid_code, anyLast(lon) AS lon, anyLast(lat) AS lat, anyLast(site) AS site,
         sum(transactions) AS transactions
  FROM terminal_state
  WHERE startsWith(terminal_state.grid_code, {region:String})
  GROUP BY terminal_id`

const CLOSED_TICKET = `status IN ('closed', 'rated')`

/** Aggregates of one part of the overview, by output column: SQL is built from these with or without a prefix. */
type Aggregates = Record<string, string>

const EVENTS_AGG: Aggregates = {
  reported: 'count()',
  closed: 'countIf(evaluated_at IS NOT NULL)',
  open: 'countIf(evaluated_at IS NULL)',
  overdue: `countIf(evaluated_at IS NULL AND deadline < ${at('now')})`,
  avg_handle_minutes: 'ifNotFinite(avgIf(toUnixTimestamp64Milli(evaluated_at) - toUnixTimestamp64Milli(reported_at), evaluated_at IS NOT NULL) / 60000, 0)',
}

const TICKETS_AGG: Aggregates = {
  created: 'count()',
  closed: `countIf(${CLOSED_TICKET})`,
  open: `countIf(NOT ${CLOSED_TICKET})`,
  satisfied: "countIf(satisfaction IN ('satisfied', 'basically'))",
  rated: 'countIf(satisfaction IS NOT NULL)',
  replied: 'countIf(replied_at IS NOT NULL)',
  avg_response_minutes: 'ifNotFinite(avgIf(toUnixTimestamp64Milli(replied_at) - toUnixTimestamp64Milli(created_at), replied_at IS NOT NULL) / 60000, 0)',
}

const TERMINALS_AGG: Aggregates = {
  total: 'count()',
  online: "countIf(status = 'online')",
  offline: "countIf(status = 'offline')",
  fault: "countIf(status = 'fault')",
}

const select = (aggs: Aggregates, prefix = '') => Object.entries(aggs).map(([name, expr]) => `${expr} AS ${prefix}${name}`).join(', ')

const PARTS = [
  ['e_', EVENTS_AGG, EVENT_COHORT],
  ['t_', TICKETS_AGG, TICKET_COHORT],
  ['m_', TERMINALS_AGG, TERMINAL_LATEST],
] as const

// One statement for the three parts: each statement costs chDB a few ms of parsing and planning
// whatever it reads, which at 50 million events was a third of the overview's time (docs/performance.md).
const OVERVIEW = `SELECT * FROM ${PARTS.map(([prefix, aggs, from]) => `(SELECT ${select(aggs, prefix)} FROM (${from})) AS ${prefix.slice(0, -1)}`).join(' CROSS JOIN ')}`

type Counts = Record<string, string | number>

/** The contract's overview: events and tickets of the range's cohort, terminals as they stand now. */
export async function overview(store: Store, s: Scope): Promise<Overview> {
  const params = { region: s.region, from: s.from, to: s.to, now: s.now, since: s.from }
  const [row] = await rows<Counts>(store, OVERVIEW, params)
  const [ev, tk, tm] = PARTS.map(([prefix]): Counts =>
    Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v])),
  )
  return toOverview(s, s.region, ev, tk, tm)
}

/**
 * The overview of many regions of one level at once, for the live socket's KPI snapshots: three
 * grouped queries instead of three per region, so a thousand subscribed communities cost as much as one city.
 */
export async function overviewByRegion(store: Store, regions: string[], s: Omit<Scope, 'region'>): Promise<Map<string, Overview>> {
  const out = new Map<string, Overview>()
  const byLength = new Map<number, string[]>()
  for (const r of regions) byLength.set(r.length, [...(byLength.get(r.length) ?? []), r])
  for (const [digits, list] of byLength) {
    const params = { region: commonPrefix(list), regions: list, digits, from: s.from, to: s.to, now: s.now, since: s.from }
    const got: Array<Map<string, Counts>> = []
    for (const [, aggs, from] of PARTS) {
      const rs = await rows<Counts & { r: string }>(
        store,
        `SELECT substring(grid_code, 1, {digits:UInt8}) AS r, ${select(aggs)} FROM (${from}) WHERE r IN {regions:Array(String)} GROUP BY r`,
        params,
      )
      got.push(new Map(rs.map((x) => [x.r, x])))
    }
    for (const r of list) out.set(r, toOverview({ ...s, region: r }, r, got[0].get(r) ?? {}, got[1].get(r) ?? {}, got[2].get(r) ?? {}))
  }
  return out
}

function commonPrefix(codes: string[]): string {
  let p = codes[0] ?? ''
  for (const c of codes) while (!c.startsWith(p)) p = p.slice(0, -1)
  return p
}

function toOverview(s: Scope, region: string, ev: Counts, tk: Counts, tm: Counts): Overview {
  const reported = num(ev.reported)
  const rated = num(tk.rated)
  return {
    region,
    from: new Date(s.from).toISOString(),
    to: new Date(s.to).toISOString(),
    events: {
      reported,
      open: num(ev.open),
      closed: num(ev.closed),
      overdue: num(ev.overdue),
      closure_rate: reported ? num(ev.closed) / reported : 0,
      avg_handle_minutes: round1(num(ev.avg_handle_minutes)),
    },
    tickets: {
      created: num(tk.created),
      open: num(tk.open),
      closed: num(tk.closed),
      satisfaction_rate: rated ? num(tk.satisfied) / rated : 0,
      avg_response_minutes: round1(num(tk.avg_response_minutes)),
      rated,
      replied: num(tk.replied),
    },
    terminals: { total: num(tm.total), online: num(tm.online), offline: num(tm.offline), fault: num(tm.fault) },
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10
