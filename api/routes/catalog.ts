import { routes } from '#core/contract/index.js'
import type { CatalogNamesBody } from '#core/schemas/api.js'
import type { AppContext } from '../context.js'
import { contractApp } from '../openapi.js'

/** Names for the ids that records carry (`appearance.garbage` → 暴露垃圾), from dashboards/catalog. */
export function catalogRoutes(ctx: AppContext) {
  const app = contractApp()
  const body: CatalogNamesBody = {
    events: Object.fromEntries(ctx.names.events),
    tickets: Object.fromEntries(ctx.names.tickets),
    en: { events: Object.fromEntries(ctx.names.en.events), tickets: Object.fromEntries(ctx.names.en.tickets) },
  }
  app.openapi(routes.catalog, (c) => c.json(body, 200))
  return app
}
