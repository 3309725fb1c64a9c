import { Hono } from 'hono'
import { z } from 'zod'
import { BreakdownBySchema, CompareSchema, IntervalSchema, MetricSchema, type BreakdownBy } from '#core/schemas/api.js'
import type { MetricDef } from '#core/schemas/metrics.js'
import { classOf } from '#core/schemas/catalog.js'
import { EVENT_STEP_ZH, TERMINAL_STATUS_ZH, TICKET_STEP_ZH } from '#core/labels.js'
import { badRequest } from '#platform/errors.js'
import { metricCatalog } from '../metric-catalog.js'
import { metricBreakdown, metricTimeseries, overviewWithCompare } from '../queries/aggregates.js'
import type { AppContext, Env } from '../context.js'
import { RangeQuery, query, range, scopedRegion } from '../params.js'

// Event steps first: a breakdown by status of events names 派单 the same way a ticket's is.
const STATUS_NAMES: Record<string, string> = { ...TICKET_STEP_ZH, ...TERMINAL_STATUS_ZH, ...EVENT_STEP_ZH }
const Compare = { compare: CompareSchema.optional() }

export function aggregateRoutes(ctx: AppContext) {
  const app = new Hono<Env>()
  const catalog = metricCatalog()

  function metricOf(id: string): MetricDef {
    const def = catalog.get(id)
    if (!def) throw badRequest(`parameter metric: no metric ${id} (GET /api/v1/metrics lists them)`, { parameter: 'metric' })
    return def
  }

  app.get('/metrics', (c) => c.json({ metrics: catalog.list() }))

  app.get('/overview', async (c) => {
    const q = query(c, RangeQuery.extend({ region: z.string().optional(), ...Compare }))
    const region = scopedRegion(c, ctx, q.region)
    return c.json(await overviewWithCompare(ctx.store, { region: region.code, ...range(ctx, q), now: ctx.now() }, q.compare === 'previous'))
  })

  app.get('/timeseries', async (c) => {
    const q = query(c, RangeQuery.extend({ metric: MetricSchema, region: z.string().optional(), interval: IntervalSchema.default('1h'), ...Compare }))
    const def = metricOf(q.metric)
    const region = scopedRegion(c, ctx, q.region)
    const r = range(ctx, q)
    return c.json(await metricTimeseries(ctx.store, def, { region: region.code, ...r, now: ctx.now() }, q.interval, ctx.tz, q.compare === 'previous'))
  })

  app.get('/breakdown', async (c) => {
    const q = query(c, RangeQuery.extend({ metric: MetricSchema, by: BreakdownBySchema, region: z.string().optional(), ...Compare }))
    const def = metricOf(q.metric)
    const region = scopedRegion(c, ctx, q.region)
    const names = def.source === 'tickets' ? ctx.names.tickets : ctx.names.events
    const nameOf = (by: BreakdownBy) => (key: string) => {
      if (by === 'child') return ctx.city.get(key)?.name ?? key
      if (by === 'status' || by === 'step') return STATUS_NAMES[key] ?? key
      return names.get(key) ?? names.get(classOf(key)) ?? key
    }
    const s = { region: region.code, ...range(ctx, q), now: ctx.now() }
    return c.json(await metricBreakdown(ctx.store, def, s, q.by, nameOf(q.by), q.compare === 'previous'))
  })
  return app
}
