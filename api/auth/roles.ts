import type { MiddlewareHandler } from 'hono'
import type { Role } from '#core/schemas/api.js'
import { forbidden } from '#platform/errors.js'
import type { Env } from '../context.js'

/**
 * What each role may read, on top of the region scope that every route enforces:
 * - admin, operator, leader: every read route of their region and below;
 * - analyst: aggregates, lists and layers, but not one record's page (its timeline names reporters,
 *   addresses and descriptions a citizen gave);
 * - ingest: sends records only; no read route and no live socket.
 * Routes that change things (screens, alerts) check their own roles as well.
 */
const RECORD_PAGE = /^\/api\/v1\/(events|tickets)\/[^/]+$/

export function mayRead(role: Role, path: string): boolean {
  if (role === 'ingest') return false
  if (role === 'analyst' && RECORD_PAGE.test(path)) return false
  return true
}

export function mayUseLive(role: Role): boolean {
  return role !== 'ingest'
}

export function requireRole(): MiddlewareHandler<Env> {
  return async (c, next) => {
    const user = c.get('user')
    if (!mayRead(user.role, c.req.path)) throw forbidden(`role ${user.role} may not use ${c.req.path}`)
    await next()
  }
}
