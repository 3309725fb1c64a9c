import { routes } from '#core/contract/index.js'
import type { RegionInfo } from '#core/schemas/api.js'
import { ancestry } from '#core/regions.js'
import type { AppContext } from '../context.js'
import { contractApp } from '../openapi.js'
import { scopedRegion } from '../params.js'
import type { Region } from '#core/city.js'

const ref = (r: Region) => ({ code: r.code, name: r.name, level: r.level })

export function regionRoutes(ctx: AppContext) {
  const app = contractApp()
  app.openapi(routes.region, (c) => {
    const region = scopedRegion(c, ctx, c.req.valid('param').code)
    const body: RegionInfo = {
      ...ref(region),
      parent: region.parent,
      centroid: region.centroid,
      bbox: region.bbox,
      children: ctx.city.children(region.code).map(ref),
      path: ancestry(region.code).flatMap((code) => {
        const r = ctx.city.get(code)
        return r ? [ref(r)] : []
      }),
    }
    return c.json(body, 200)
  })
  app.openapi(routes.regionChildren, (c) => {
    const region = scopedRegion(c, ctx, c.req.valid('param').code)
    c.header('Cache-Control', 'private, max-age=3600')
    return c.json(ctx.city.childrenGeoJSON(region.code), 200)
  })
  app.openapi(routes.regionOutline, (c) => {
    const region = scopedRegion(c, ctx, c.req.valid('param').code)
    c.header('Cache-Control', 'private, max-age=3600')
    return c.json(ctx.city.outline(region.code) ?? null, 200)
  })
  return app
}
