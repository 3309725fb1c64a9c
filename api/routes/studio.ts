import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { routes, StudioKindSchema, V1, type StudioKind } from '#core/contract/index.js'
import { isWithin, levelOf } from '#core/regions.js'
import { AlertRuleSchema } from '#core/schemas/alert.js'
import { FRAME_MEDIA_TYPE, LayerSchema } from '#core/schemas/layer.js'
import { ApiError, badRequest, forbidden, notFound } from '#platform/errors.js'
import { evaluatorFor } from '../alerts/evaluator.js'
import type { AppContext } from '../context.js'
import { contractApp } from '../openapi.js'
import { parseYamlFile, type FileError } from '../layers/files.js'
import { encodeFrame } from '../layers/frame.js'
import { thematicFor } from '../layers/service.js'
import { range, scopedRegion } from '../params.js'
import { extrasFrom, layerScope, sandboxFailure } from './layers.js'
import { perUserConcurrency } from '../middleware/per-user-concurrency.js'
import { DEFAULT_SECURITY } from '../security.js'
import { tableName } from '#store/schema.js'

const time = (s: string | undefined, name: string) => {
  if (s === undefined || s === '') return undefined
  const t = Date.parse(s)
  if (Number.isNaN(t)) throw badRequest(`parameter ${name}: not an ISO 8601 time`, { parameter: name })
  return t
}

/**
 * The studio's api (analyst, admin): read the files, validate and run a draft against live data,
 * dry-run a rule over the past week, and save a file (with an audit row in `studio_audit`).
 */
