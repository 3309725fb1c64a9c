import type { Context } from 'hono'

/**
 * The peer address of a request on the node server (undefined under app.request() in tests).
 * X-Forwarded-For is not trusted: behind a proxy the proxy's address is what we can vouch for.
 */
export function clientIp(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}
