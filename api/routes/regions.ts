import { Hono } from 'hono'
import type { RegionInfo } from '#core/schemas/api.js'
import { ancestry } from '#core/regions.js'
import type { AppContext, Env } from '../context.js'
import { scopedRegion } from '../params.js'
import type { Region } from '#core/city.js'

const ref = (r: Region) => ({ code: r.code, name: r.name, level: r.level })

export function regionRoutes(ctx: AppContext) {
  const app = new Hono<Env>()
  app.get('/:code', (c) => {
    const region = scopedRegion(c, ctx, c.req.param('code'))
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
    return c.json(body)
  })
  app.get('/:code/children.geojson', (c) => {
    const region = scopedRegion(c, ctx, c.req.param('code'))
    c.header('Cache-Control', 'private, max-age=3600')
    return c.json(ctx.city.childrenGeoJSON(region.code))
  })
  app.get('/:code/outline.geojson', (c) => {
    const region = scopedRegion(c, ctx, c.req.param('code'))
    c.header('Cache-Control', 'private, max-age=3600')
    return c.json(ctx.city.outline(region.code) ?? null)
  })
  return app
}