export function studioRoutes(ctx: AppContext) {
  const app = contractApp()
  const thematic = thematicFor(ctx)

  // Mounted at the root with the other declared routes: its guards name its own paths.
  app.use(`${V1}/studio/*`, async (c, next) => {
    const role = c.get('user').role
    if (role !== 'analyst' && role !== 'admin')
      throw forbidden(`the studio is for analysts and admins, not the ${role} role`)
    await thematic.ready()
    await next()
  })
  // Every POST runs the draft's SQL (a check at least): one analyst cannot take the adhoc workload's connections.
  app.post(`${V1}/studio/*`, perUserConcurrency((ctx.security ?? DEFAULT_SECURITY).adhocPerUser, 'studio queries'))

  const folder = (kind: StudioKind) => (kind === 'layers' ? thematic.layers : thematic.rules)

  app.openapi(routes.studioList, (c) => {
    const set = folder(c.req.valid('param').kind)
    return c.json({ ids: set.list().map((x) => x.id), errors: set.problems() }, 200)
  })

  app.openapi(routes.studioRead, (c) => {
    const param = c.req.valid('param')
    const kind = StudioKindSchema.safeParse(param.kind)
    const id = param.id
    if (!kind.success || !/^[a-z][a-z0-9_-]{1,63}$/.test(id)) throw notFound(`no file ${param.kind}/${id}`)
    const file = join(folder(kind.data).dir, `${id}.yaml`)
    if (!existsSync(file)) throw notFound(`no file ${kind.data}/${id}.yaml`)
    return c.json({ id, text: readFileSync(file, 'utf8') }, 200)
  })

  app.openapi(routes.studioValidate, async (c) => {
    const { kind } = c.req.valid('param')
    const { text } = c.req.valid('json')
    const { errors, warnings } =
      kind === 'layers' ? await thematic.validateLayer(text) : await thematic.validateRule(text)
    return c.json({ errors, warnings }, 200)
  })

  /** Run a draft layer in the caller's scope: the same frame as the layer route, with its timing. */
  app.openapi(routes.studioRun, async (c) => {
    const b = c.req.valid('json')
    const { layer, errors } = await thematic.validateLayer(b.text)
    if (!layer)
      throw new ApiError(
        400,
        'invalid_layer',
        errors.map((e) => `line ${e.line ?? '?'} ${e.field}: ${e.message}`).join('; '),
        { errors },
      )
    const region = scopedRegion(c, ctx, b.region)
    const scope = layerScope(ctx, layer, region.code)
    if (!scope)
      throw badRequest(`parameter region: the layer is about ${layer.scope}, not ${region.code}`, {
        parameter: 'region',
      })
    const level = levelOf(region.code)!
    if (!layer.levels.includes(level))
      throw badRequest(`parameter region: the layer applies at ${layer.levels.join(', ')}, not at ${level}`, {
        parameter: 'region',
      })
    const r = range(ctx, { from: time(b.from, 'from'), to: time(b.to, 'to') })
    const t0 = performance.now()
    const result = await thematic.drafts
      .run(
        layer.sql,
        { region: region.code, scope, ...r, now: ctx.now(), extras: extrasFrom(c, layer.params) },
        layer.params,
      )
      .catch(sandboxFailure)
    const frame = encodeFrame(result, { layer: layer.id, region: region.code })
    c.header('x-ioc-total-ms', (performance.now() - t0).toFixed(1))
    return c.body(frame as Uint8Array<ArrayBuffer>, 200, {
      'content-type': FRAME_MEDIA_TYPE,
      'cache-control': 'no-store',
    })
  })

  /** A draft rule over the past week: when it would have fired and cleared (nothing is stored). */
  app.openapi(routes.studioDryRun, async (c) => {
    const b = c.req.valid('json')
    const { rule, errors } = await thematic.validateRule(b.text)
    if (!rule)
      throw new ApiError(
        400,
        'invalid_rule',
        errors.map((e) => `line ${e.line ?? '?'} ${e.field}: ${e.message}`).join('; '),
        { errors },
      )
    const user = c.get('user')
    // The rule runs in its own scope, which must be inside the caller's.
    if (!isWithin(rule.scope, user.region)) throw forbidden(`scope ${rule.scope} is outside your region ${user.region}`)
    const t0 = performance.now()
    const result = await evaluatorFor(ctx).dryRun(rule).catch(sandboxFailure)
    return c.json({ ...result, elapsed_ms: Math.round(performance.now() - t0) }, 200)
  })

  /** Save a file: valid only, named by its id, written atomically, audited; the watcher reloads it. */
  app.openapi(routes.studioSave, async (c) => {
    const { kind, id } = c.req.valid('param')
    const { text } = c.req.valid('json')
    const checked: { errors: FileError[]; item?: { id: string; scope?: string } } =
      kind === 'layers'
        ? await thematic.validateLayer(text, `${id}.yaml`).then((v) => ({ errors: v.errors, item: v.layer }))
        : await thematic.validateRule(text, `${id}.yaml`).then((v) => ({ errors: v.errors, item: v.rule }))
    const item = checked.item
    if (!item)
      throw new ApiError(
        400,
        'invalid_file',
        checked.errors.map((e) => `line ${e.line ?? '?'} ${e.field}: ${e.message}`).join('; '),
        { errors: checked.errors },
      )
    if (item.id !== id)
      throw badRequest(`id: the file ${id}.yaml must hold id ${id}, not ${item.id}`, { parameter: 'id' })
    const user = c.get('user')
    const scope = item.scope ?? ctx.city.root.code
    if (!isWithin(scope, user.region)) throw forbidden(`scope ${scope} is outside your region ${user.region}`)
    const dir = folder(kind).dir
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${id}.yaml`)
    const before = existsSync(file) ? readFileSync(file, 'utf8') : ''
    // The file replaced must be one the writer could have written: a district cannot take over,
    // rescope or shadow a city file. One that does not parse counts as the whole city's.
    if (before) {
      const old = parseYamlFile(`${id}.yaml`, before, kind === 'layers' ? LayerSchema : AlertRuleSchema)
      const oldScope = (old.ok ? old.value.scope : undefined) ?? ctx.city.root.code
      if (!isWithin(oldScope, user.region))
        throw forbidden(`${kind}/${id}.yaml replaces a file scoped to ${oldScope}, outside your region ${user.region}`)
    }
    const tmp = join(dir, `.${id}.yaml.tmp`)
    writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`)
    renameSync(tmp, file)
    await ctx.store.insert({
      table: tableName.studioAudit,
      format: 'JSONEachRow',
      values: [
        {
          user: user.name,
          role: user.role,
          kind,
          item_id: id,
          action: before ? 'update' : 'create',
          before,
          after: text,
        },
      ],
    })
    await folder(kind).load()
    return c.json({ saved: `${kind}/${id}.yaml`, action: before ? ('update' as const) : ('create' as const) }, 200)
  })

  return app
}
