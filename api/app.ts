import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { upgradeWebSocket } from '@hono/node-server'
import { serveStatic } from '@hono/node-server/serve-static'
import { routePath } from 'hono/route'
import type { StoredFeed } from '../ingest/bus.js'
import { handleError, errorBody } from '../server/errors.js'
import { httpRequests } from '../server/metrics.js'
import { requireUser } from './auth/middleware.js'
import type { AppContext, Env } from './context.js'
import { LiveHub, type HubOptions } from './live/hub.js'
import { aggregateRoutes } from './routes/aggregates.js'
import { authRoutes } from './routes/auth.js'
import { catalogRoutes } from './routes/catalog.js'
import { healthRoutes } from './routes/health.js'
import { recordRoutes } from './routes/records.js'
import { regionRoutes } from './routes/regions.js'
import { screenRoutes } from './routes/screens.js'

export interface AppOptions {
  /** Stored records for the live socket. */
  feed: StoredFeed
  /** Extra sub-apps mounted at the root (the ingest routes in the one-process default). */
  mount?: Hono[]
  /** The built web app (dist/web); served at / with the SPA fallback when present. */
  webDir?: string
  hub?: HubOptions
}

/** The whole HTTP surface, reused by the servers and by tests through `app.request()`. */
export function createApp(ctx: AppContext, opts: AppOptions) {
  const app = new Hono<Env>()
  const hub = new LiveHub(ctx, opts.feed, opts.hub)
  app.onError(handleError)
  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404))
  app.use('*', async (c, next) => {
    await next()
    httpRequests.inc({ method: c.req.method, route: routePath(c), status: String(c.res.status) })
  })
  app.use('*', secureHeaders({ crossOriginEmbedderPolicy: false, crossOriginResourcePolicy: 'same-origin' }))

  app.route('/', healthRoutes(ctx.store))
  for (const sub of opts.mount ?? []) app.route('/', sub)

  app.get(
    '/api/v1/live',
    upgradeWebSocket((c) => hub.handlers(c.req.query('token'))),
  )
  app.route('/api/v1/auth', authRoutes(ctx))
  app.use('/api/v1/*', requireUser(ctx))
  app.route('/api/v1/regions', regionRoutes(ctx))
  app.route('/api/v1', aggregateRoutes(ctx))
  app.route('/api/v1', recordRoutes(ctx))
  app.route('/api/v1', catalogRoutes(ctx))
  app.route('/api/v1', screenRoutes())
  app.all('/api/*', (c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404))

  if (opts.webDir && existsSync(join(opts.webDir, 'index.html'))) {
    const webDir = opts.webDir
    app.use(
      '/*',
      serveStatic({
        root: webDir,
        // Built assets carry a content hash in their name: cache them for good; the page never.
        onFound: (path, c) => c.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      }),
    )
    // A missing asset is a 404, not the page: after a rebuild the browser then reloads cleanly.
    app.get('/assets/*', (c) => c.json(errorBody('not_found', `no asset ${c.req.path}`), 404))
    // Client-side routes (/login, /?region=…) all load the one page, read fresh so a rebuild shows at once.
    app.get('*', (c) => {
      c.header('Cache-Control', 'no-cache')
      return c.html(readFileSync(join(webDir, 'index.html'), 'utf8'))
    })
  }
  return { app, hub }
}
