import type { Context } from 'hono'
import { routes } from '#core/contract/index.js'
import { TerminalDetailSchema } from '#core/schemas/api.js'
import { releaseTo } from '#core/personal.js'
import { DEFAULT_TIME_BOUNDS, timeWindow } from '#core/time-bounds.js'
import { PERSONAL_FIELDS, type StreamName } from '#core/schemas/records.js'
import { notFound, badRequest } from '#platform/errors.js'
import {
  decodeCursor,
  getEvent,
  getTerminal,
  getTicket,
  listEvents,
  listTerminals,
  listTickets,
} from '../queries/records.js'
import type { AppContext, Env } from '../context.js'
import { contractApp, contractHook, type Validated } from '../openapi.js'
import { scopedRegion } from '../params.js'
import { clientIp } from '#platform/auth/client-ip.js'

const DEFAULT_LOOKBACK_MS = 30 * 86_400_000

function cursorOf(raw: string | undefined) {
  if (raw === undefined) return undefined
  const cursor = decodeCursor(raw)
  if (!cursor) throw badRequest('parameter cursor: not a cursor from a previous page', { parameter: 'cursor' })
  return cursor
}

/** A bad record id is answered as before the contract: one sentence, no details. */
function idHook(result: Validated): undefined {
  if (!result.success && result.target === 'param') throw badRequest('the id uses letters, digits and . _ : - only')
  return contractHook(result)
}

export function recordRoutes(ctx: AppContext) {
  const app = contractApp()

  /** The region, page and time bounds of a list, checked against the caller's scope. */
  function page(
    c: Context<Env>,
    q: { region?: string; category?: string; limit: number; cursor?: string; since?: number },
  ) {
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

  /**
   * A record fetched by id is shown only inside the caller's scope; outside it, it does not exist (404 either way, so
   * an id cannot be probed).
   */
  function inScope<T extends { grid_code: string }>(
    c: Context<Env>,
    kind: string,
    id: string,
    record: T | undefined,
  ): T {
    const user = c.get('user')
    if (!record || !record.grid_code.startsWith(user.region)) throw notFound(`no ${kind} ${id} in your scope`)
    // Who viewed which record is kept (docs/security.md): a record page can name a citizen.
    ctx.audit?.record({
      action: 'view',
      user: user.name,
      role: user.role,
      region: user.region,
      ip: clientIp(c),
      target_kind: kind,
      target_id: id,
    })
    return record
  }

  /**
   * A page of records as the caller may see it: de-identified for a role that may not see personal
   * data; otherwise whole, with an audit row naming every record on the page.
   */
  function released<T extends { grid_code: string; lon: number; lat: number }>(
    c: Context<Env>,
    stream: StreamName,
    kind: string,
    ids: (r: T) => string,
    got: { items: T[]; next_cursor: string | null },
  ) {
    const user = c.get('user')
    const items = releaseTo(
      user.role,
      got.items,
      PERSONAL_FIELDS[stream],
      (r) => ctx.city.get(r.grid_code)?.centroid,
      (whole) =>
        ctx.audit?.record({
          action: 'read',
          user: user.name,
          role: user.role,
          region: user.region,
          ip: clientIp(c),
          target_kind: kind,
          target_ids: whole.map(ids),
        }),
    )
    return { ...got, items }
  }

  app.openapi(routes.events, async (c) => {
    const q = c.req.valid('query')
    const got = await listEvents(ctx.store, { ...page(c, q), status: q.status })
    return c.json(
      released(c, 'grid-events', 'event', (r) => r.event_id, got),
      200,
    )
  })
  app.openapi(
    routes.event,
    async (c) => {
      const { id } = c.req.valid('param')
      return c.json(inScope(c, 'event', id, await getEvent(ctx.store, id, ctx.now())), 200)
    },
    idHook,
  )

  app.openapi(routes.tickets, async (c) => {
    const q = c.req.valid('query')
    const got = await listTickets(ctx.store, { ...page(c, q), status: q.status })
    return c.json(
      released(c, 'hotline-tickets', 'ticket', (r) => r.ticket_id, got),
      200,
    )
  })
  app.openapi(
    routes.ticket,
    async (c) => {
      const { id } = c.req.valid('param')
      return c.json(inScope(c, 'ticket', id, await getTicket(ctx.store, id)), 200)
    },
    idHook,
  )

  app.openapi(routes.terminals, async (c) => {
    const q = c.req.valid('query')
    const region = scopedRegion(c, ctx, q.region)
    const s = {
      region: region.code,
      status: q.status,
      limit: q.limit,
      cursor: q.cursor,
      now: ctx.now(),
      silenceMs: ctx.terminalSilenceMs,
    }
    return c.json(await listTerminals(ctx.store, s), 200)
  })
  app.openapi(
    routes.terminal,
    async (c) => {
      const { id } = c.req.valid('param')
      // The query layer reads rows untyped; the declared shape is checked here, once per record page.
      const terminal = inScope(
        c,
        'terminal',
        id,
        await getTerminal(ctx.store, id, { now: ctx.now(), silenceMs: ctx.terminalSilenceMs }),
      )
      return c.json(TerminalDetailSchema.parse(terminal), 200)
    },
    idHook,
  )
  return app
}
