import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { releaseTo } from '#core/personal.js'
import { DEFAULT_TIME_BOUNDS, timeWindow } from '#core/time-bounds.js'
import { PERSONAL_FIELDS, type StreamName } from '#core/schemas/records.js'
import { notFound, badRequest } from '#platform/errors.js'
import {
  EVENT_STATUS_FILTER_KEYS,
  TERMINAL_STATUS_FILTER_KEYS,
  TICKET_STATUS_FILTER_KEYS,
  decodeCursor,
  getEvent,
  getTerminal,
  getTicket,
  listEvents,
  listTerminals,
  listTickets,
} from '../queries/records.js'
import type { AppContext, Env } from '../context.js'
import { query, scopedRegion } from '../params.js'
import { clientIp } from '#platform/auth/client-ip.js'

const Limit = z.coerce.number().int().min(1).max(1000).default(100)
const Since = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 time')
  .transform((s) => Date.parse(s))
  .optional()
const DEFAULT_LOOKBACK_MS = 30 * 86_400_000
const IdParam = z.string().min(1).max(64).regex(/^[\w.:-]+$/)

function cursorOf(raw: string | undefined) {
  if (raw === undefined) return undefined
  const cursor = decodeCursor(raw)
  if (!cursor) throw badRequest('parameter cursor: not a cursor from a previous page', { parameter: 'cursor' })
  return cursor
}

function recordId(raw: string): string {
  const id = IdParam.safeParse(raw)
  if (!id.success) throw badRequest('the id uses letters, digits and . _ : - only')
  return id.data
}

/** The query of a record list: the region (default the caller's), a status filter, a page. */
const listQuery = <K extends string>(statuses: readonly K[]) =>
  z.object({
    region: z.string().optional(),
    status: z.enum(statuses as [K, ...K[]]).optional(),
    category: z.string().max(64).optional(),
    limit: Limit,
    cursor: z.string().max(200).optional(),
    since: Since,
  })

export function recordRoutes(ctx: AppContext) {
  const app = new Hono<Env>()

  /** The region, page and time bounds of a list, checked against the caller's scope. */
  function page(c: Context<Env>, q: { region?: string; category?: string; limit: number; cursor?: string; since?: number }) {
    const now = ctx.now()
    return {
      until: timeWindow(now, ctx.timeBounds ?? DEFAULT_TIME_BOUNDS).to,
      region: scopedRegion(c, ctx, q.region).code,
      category: q.category,
      limit: q.limit,
      cursor: cursorOf(q.cursor),
      since: q.since ?? now - DEFAULT_LOOKBACK_MS,
      now,
    }
  }

  /** A record fetched by id is shown only inside the caller's scope; outside it, it does not exist (404 either way, so an id cannot be probed). */
  function inScope<T extends { grid_code: string }>(c: Context<Env>, kind: string, id: string, record: T | undefined): T {
    const user = c.get('user')
    if (!record || !record.grid_code.startsWith(user.region)) throw notFound(`no ${kind} ${id} in your scope`)
    // Who viewed which record is kept (docs/security.md): a record page can name a citizen.
    ctx.audit?.record({ action: 'view', user: user.name, role: user.role, region: user.region, ip: clientIp(c), target_kind: kind, target_id: id })
    return record
  }

  /**
   * A page of records as the caller may see it: de-identified for a role that may not see personal
   * data; otherwise whole, with an audit row naming every record on the page.
   */
  function released<T extends { grid_code: string; lon: number; lat: number }>(c: Context<Env>, stream: StreamName, kind: string, ids: (r: T) => string, got: { items: T[]; next_cursor: string | null }) {
    const user = c.get('user')
    const items = releaseTo(user.role, got.items, PERSONAL_FIELDS[stream], (r) => ctx.city.get(r.grid_code)?.centroid, (whole) =>
      ctx.audit?.record({ action: 'read', user: user.name, role: user.role, region: user.region, ip: clientIp(c), target_kind: kind, target_ids: whole.map(ids) }),
    )
    return { ...got, items }
  }

  app.get('/events', async (c) => {
    const q = query(c, listQuery(EVENT_STATUS_FILTER_KEYS))
    return c.json(released(c, 'grid-events', 'event', (r) => r.event_id, await listEvents(ctx.store, { ...page(c, q), status: q.status })))
  })
  app.get('/events/:id', async (c) => {
    const id = recordId(c.req.param('id'))
    return c.json(inScope(c, 'event', id, await getEvent(ctx.store, id, ctx.now())))
  })

  app.get('/tickets', async (c) => {
    const q = query(c, listQuery(TICKET_STATUS_FILTER_KEYS))
    return c.json(released(c, 'hotline-tickets', 'ticket', (r) => r.ticket_id, await listTickets(ctx.store, { ...page(c, q), status: q.status })))
  })
  app.get('/tickets/:id', async (c) => {
    const id = recordId(c.req.param('id'))
    return c.json(inScope(c, 'ticket', id, await getTicket(ctx.store, id)))
  })

  app.get('/terminals', async (c) => {
    const q = query(
      c,
      z.object({
        region: z.string().optional(),
        status: z.enum(TERMINAL_STATUS_FILTER_KEYS).optional(),
        limit: Limit,
        cursor: z.string().max(64).optional(),
      }),
    )
    const region = scopedRegion(c, ctx, q.region)
    return c.json(await listTerminals(ctx.store, { region: region.code, status: q.status, limit: q.limit, cursor: q.cursor, now: ctx.now() }))
  })
  app.get('/terminals/:id', async (c) => {
    const id = recordId(c.req.param('id'))
    return c.json(inScope(c, 'terminal', id, await getTerminal(ctx.store, id)))
  })
  return app
}
