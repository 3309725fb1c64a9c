import type { MiddlewareHandler } from 'hono'

/**
 * Bodies of the api are JSON whatever their `Content-Type` says, as they were before the routes
 * were declared with their schemas: `fetch(url, { method: 'POST', body: JSON.stringify(x) })` sends
 * `text/plain`, and `curl -d` sends a form type. The declared routes validate only a JSON body, so a
 * request with a body and another type is relabelled here instead of being refused with 415.
 *
 * @example
 * app.use('/api/v1/*', jsonBodies())
 */
export function jsonBodies(): MiddlewareHandler {
  return async function relabelAsJson(c, next) {
    const type = c.req.header('content-type') ?? ''
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.raw.body && !/json/i.test(type)) {
      const headers = new Headers(c.req.raw.headers)
      headers.set('content-type', 'application/json')
      // The body is not read yet (this runs before every route), so the stream passes on unread.
      c.req.raw = new Request(c.req.raw, { headers, duplex: 'half' } as RequestInit)
    }
    await next()
  }
}
