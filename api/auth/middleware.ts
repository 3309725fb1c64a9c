import type { MiddlewareHandler } from 'hono'
import { unauthorized } from '../../server/errors.js'
import type { AppContext, Env } from '../context.js'
import { bearer } from './tokens.js'

/** Every /api/v1 route but login needs a valid session; the user goes into the context. */
export function requireUser(ctx: AppContext): MiddlewareHandler<Env> {
  return async (c, next) => {
    const token = bearer(c.req.header('authorization'))
    if (!token) throw unauthorized('sign in first: Authorization: Bearer <token>')
    const user = await ctx.tokens.verify(token)
    if (!user) throw unauthorized('the session token is not valid or has expired')
    c.set('user', user)
    await next()
  }
}
