import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { AssignBodySchema, type Alert } from '#core/schemas/alert.js'
import { ApiError, badRequest, forbidden, notFound } from '#platform/errors.js'
import { evaluatorFor, onAlert } from '../alerts/evaluator.js'
import { getAlert, listAlerts, nextVersion, writeAlert } from '../alerts/store.js'
import type { AppContext, Env } from '../context.js'
import type { LiveHub } from '../live/hub.js'
import { thematicFor } from '../layers/service.js'
import { RangeQuery, query, scopedRegion } from '../params.js'

const ListQuery = RangeQuery.extend({
  region: z.string().optional(),
  status: z.enum(['active', 'firing', 'acknowledged', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})

/** Alerts: list (any role, in scope), rules, acknowledge and assign (operator, admin). */
export function alertRoutes(ctx: AppContext, hub: Pick<LiveHub, 'publish'>) {
  const app = new Hono<Env>()
  const publish = (a: Alert) => hub.publish('alerts', a.region, a)
  onAlert(ctx, publish)

  app.get('/', async (c) => {
    const q = query(c, ListQuery)
    const region = scopedRegion(c, ctx, q.region)
    return c.json({ alerts: await listAlerts(ctx.store, { region: region.code, status: q.status, from: q.from, to: q.to, limit: q.limit }) })
  })

  app.get('/rules', async (c) => {
    const thematic = thematicFor(ctx)
    await thematic.ready()
    const user = c.get('user')
    const rules = thematic.rules.list().filter((r) => r.scope.startsWith(user.region) || user.region.startsWith(r.scope))
    return c.json({ rules, errors: user.role === 'admin' || user.role === 'analyst' ? thematic.rules.problems() : [] })
  })

  /** An alert the caller may act on: operator or admin, inside their region. */
  async function actionable(c: Context<Env>, id: string): Promise<Alert> {
    const user = c.get('user')
    if (user.role !== 'operator' && user.role !== 'admin') throw forbidden(`the ${user.role} role cannot act on alerts`)
    const alert = await getAlert(ctx.store, id)
    if (!alert || !alert.region.startsWith(user.region)) throw notFound(`no alert ${id}`)
    if (alert.status === 'resolved') throw new ApiError(409, 'conflict', `alert ${alert.alert_id} is already resolved`)
    return alert
  }

  async function save(a: Alert): Promise<Alert> {
    await writeAlert(ctx.store, a)
    publish(a)
    return a
  }

  app.post('/:id/acknowledge', async (c) => {
    const alert = await actionable(c, c.req.param('id'))
    const now = ctx.now()
    return c.json(await save({ ...alert, status: 'acknowledged', acked_by: c.get('user').name, updated_at: new Date(now).toISOString(), version: nextVersion(now) }))
  })

  app.post('/:id/assign', async (c) => {
    const alert = await actionable(c, c.req.param('id'))
    const parsed = AssignBodySchema.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) throw badRequest(`assignee: ${parsed.error.issues[0].message}`, { parameter: 'assignee' })
    const now = ctx.now()
    return c.json(await save({ ...alert, assignee: parsed.data.assignee, updated_at: new Date(now).toISOString(), version: nextVersion(now) }))
  })

  // Kept here so the evaluator of this context exists once the routes are mounted (the dry run uses it).
  evaluatorFor(ctx)
  return app
}
