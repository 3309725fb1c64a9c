import type { EventSummary, TerminalSummary, TicketSummary } from '#core/schemas/api.js'
import type { Store } from '#store/client.js'
import { tables } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'
import { iso, num, rows } from './run.js'
import { isSilent, terminalLatest, type TerminalScope } from './terminals.js'

/** Lists are newest first and paged by an opaque cursor: the last row's (time, id). */
export interface PageQuery {
  region: string
  since: number
  now: number
  /**
   * The newest start a listed record may have: now plus the clock skew ingest allows. A store that
   * took records from the future before that bound existed must not show them on top of every list.
   */
  until: number
  limit: number
  cursor?: { ts: number; id: string }
}
export function encodeCursor(ts: number, id: string): string {
  return Buffer.from(`${ts}|${id}`).toString('base64url')
}
/** One page of `limit` rows from `limit + 1` fetched, with the cursor of the next one if there is one. */
function paged<R, T>(got: R[], limit: number, key: (r: R) => [number, string], map: (r: R) => T) {
  const page = got.slice(0, limit)
  const last = page[page.length - 1]
  return { items: page.map(map), next_cursor: got.length > limit && last ? encodeCursor(...key(last)) : null }
}

export function decodeCursor(cursor: string): { ts: number; id: string } | undefined {
  const [ts, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const id = rest.join('|')
  return /^\d+$/.test(ts) && id ? { ts: Number(ts), id } : undefined
}

const eventStatusFilters = (now: number) => ({
  open: sql`evaluated_at IS NULL`,
  closed: sql`evaluated_at IS NOT NULL`,
  overdue: sql`evaluated_at IS NULL AND deadline < ${sql.ms(now)}`,
  reported: sql`step_rank = 1`,
  verified: sql`step_rank = 2`,
  dispatched: sql`step_rank = 3`,
  handled: sql`step_rank = 4`,
  submitted: sql`step_rank = 5`,
  evaluated: sql`step_rank = 6`,
})
export type EventStatusFilter = keyof ReturnType<typeof eventStatusFilters>
export const EVENT_STATUS_FILTER_KEYS = Object.keys(eventStatusFilters(0)) as EventStatusFilter[]

const STEPS = ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated']

interface EventRow {
  event_id: string
  reported_at: string
  evaluated_at: string | null
  deadline: string | null
  step_rank: number
  grid_code: string
  category: string
  department: string | null
  lon: number
  lat: number
  priority: number
  description: string | null
  overdue: number
  rts: string
}

export async function listEvents(
  store: Store,
  q: PageQuery & { status?: EventStatusFilter; category?: string },
): Promise<{ items: EventSummary[]; next_cursor: string | null }> {
  const where = [q.status ? eventStatusFilters(q.now)[q.status] : sql`1`, sql`reported_at <= ${sql.ms(q.until)}`]
  if (q.category) {
    const category = sql.string(q.category)
    where.push(sql`(category = ${category} OR startsWith(category, concat(${category}, '.')))`)
  }
  if (q.cursor) where.push(sql`(rts, event_id) < (${sql.int64(q.cursor.ts)}, ${sql.string(q.cursor.id)})`)
  const got = await rows<EventRow>(
    store,
    sql`SELECT *, toUnixTimestamp64Milli(reported_at) AS rts,
            evaluated_at IS NULL AND deadline < ${sql.ms(q.now)} AS overdue
     FROM (
       SELECT event_id, min(reported_at) AS reported_at, max(evaluated_at) AS evaluated_at, max(deadline) AS deadline,
              max(step_rank) AS step_rank, anyLast(grid_code) AS grid_code, anyLast(category) AS category,
              anyLast(department) AS department, anyLast(lon) AS lon, anyLast(lat) AS lat, max(priority) AS priority,
              anyLast(description) AS description
       FROM ${tables.eventState}
       WHERE startsWith(${tables.eventState}.grid_code, ${sql.string(q.region)})
         AND ${tables.eventState}.last_ts >= ${sql.ms(q.since)}
       GROUP BY event_id
       HAVING reported_at IS NOT NULL
     )
     WHERE ${sql.join(where, sql` AND `)}
     ORDER BY rts DESC, event_id DESC
     LIMIT ${sql.uint32(q.limit + 1)}`,
  )
  return paged(got, q.limit, (r) => [num(r.rts), r.event_id], eventSummary)
}

function eventSummary(r: EventRow): EventSummary {
  return {
    event_id: r.event_id,
    category: r.category,
    status: STEPS[num(r.step_rank) - 1] ?? 'reported',
    grid_code: r.grid_code,
    lon: num(r.lon),
    lat: num(r.lat),
    department: r.department ?? '',
    priority: num(r.priority),
    reported_at: iso(r.reported_at)!,
    deadline: iso(r.deadline),
    closed_at: iso(r.evaluated_at),
    overdue: Boolean(num(r.overdue)),
    description: r.description ?? '',
  }
}

type RawStep = Record<string, unknown> & { ts: string; step?: string; grid_code: string }
type TimelineStep = Record<string, unknown> & { ts: string; deadline: string | null; step?: string; grid_code: string }

/** Every stored step of one record, oldest first: the record's timeline. */
async function timeline(store: Store, kind: 'event' | 'ticket', id: string): Promise<TimelineStep[]> {
  const [table, idColumn] =
    kind === 'event' ? [tables.gridEvents, sql`event_id`] : [tables.hotlineTickets, sql`ticket_id`]
  const got = await rows<RawStep>(
    store,
    sql`SELECT * EXCEPT (ingested_at) FROM ${table} WHERE ${idColumn} = ${sql.string(id)} ORDER BY ts, step`,
  )
  return got.map((r) => ({ ...r, ts: iso(r.ts)!, deadline: iso(r.deadline) }))
}

export async function getEvent(store: Store, id: string, now: number) {
  const steps = await timeline(store, 'event', id)
  if (steps.length === 0) return undefined
  const first = steps.find((s) => s.step === 'reported') ?? steps[0]
  const last = steps[steps.length - 1]
  const evaluated = steps.find((s) => s.step === 'evaluated')
  const deadline = steps.map((s) => s.deadline).find(Boolean) ?? null
  const rank = Math.max(...steps.map((s) => STEPS.indexOf(String(s.step))))
  const pick = (k: string) =>
    [...steps]
      .reverse()
      .map((s) => s[k])
      .find((v) => v !== '' && v !== null && v !== undefined)
  return {
    event_id: id,
    category: String(first.category),
    status: STEPS[rank],
    grid_code: first.grid_code,
    district: String(first.district),
    street: String(first.street),
    community: String(first.community),
    lon: num(last.lon),
    lat: num(last.lat),
    department: String(pick('department') ?? ''),
    priority: num(pick('priority')),
    source: String(first.source ?? ''),
    reported_at: first.ts,
    deadline,
    closed_at: evaluated?.ts ?? null,
    overdue: !evaluated && deadline !== null && Date.parse(deadline) < now,
    description: String(pick('description') ?? ''),
    evaluation: String(pick('evaluation') ?? ''),
    timeline: steps.map(({ event_id: _e, grid_code: _g, community: _c, street: _s, district: _d, ...s }) => s),
  }
}

const TICKET_STATUS_FILTERS = {
  open: sql`status NOT IN ('closed', 'rated')`,
  closed: sql`status IN ('closed', 'rated')`,
  created: sql`status = 'created'`,
  dispatched: sql`status = 'dispatched'`,
  accepted: sql`status = 'accepted'`,
  replied: sql`status = 'replied'`,
  reopened: sql`status = 'reopened'`,
  rated: sql`status = 'rated'`,
} as const satisfies Record<string, Sql>
export type TicketStatusFilter = keyof typeof TICKET_STATUS_FILTERS
export const TICKET_STATUS_FILTER_KEYS = Object.keys(TICKET_STATUS_FILTERS) as TicketStatusFilter[]

interface TicketRow {
  ticket_id: string
  created_at: string
  closed_at: string | null
  status: string
  grid_code: string
  category: string
  channel: string | null
  department: string | null
  satisfaction: string | null
  address: string | null
  description: string | null
  lon: number
  lat: number
  cts: string
}

export async function listTickets(
  store: Store,
  q: PageQuery & { status?: TicketStatusFilter; category?: string },
): Promise<{ items: TicketSummary[]; next_cursor: string | null }> {
  const where = [q.status ? TICKET_STATUS_FILTERS[q.status] : sql`1`, sql`created_at <= ${sql.ms(q.until)}`]
  if (q.category) where.push(sql`category = ${sql.string(q.category)}`)
  if (q.cursor) where.push(sql`(cts, ticket_id) < (${sql.int64(q.cursor.ts)}, ${sql.string(q.cursor.id)})`)
  const got = await rows<TicketRow>(
    store,
    sql`SELECT *, toUnixTimestamp64Milli(created_at) AS cts FROM (
       SELECT ticket_id, min(created_at) AS created_at, max(closed_at) AS closed_at, max(latest).2 AS status,
              anyLast(grid_code) AS grid_code, anyLast(category) AS category, anyLast(channel) AS channel,
              anyLast(department) AS department, anyLast(satisfaction) AS satisfaction, anyLast(address) AS address,
              anyLast(description) AS description, anyLast(lon) AS lon, anyLast(lat) AS lat
       FROM ${tables.ticketState}
       WHERE startsWith(${tables.ticketState}.grid_code, ${sql.string(q.region)})
         AND tupleElement(${tables.ticketState}.latest, 1) >= ${sql.ms(q.since)}
       GROUP BY ticket_id
       HAVING created_at IS NOT NULL
     )
     WHERE ${sql.join(where, sql` AND `)}
     ORDER BY cts DESC, ticket_id DESC
     LIMIT ${sql.uint32(q.limit + 1)}`,
  )
  return paged(got, q.limit, (r) => [num(r.cts), r.ticket_id], ticketSummary)
}

function ticketSummary(r: TicketRow): TicketSummary {
  return {
    ticket_id: r.ticket_id,
    category: r.category,
    channel: r.channel ?? '',
    status: r.status,
    grid_code: r.grid_code,
    lon: num(r.lon),
    lat: num(r.lat),
    department: r.department ?? '',
    created_at: iso(r.created_at)!,
    closed_at: iso(r.closed_at),
    satisfaction: r.satisfaction ?? '',
    address: r.address ?? '',
    description: r.description ?? '',
  }
}

export async function getTicket(store: Store, id: string) {
  const steps = await timeline(store, 'ticket', id)
  if (steps.length === 0) return undefined
  const first = steps.find((s) => s.step === 'created') ?? steps[0]
  const last = steps[steps.length - 1]
  const pick = (k: string) =>
    [...steps]
      .reverse()
      .map((s) => s[k])
      .find((v) => v !== '' && v !== null && v !== undefined)
  return {
    ticket_id: id,
    category: String(first.category),
    channel: String(pick('channel') ?? ''),
    status: String(last.step),
    grid_code: first.grid_code,
    district: String(first.district),
    street: String(first.street),
    community: String(first.community),
    lon: num(last.lon),
    lat: num(last.lat),
    department: String(pick('department') ?? ''),
    address: String(pick('address') ?? ''),
    satisfaction: String(pick('satisfaction') ?? ''),
    created_at: first.ts,
    closed_at: [...steps].reverse().find((s) => s.step === 'closed')?.ts ?? null,
    description: String(pick('description') ?? ''),
    timeline: steps.map(({ ticket_id: _t, grid_code: _g, community: _c, street: _s, district: _d, ...s }) => s),
  }
}

export const TERMINAL_STATUS_FILTER_KEYS = ['online', 'offline', 'fault', 'maintenance', 'down'] as const
export type TerminalStatusFilter = (typeof TERMINAL_STATUS_FILTER_KEYS)[number]

interface TerminalRow {
  terminal_id: string
  ts: string
  reported: string
  status: string
  silent_since: string | null
  fault_code: string
  paper_pct: number | null
  grid_code: string
  lon: number
  lat: number
  site: string
  transactions: string
  since: string
}

/**
 * Terminals by their latest status, with how long they have been in it. A silent terminal is listed as
 * offline since its last report, unless that report already said offline (then since that run began).
 */
export async function listTerminals(
  store: Store,
  q: TerminalScope & { status?: TerminalStatusFilter; limit: number; cursor?: string },
): Promise<{ items: TerminalSummary[]; next_cursor: string | null }> {
  const where = [sql`1`]
  if (q.status === 'down') where.push(sql`status IN ('offline', 'fault')`)
  else if (q.status) where.push(sql`status = ${sql.string(q.status)}`)
  if (q.cursor) where.push(sql`terminal_id > ${sql.string(q.cursor)}`)
  const got = await rows<TerminalRow>(
    store,
    sql`WITH latest AS (SELECT * FROM (${terminalLatest(q)}) WHERE ${sql.join(where, sql` AND `)}
                        ORDER BY terminal_id LIMIT ${sql.uint32(q.limit + 1)}),
     runs AS (
       SELECT terminal_id, arraySort(x -> x.1, groupArray((ts, toString(status)))) AS h, h[-1].2 AS cur,
              arrayLastIndex(x -> x.2 != cur, h) AS i, if(i = 0, h[1].1, h[i + 1].1) AS since
       FROM ${tables.terminalStatus}
       WHERE terminal_id IN (SELECT terminal_id FROM latest) AND ts >= ${sql.ms(q.now - 7 * 86_400_000)}
       GROUP BY terminal_id
     )
     SELECT latest.*, if(silent_since IS NOT NULL AND reported != 'offline', silent_since, runs.since) AS since
     FROM latest LEFT JOIN runs USING terminal_id ORDER BY terminal_id`,
  )
  const page = got.slice(0, q.limit)
  return {
    items: page.map((r) => ({
      terminal_id: r.terminal_id,
      status: r.status,
      ts: iso(r.ts)!,
      since: iso(r.since) ?? iso(r.ts)!,
      silent_since: iso(r.silent_since),
      grid_code: r.grid_code,
      lon: num(r.lon),
      lat: num(r.lat),
      site: r.site,
      fault_code: r.fault_code,
      paper_pct: r.paper_pct === null ? null : num(r.paper_pct),
      transactions: num(r.transactions),
    })),
    next_cursor: got.length > q.limit ? page[page.length - 1].terminal_id : null,
  }
}

/** One terminal with its last 200 reports; its status and `silent_since` follow the silence rule at `s.now`. */
export async function getTerminal(store: Store, id: string, s: Pick<TerminalScope, 'now' | 'silenceMs'>) {
  const got = await rows<Record<string, unknown> & { ts: string; grid_code: string }>(
    store,
    sql`SELECT * EXCEPT (ingested_at) FROM ${tables.terminalStatus} WHERE terminal_id = ${sql.string(id)}
        ORDER BY ts DESC LIMIT 200`,
  )
  if (got.length === 0) return undefined
  const last = got[0]
  const ts = iso(last.ts)!
  const silent = isSilent(Date.parse(ts), s)
  return {
    terminal_id: id,
    status: silent ? 'offline' : String(last.status),
    silent_since: silent ? ts : null,
    ts,
    grid_code: last.grid_code,
    district: String(last.district),
    street: String(last.street),
    community: String(last.community),
    lon: num(last.lon),
    lat: num(last.lat),
    site: String(last.site),
    fault_code: String(last.fault_code),
    paper_pct: last.paper_pct === null ? null : num(last.paper_pct),
    timeline: got.reverse().map((r) => ({
      ts: iso(r.ts),
      status: r.status,
      fault_code: r.fault_code,
      paper_pct: r.paper_pct,
      transactions: num(r.transactions),
    })),
  }
}
