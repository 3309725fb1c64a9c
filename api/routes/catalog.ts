import { Hono } from 'hono'
import type { CatalogNamesBody } from '#core/schemas/api.js'
import type { AppContext, Env } from '../context.js'

/** Names for the ids that records carry (`appearance.garbage` → 暴露垃圾), from dashboards/catalog. */
export function catalogRoutes(ctx: AppContext) {
  const app = new Hono<Env>()
  const body: CatalogNamesBody = { events: Object.fromEntries(ctx.names.events), tickets: Object.fromEntries(ctx.names.tickets) }
  app.get('/catalog', (c) => c.json(body))
  return app
}
