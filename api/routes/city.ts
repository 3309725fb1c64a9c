import { Hono } from 'hono'
import type { AppContext } from '../context.js'

/**
 * GET /city.json: the city's code, name and name_en from its city file, for the screen before
 * sign-in (the login page's title). Outside /api/v1, where every route but login needs a token.
 */
export function cityRoutes(ctx: Pick<AppContext, 'city'>) {
  const app = new Hono()
  app.get('/city.json', (c) => {
    c.header('Cache-Control', 'no-cache')
    return c.json(ctx.city.info)
  })
  return app
}
