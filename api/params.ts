import type { Context } from 'hono'
import { levelOf } from '#core/regions.js'
import { startOfDay } from '#core/time.js'
import { badRequest, forbidden, notFound } from '#platform/errors.js'
import type { AppContext, Env } from './context.js'
import type { Region } from '#core/city.js'
import type { Scope } from './queries/scope.js'

/** from/to as epoch ms; the default is today in the city's time zone. */
export function range(ctx: AppContext, q: { from?: number; to?: number }): { from: number; to: number } {
  const from = q.from ?? startOfDay(ctx.now(), ctx.tz)
  const to = q.to ?? Math.max(from + 86_400_000, ctx.now())
  if (to <= from) throw badRequest('parameter to: must be after from', { parameter: 'to' })
  if (to - from > 400 * 86_400_000) throw badRequest('parameter to: a range is at most 400 days', { parameter: 'to' })
  return { from, to }
}

/** The scope of a metric question: the region, the range (default today), the clock and the silence rule. */
export function metricScope(ctx: AppContext, region: Region, q: { from?: number; to?: number }): Scope {
  return { region: region.code, ...range(ctx, q), now: ctx.now(), silenceMs: ctx.terminalSilenceMs }
}

/**
 * The region a request asks about: the caller's own region when absent; 400 when not a code,
 * 404 when unknown, 403 when outside the caller's scope (checked server-side from the token).
 */
export function scopedRegion(c: Context<Env>, ctx: AppContext, code: string | undefined): Region {
  const user = c.get('user')
  const wanted = code ?? user.region
  if (!levelOf(wanted)) throw badRequest(`parameter region: ${wanted} is not a region code`, { parameter: 'region' })
  const region = ctx.city.get(wanted)
  if (!region) throw notFound(`no region ${wanted}`)
  if (!wanted.startsWith(user.region)) throw forbidden(`region ${wanted} is outside your scope ${user.region}`)
  return region
}
