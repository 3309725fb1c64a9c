import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { upgradeWebSocket } from '@hono/node-server'
import { serveStatic } from '@hono/node-server/serve-static'
import { routePath } from 'hono/route'
import type { StoredFeed } from '#platform/feed.js'
import { handleError, errorBody } from '#platform/errors.js'
import { httpRequests } from '#platform/metrics.js'
import { requireUser } from './auth/middleware.js'
import { requireRole } from './auth/roles.js'
import type { AppContext } from './context.js'
import { LiveHub, type HubOptions } from './live/hub.js'
import { aggregateRoutes } from './routes/aggregates.js'
import { authRoutes } from './routes/auth.js'
import { catalogRoutes } from './routes/catalog.js'
import { alertRoutes } from './routes/alerts.js'
import { layerRoutes } from './routes/layers.js'
import { studioRoutes } from './routes/studio.js'
import { healthRoutes } from '#platform/health.js'
import { recordRoutes } from './routes/records.js'
import { regionRoutes } from './routes/regions.js'
import { AuditLog } from '#platform/auth/audit.js'
import { docsRoutes } from './routes/docs.js'
import {
  API_CSP,
  DEFAULT_SECURITY,
  apiBodyLimit,
  loginLimits,
  loginThrottle,
  originAllowed,
  userRateLimit,
} from './security.js'
import { LoginThrottle } from '#platform/auth/login-throttle.js'
import { screenRoutes } from './routes/screens.js'
import { statusRoutes } from './routes/status.js'
import { cityRoutes } from './routes/city.js'
import { routes } from '#core/contract/index.js'
import { contractApp } from './openapi.js'
import { jsonBodies } from './middleware/json-bodies.js'

export interface AppOptions {
  /** Stored records for the live socket. */
  feed: StoredFeed
  /** Extra sub-apps mounted at the root (the ingest routes in the one-process default). */
  mount?: Hono[]
  /** The built web app (dist/web); served at / with the SPA fallback when present. */
  webDir?: string
  hub?: HubOptions
}

/**
 * The whole HTTP surface, reused by the servers and by tests through `app.request()`. The api's
 * routes are declared in core/contract and mounted at the root with their full paths.
 */
export function createApp(ctx: AppContext, opts: AppOptions) {
  const app = contractApp()
  ctx.audit ??= new AuditLog(ctx.stores.background, ctx.now)
  const security = ctx.security ?? DEFAULT_SECURITY
  const hub = new LiveHub(ctx, opts.feed, opts.hub)
  const live = routes.live.path
  app.onError(handleError)
  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404))
  app.use('*', async (c, next) => {
    await next()
    httpRequests.inc({ method: c.req.method, route: routePath(c), status: String(c.res.status) })
  })
  app.use('*', secureHeaders({ crossOriginEmbedderPolicy: false, crossOriginResourcePolicy: 'same-origin' }))

  app.route('/', healthRoutes(ctx.stores.health))
  app.route('/', cityRoutes(ctx))
  for (const sub of opts.mount ?? []) app.route('/', sub)

  app.use('/api/*', async (c, next) => {
    await next()
    if (c.res.status === 101) return
    c.header('Content-Security-Policy', API_CSP)
    c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'no-store')
  })
  // The socket upgrade is no JSON route: declared for the document, served by the ws adapter.
  app.openAPIRegistry.registerPath(routes.live)
  app.get(live, async (c, next) => {
    // Cross-site pages must not open a socket with a user's token (browsers always send Origin).
    if (!originAllowed(c.req.header('origin'), c.req.header('host'), security.allowedOrigins)) {
      return c.json(errorBody('forbidden', `origin ${c.req.header('origin')} may not open the live socket`), 403)
    }
    await next()
  })
  app.get(
    live,
    upgradeWebSocket((c) => hub.handlers(c.req.query('token'))),
  )
  app.use('/api/v1/*', apiBodyLimit(security))
  app.use('/api/v1/*', jsonBodies())
  app.post(
    routes.login.path,
    loginThrottle(new LoginThrottle(loginLimits(security), ctx.tokens.deriveKey('device cookie')), ctx.audit),
  )
  app.route('/', authRoutes(ctx))
  app.route(
    '/',
    docsRoutes(() => app),
  )
  app.use('/api/v1/*', requireUser(ctx))
  app.use('/api/v1/*', userRateLimit(security))
  app.use('/api/v1/*', requireRole())
  app.route('/', regionRoutes(ctx))
  app.route('/', aggregateRoutes(ctx))
  app.route('/', recordRoutes(ctx))
  app.route('/', catalogRoutes(ctx))
  app.route('/', layerRoutes(ctx))
  app.route('/', alertRoutes(ctx, hub))
  app.route('/', studioRoutes(ctx))
  app.route('/', screenRoutes())
  app.route('/', statusRoutes(ctx))
  app.all('/api/*', (c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404))

  if (opts.webDir && existsSync(join(opts.webDir, 'index.html'))) {
    const webDir = opts.webDir
    app.use(
      '/*',
      serveStatic({
        root: webDir,
        // Built assets carry a content hash in their name: cache them for good; the page never.
        onFound: (path, c) =>
          c.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
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
