import type { MiddlewareHandler } from 'hono'
import { ApiError } from '#platform/errors.js'
import type { Env } from '../context.js'

/**
 * At most `limit` requests of one signed-in user run at once on the routes it guards; one more is
 * refused with 429 at once (not queued: a draft the analyst re-runs replaces the one still running,
 * and a queue would only hold the workload's connections longer). Counts are per process.
 *
 * @example
 * app.use('/studio/*', perUserConcurrency(2, 'drafts'))
 */
export function perUserConcurrency(limit: number, what: string): MiddlewareHandler<Env> {
  const running = new Map<string, number>()
  return async function perUserConcurrencyLimit(c, next) {
    const name = c.get('user').name
    const n = running.get(name) ?? 0
    if (n >= limit) {
      throw new ApiError(
        429,
        'too_many_queries',
        `${n} of your ${what} are still running (at most ${limit} at once): wait for one to finish`,
        { limit },
        { 'Retry-After': '2' },
      )
    }
    running.set(name, n + 1)
    try {
      await next()
    } finally {
      const left = (running.get(name) ?? 1) - 1
      if (left > 0) running.set(name, left)
      else running.delete(name)
    }
  }
}
