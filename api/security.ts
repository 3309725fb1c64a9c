import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie, setCookie } from 'hono/cookie'
import { rateLimiter } from 'hono-rate-limiter'
import { LoginRequestSchema } from '#core/schemas/api.js'
import { ApiError, errorBody } from '#platform/errors.js'
import type { AuditLog } from '#platform/auth/audit.js'
import { clientIp } from '#platform/auth/client-ip.js'
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_DAYS,
  type Attempt,
  type LoginLimits,
  type LoginThrottle,
} from '#platform/auth/login-throttle.js'
import type { Env } from './context.js'

export interface SecurityOptions {
  /** Requests per minute per signed-in user on /api/v1. */
  perUserPerMinute: number
  /** Failed sign-ins per account per 5 minutes from clients not trusted for it (IOC_LOGIN_LIMIT). */
  loginsPer5Minutes: number
  /** Failed sign-ins per client address per 5 minutes from untrusted clients (default 10 × loginsPer5Minutes). */
  loginsPerAddress?: number
  /** Distinct names one password may fail against per hour before it is refused (default loginsPer5Minutes). */
  sprayNames?: number
  /** Hours from a sign-in after which its session is no longer renewed (IOC_SESSION_MAX_HOURS). */
  sessionMaxHours?: number
  /** Origins allowed to open the live socket besides the api's own. */
  allowedOrigins: string[]
  /** Largest JSON body the api accepts (the ingest routes set their own). */
  maxBodyBytes: number
  /** The studio's queries one user may run at once (429 past it). */
  adhocPerUser: number
}

export const DEFAULT_SECURITY = {
  perUserPerMinute: 1200,
  loginsPer5Minutes: 10,
  allowedOrigins: [],
  maxBodyBytes: 1 << 20,
  sessionMaxHours: 720,
  adhocPerUser: 2,
} satisfies SecurityOptions

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

/** The sign-in limits of the options, the unset ones derived from IOC_LOGIN_LIMIT. */
export function loginLimits(opts: SecurityOptions): LoginLimits {
  return {
    perAccount: opts.loginsPer5Minutes,
    perAddress: opts.loginsPerAddress ?? opts.loginsPer5Minutes * 10,
    sprayNames: opts.sprayNames ?? opts.loginsPer5Minutes,
  }
}

/**
 * Sign-in throttling on POST /auth/login (api/auth/login-throttle.ts): an attempt over a limit is
 * refused with 429 and Retry-After before its password is checked; a wrong password is counted
 * after the route answered 401; a successful sign-in gives the browser its device cookie.
 *
 * @example
 * app.post('/api/v1/auth/login', loginThrottle(new LoginThrottle(loginLimits(security), ctx.tokens.deriveKey('device
 * cookie')), ctx.audit))
 */
export function loginThrottle(throttle: LoginThrottle, audit?: AuditLog): MiddlewareHandler {
  return async function throttleSignIn(c, next) {
    const attempt = await readAttempt(c)
    // Not a sign-in the route will check (not JSON, no name): it answers 400 without a password check.
    if (!attempt) return next()
    const admission = await throttle.admit(attempt)
    if (!admission.ok) {
      audit?.record({ action: 'login.throttled', user: attempt.name, ip: attempt.ip, detail: admission.reason })
      const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000))
      return c.json(errorBody('rate_limited', `too many failed sign-ins: wait ${seconds} s (Retry-After)`), 429, {
        'Retry-After': String(seconds),
      })
    }
    await next()
    if (c.res.status === 401) await throttle.failed(attempt, admission)
    if (c.res.status === 200) {
      setCookie(c, DEVICE_COOKIE, await throttle.deviceToken(attempt.name), {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/api/v1/auth/login',
        maxAge: DEVICE_COOKIE_DAYS * 86_400,
        secure: new URL(c.req.url).protocol === 'https:',
      })
    }
  }
}

/** The name and password of a sign-in as the route will read them, from a clone of the body. */
async function readAttempt(c: Context): Promise<Attempt | undefined> {
  let body: unknown
  try {
    body = await c.req.raw.clone().json()
  } catch {
    return undefined
  }
  const parsed = LoginRequestSchema.safeParse(body)
  if (!parsed.success) return undefined
  return {
    ip: clientIp(c) ?? 'local',
    name: parsed.data.username,
    password: parsed.data.password,
    device: getCookie(c, DEVICE_COOKIE),
  }
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
export const API_CSP =
  "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
