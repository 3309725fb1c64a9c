import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { rateLimiter } from 'hono-rate-limiter'
import { ApiError, errorBody } from '../server/errors.js'
import { clientIp } from './auth/client-ip.js'
import type { Env } from './context.js'

export interface SecurityOptions {
  /** Requests per minute per signed-in user on /api/v1. */
  perUserPerMinute: number
  /** Failed sign-in attempts per 5 minutes per client address and user name. */
  loginsPer5Minutes: number
  /** Hours from a sign-in after which its session is no longer renewed (IOC_SESSION_MAX_HOURS). */
  sessionMaxHours?: number
  /** Origins allowed to open the live socket besides the api's own. */
  allowedOrigins: string[]
  /** Largest JSON body the api accepts (the ingest routes set their own). */
  maxBodyBytes: number
}

export const DEFAULT_SECURITY = { perUserPerMinute: 1200, loginsPer5Minutes: 10, allowedOrigins: [], maxBodyBytes: 1 << 20, sessionMaxHours: 720 } satisfies SecurityOptions

const tooMany = (c: Context) =>
  c.json(errorBody('rate_limited', 'too many requests: wait for the number of seconds in Retry-After'), 429)

/** Per signed-in user (after requireUser): a runaway script or screen cannot starve the others. */
export function userRateLimit(opts: SecurityOptions): MiddlewareHandler<Env> {
  return rateLimiter<Env>({
    windowMs: 60_000,
    limit: opts.perUserPerMinute,
    standardHeaders: 'draft-7',
    keyGenerator: (c) => `user:${c.get('user').name}`,
    handler: tooMany,
  })
}

/**
 * Failed sign-ins per address and name: password guessing is slowed to a crawl, while a wall or a
 * test suite that signs in often with the right password is not (successful sign-ins do not count).
 */
export function loginRateLimit(opts: SecurityOptions): MiddlewareHandler {
  return rateLimiter({
    windowMs: 5 * 60_000,
    limit: opts.loginsPer5Minutes,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    // The name is read from a clone: the route still reads the body itself.
    keyGenerator: async (c) => {
      let name = ''
      try {
        const body = (await c.req.raw.clone().json()) as { username?: unknown }
        name = typeof body.username === 'string' ? body.username.slice(0, 64) : ''
      } catch {
        // Not JSON: the route answers 400; the attempt still counts against the address.
      }
      return `login:${clientIp(c) ?? 'local'}:${name}`
    },
    handler: tooMany,
  })
}

/** Bodies of api requests are small JSON: anything larger is refused before it is read. */
export function apiBodyLimit(opts: SecurityOptions): MiddlewareHandler {
  return bodyLimit({
    maxSize: opts.maxBodyBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `the body is over ${opts.maxBodyBytes} bytes`)
    },
  })
}

/**
 * A browser sends its page's Origin with a socket upgrade; a page of another site must not open a
 * socket with a user's token. Clients that are not browsers send none and still need a token.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return true
  let o: URL
  try {
    o = new URL(origin)
  } catch {
    return false
  }
  if (host && o.host === host) return true
  return allowed.includes(o.origin)
}

/** A strict policy for JSON and the docs page (the screen's own page sets what its libraries need). */
export const API_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
