import type { MiddlewareHandler } from 'hono'
import { ApiError, unauthorized } from '#platform/errors.js'
import type { AppContext, Env } from '../context.js'
import { verifySession } from '#platform/auth/sessions.js'
import { bearer } from '#platform/auth/tokens.js'

/**
 * Every /api/v1 route but login needs a session that still stands (signature, expiry, and for a
 * local account the directory's current role and region); the user goes into the context.
 *
 * @example
 * app.use('/api/v1/*', requireUser(ctx))
 * // 401 {"error":{"code":"account_changed",…}} once an admin changed the user's role: renew and retry.
 */
export function requireUser(ctx: AppContext): MiddlewareHandler<Env> {
  return async function requireSession(c, next) {
    const token = bearer(c.req.header('authorization'))
    if (!token) throw unauthorized('sign in first: Authorization: Bearer <token>')
    const verdict = await verifySession(ctx, token)
    if (!verdict.ok) throw new ApiError(401, verdict.code, verdict.message)
    c.set('user', verdict.session.user)
    await next()
  }
}
