import { routes } from '#core/contract/index.js'
import type { Status } from '#core/schemas/api.js'
import type { AppContext } from '../context.js'
import { contractApp } from '../openapi.js'
import { cachedNewest } from '../queries/status.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** GET /api/v1/status: the server's clock, the ingest lag and whether history is still loading (any signed-in user). */
export function statusRoutes(ctx: AppContext) {
  const app = contractApp()
  const newest = cachedNewest(ctx.store, ctx.timeBounds)
  app.openapi(routes.status, async (c) => {
    const now = ctx.now()
    const n = await newest(now)
    const stamps = [n.events, n.tickets, n.terminals].filter((t): t is number => t !== null)
    const h = ctx.history?.()
    const freshness = ctx.city.config.freshness
    const body: Status = {
      now: new Date(now).toISOString(),
      history: h
        ? { loading: h.loading, from: iso(h.from), to: iso(h.to), until: iso(h.until), progress: h.progress }
        : { loading: false, from: null, to: null, until: null, progress: 1 },
      newest: { events: iso(n.events), tickets: iso(n.tickets), terminals: iso(n.terminals) },
      // A record a little in the future (ingest takes IOC_MAX_FUTURE_MINUTES ahead) is no lag.
      lag_seconds: stamps.length ? Math.max(0, Math.round((now - Math.max(...stamps)) / 1000)) : null,
      freshness: { warn_seconds: freshness.warn_seconds, alarm_seconds: freshness.alarm_seconds },
      terminal_silence_minutes: ctx.terminalSilenceMs / 60_000,
    }
    c.header('Cache-Control', 'no-store')
    return c.json(body, 200)
  })
  return app
}
