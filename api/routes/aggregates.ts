import { routes } from '#core/contract/index.js'
import type { BreakdownBy } from '#core/schemas/api.js'
import type { MetricDef } from '#core/schemas/metrics.js'
import { classOf } from '#core/schemas/catalog.js'
import { EVENT_STEP_ZH, TERMINAL_STATUS_ZH, TICKET_STEP_ZH } from '#core/labels.js'
import { badRequest } from '#platform/errors.js'
import { metricCatalog } from '../metric-catalog.js'
import { metricBreakdown, metricTimeseries, overviewWithCompare } from '../queries/aggregates.js'
import type { AppContext } from '../context.js'
import { contractApp } from '../openapi.js'
import { metricScope, scopedRegion } from '../params.js'

// Event steps first: a breakdown by status of events names 派单 the same way a ticket's is.
const STATUS_NAMES: Record<string, string> = { ...TICKET_STEP_ZH, ...TERMINAL_STATUS_ZH, ...EVENT_STEP_ZH }

export function aggregateRoutes(ctx: AppContext) {
  const app = contractApp()
  const catalog = metricCatalog()

  function metricOf(id: string): MetricDef {
    const def = catalog.get(id)
    if (!def)
      throw badRequest(`parameter metric: no metric ${id} (GET /api/v1/metrics lists them)`, { parameter: 'metric' })
    return def
  }

  app.openapi(routes.metrics, (c) => c.json({ metrics: catalog.list() }, 200))

  app.openapi(routes.overview, async (c) => {
    const q = c.req.valid('query')
    const region = scopedRegion(c, ctx, q.region)
    const s = metricScope(ctx, region, q)
    return c.json(await overviewWithCompare(ctx.store, s, q.compare === 'previous'), 200)
  })

  app.openapi(routes.timeseries, async (c) => {
    const q = c.req.valid('query')
    const def = metricOf(q.metric)
    const region = scopedRegion(c, ctx, q.region)
    const s = metricScope(ctx, region, q)
    return c.json(await metricTimeseries(ctx.store, def, s, q.interval, ctx.tz, q.compare === 'previous'), 200)
  })

  app.openapi(routes.breakdown, async (c) => {
    const q = c.req.valid('query')
    const def = metricOf(q.metric)
    const region = scopedRegion(c, ctx, q.region)
    const names = def.source === 'tickets' ? ctx.names.tickets : ctx.names.events
    const nameOf = (by: BreakdownBy) => (key: string) => {
      if (by === 'child') return ctx.city.get(key)?.name ?? key
      if (by === 'status' || by === 'step') return STATUS_NAMES[key] ?? key
      return names.get(key) ?? names.get(classOf(key)) ?? key
    }
    const s = metricScope(ctx, region, q)
    return c.json(await metricBreakdown(ctx.store, def, s, q.by, nameOf(q.by), q.compare === 'previous'), 200)
  })
  return app
}
