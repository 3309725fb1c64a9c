import type { Context } from 'hono'
import { routes } from '#core/contract/index.js'
import { levelOf, overlap } from '#core/regions.js'
import { FRAME_MEDIA_TYPE, type Layer, type LayerParam, type LayerSummary } from '#core/schemas/layer.js'
import { ApiError, badRequest, forbidden, notFound } from '#platform/errors.js'
import type { AppContext } from '../context.js'
import { contractApp } from '../openapi.js'
import { encodeFrame } from '../layers/frame.js'
import { SandboxError } from '../layers/sandbox.js'
import { thematicFor } from '../layers/service.js'
import { range, scopedRegion } from '../params.js'

export function summary(l: Layer): LayerSummary {
  return {
    id: l.id,
    title: l.title,
    description: l.description,
    levels: l.levels,
    draw: l.draw,
    legend: l.legend,
    refresh_seconds: l.refresh_seconds,
    params: l.params,
    ...(l.live ? { live: l.live } : {}),
  }
}

/** Declared extra parameters from the query string, typed; a bad one is a 400 naming it. */
export function extrasFrom(c: Context, params: Record<string, LayerParam>): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [name, p] of Object.entries(params)) {
    const raw = c.req.query(name)
    if (raw === undefined) continue
    if (p.type === 'String') {
      if (raw.length > 200) throw badRequest(`parameter ${name}: at most 200 characters`, { parameter: name })
      out[name] = raw
      continue
    }
    const v = Number(raw)
    const ok =
      raw.trim() !== '' &&
      Number.isFinite(v) &&
      (p.type === 'Float64' || Number.isInteger(v)) &&
      (p.type !== 'UInt32' || (v >= 0 && v <= 4_294_967_295))
    if (!ok) throw badRequest(`parameter ${name}: not a ${p.type}`, { parameter: name })
    out[name] = v
  }
  return out
}

/**
 * The rows a layer may show when asked about `region`: the finer of the region and the layer's own
 * scope (the whole city when it has none), or undefined when they are apart.
 */
export function layerScope(ctx: AppContext, layer: Pick<Layer, 'scope'>, region: string): string | undefined {
  return overlap(region, layer.scope ?? ctx.city.root.code)
}

/** A sandbox refusal is the analyst's or the file's fault: 400 with the reason, not a 500. */
export function sandboxFailure(e: unknown): never {
  if (e instanceof SandboxError) throw new ApiError(e.reason === 'limit' ? 422 : 400, `sandbox_${e.reason}`, e.message)
  throw e
}

/** GET /api/v1/layers and GET /api/v1/layers/{id}/data (contract). */
export function layerRoutes(ctx: AppContext) {
  const app = contractApp()
  const thematic = thematicFor(ctx)

  app.openapi(routes.layers, async (c) => {
    await thematic.ready()
    const user = c.get('user')
    const layers = thematic.layers
      .list()
      .filter((l) => (l.roles as string[]).includes(user.role) && layerScope(ctx, l, user.region) !== undefined)
      .map(summary)
    // File problems are for the people who write them.
    const errors = user.role === 'admin' || user.role === 'analyst' ? thematic.layers.problems() : []
    return c.json({ layers, errors }, 200)
  })

  app.openapi(routes.layerData, async (c) => {
    await thematic.ready()
    const { id } = c.req.valid('param')
    const layer = thematic.layers.get(id)
    const user = c.get('user')
    if (!layer) throw notFound(`no layer ${id}`)
    if (!(layer.roles as string[]).includes(user.role))
      throw forbidden(`layer ${layer.id} is not open to the ${user.role} role`)
    const q = c.req.valid('query')
    const region = scopedRegion(c, ctx, q.region)
    // A layer of another part of the city does not exist for this question (as in the list).
    const scope = layerScope(ctx, layer, region.code)
    if (!scope) throw notFound(`no layer ${layer.id} for region ${region.code}`)
    const level = levelOf(region.code)!
    if (!layer.levels.includes(level))
      throw badRequest(`parameter region: layer ${layer.id} applies at ${layer.levels.join(', ')}, not at ${level}`, {
        parameter: 'region',
      })
    const r = range(ctx, q)
    const result = await thematic.sandbox
      .run(
        layer.sql,
        { region: region.code, scope, ...r, now: ctx.now(), extras: extrasFrom(c, layer.params) },
        layer.params,
      )
      .catch(sandboxFailure)
    const frame = encodeFrame(result, { layer: layer.id, region: region.code })
    return c.body(frame as Uint8Array<ArrayBuffer>, 200, {
      'content-type': FRAME_MEDIA_TYPE,
      'cache-control': 'no-store',
    })
  })
  return app
}
