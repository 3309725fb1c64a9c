import { Hono } from 'hono'
import { z } from 'zod'
import { BreakdownBySchema, IntervalSchema, MetricSchema, type BreakdownBy } from '../../core/schemas/api.js'
import { classOf } from '../../core/schemas/catalog.js'
import { EVENT_STEP_ZH, TERMINAL_STATUS_ZH, TICKET_STEP_ZH } from '../../core/labels.js'
import { overview } from '../queries/overview.js'
import { breakdown, timeseries } from '../queries/metrics.js'
import type { AppContext, Env } from '../context.js'
import { RangeQuery, query, range, scopedRegion } from '../params.js'

// Event steps first: a breakdown by status of events names 派单 the same way a ticket's is.
const STATUS_NAMES: Record<string, string> = { ...TICKET_STEP_ZH, ...TERMINAL_STATUS_ZH, ...EVENT_STEP_ZH }

export function aggregateRoutes(ctx: AppContext) {
  const app = new Hono<Env>()

  app.get('/overview', async (c) => {
    const q = query(c, RangeQuery.extend({ region: z.string().optional() }))
    const region = scopedRegion(c, ctx, q.region)
    return c.json(await overview(ctx.store, { region: region.code, ...range(ctx, q), now: ctx.now() }))
  })

  app.get('/timeseries', async (c) => {
    const q = query(c, RangeQuery.extend({ metric: MetricSchema, region: z.string().optional(), interval: IntervalSchema.default('1h') }))
    const region = scopedRegion(c, ctx, q.region)
    const r = range(ctx, q)
    return c.json(await timeseries(ctx.store, { region: region.code, ...r, now: ctx.now() }, q.metric, q.interval, ctx.tz))
  })

  app.get('/breakdown', async (c) => {
    const q = query(c, RangeQuery.extend({ metric: MetricSchema, by: BreakdownBySchema, region: z.string().optional() }))
    const region = scopedRegion(c, ctx, q.region)
    const names = q.metric.startsWith('tickets.') ? ctx.names.tickets : ctx.names.events
    const nameOf = (by: BreakdownBy) => (key: string) => {
      if (by === 'child') return ctx.city.get(key)?.name ?? key
      if (by === 'status') return STATUS_NAMES[key] ?? key
      return names.get(key) ?? names.get(classOf(key)) ?? key
    }
    return c.json(await breakdown(ctx.store, { region: region.code, ...range(ctx, q), now: ctx.now() }, q.metric, q.by, nameOf(q.by)))
  })
  return app
}
