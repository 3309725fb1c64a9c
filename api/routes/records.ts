import { Hono } from 'hono'
import { z } from 'zod'
import { forbidden, notFound, badRequest } from '../../server/errors.js'
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

export function recordRoutes(ctx: AppContext) {
  const app = new Hono<Env>()

  app.get('/events', async (c) => {
    const q = query(
      c,
      z.object({
        region: z.string().optional(),
        status: z.enum(EVENT_STATUS_FILTER_KEYS as [string, ...string[]]).optional(),
        category: z.string().max(64).optional(),
        limit: Limit,
        cursor: z.string().max(200).optional(),
        since: Since,
      }),
    )
    const region = scopedRegion(c, ctx, q.region)
    const now = ctx.now()
    return c.json(
      await listEvents(ctx.store, {
        region: region.code,
        status: q.status as (typeof EVENT_STATUS_FILTER_KEYS)[number] | undefined,
        category: q.category,
        limit: q.limit,
        cursor: cursorOf(q.cursor),
        since: q.since ?? now - DEFAULT_LOOKBACK_MS,
        now,
      }),
    )
  })

  app.get('/events/:id', async (c) => {
    const event = await getEvent(ctx.store, recordId(c.req.param('id')), ctx.now())
    if (!event) throw notFound(`no event ${c.req.param('id')}`)
    if (!event.grid_code.startsWith(c.get('user').region)) throw forbidden('this event is outside your scope')
    return c.json(event)
  })

  app.get('/tickets', async (c) => {
    const q = query(
      c,
      z.object({
        region: z.string().optional(),
        status: z.enum(TICKET_STATUS_FILTER_KEYS as [string, ...string[]]).optional(),
        category: z.string().max(64).optional(),
        limit: Limit,
        cursor: z.string().max(200).optional(),
        since: Since,
      }),
    )
    const region = scopedRegion(c, ctx, q.region)
    const now = ctx.now()
    return c.json(
      await listTickets(ctx.store, {
        region: region.code,
        status: q.status as (typeof TICKET_STATUS_FILTER_KEYS)[number] | undefined,
        category: q.category,
        limit: q.limit,
        cursor: cursorOf(q.cursor),
        since: q.since ?? now - DEFAULT_LOOKBACK_MS,
        now,
      }),
    )
  })

  app.get('/tickets/:id', async (c) => {
    const ticket = await getTicket(ctx.store, recordId(c.req.param('id')))
    if (!ticket) throw notFound(`no ticket ${c.req.param('id')}`)
    if (!ticket.grid_code.startsWith(c.get('user').region)) throw forbidden('this ticket is outside your scope')
    return c.json(ticket)
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
    const terminal = await getTerminal(ctx.store, recordId(c.req.param('id')))
    if (!terminal) throw notFound(`no terminal ${c.req.param('id')}`)
    if (!terminal.grid_code.startsWith(c.get('user').region)) throw forbidden('this terminal is outside your scope')
    return c.json(terminal)
  })
  return app
}
