import { Hono } from 'hono'
import type { Store } from '#store/client.js'
import { registry } from './metrics.js'

/** `/healthz` answers 200 only when the store answers; `/metrics` is Prometheus text. */
export function healthRoutes(store: Store) {
  const app = new Hono()
  app.get('/healthz', async (c) => {
    try {
      const ok = await Promise.race([
        store.ping().then((r) => r.success),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
      ])
      return ok ? c.json({ status: 'ok' }) : c.json({ status: 'unavailable', reason: 'the store does not answer' }, 503)
    } catch {
      return c.json({ status: 'unavailable', reason: 'the store does not answer' }, 503)
    }
  })
  app.get('/metrics', async (c) => {
    c.header('Content-Type', registry.contentType)
    return c.body(await registry.metrics())
  })
  return app
}
