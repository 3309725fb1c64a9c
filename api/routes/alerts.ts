import type { Context } from 'hono'
import { routes } from '#core/contract/index.js'
import type { Alert } from '#core/schemas/alert.js'
import { ApiError, badRequest, forbidden, notFound } from '#platform/errors.js'
import { evaluatorFor, onAlert } from '../alerts/evaluator.js'
import { getAlert, listAlerts, nextVersion, writeAlert } from '../alerts/store.js'
import type { AppContext, Env } from '../context.js'
import type { LiveHub } from '../live/hub.js'
import { thematicFor } from '../layers/service.js'
import { contractApp, contractHook, type Validated } from '../openapi.js'
import { scopedRegion } from '../params.js'

/** A bad assignee is answered as before the contract: `assignee: …`. */
function assigneeHook(result: Validated): undefined {
  if (!result.success && result.target === 'json') {
    throw badRequest(`assignee: ${result.error.issues[0].message}`, { parameter: 'assignee' })
  }
  return contractHook(result)
}

/** Alerts: list (any role, in scope), rules, acknowledge and assign (operator, admin). */
export function alertRoutes(ctx: AppContext, hub: Pick<LiveHub, 'publish'>) {
  const app = contractApp()
  const publish = (a: Alert) => hub.publish('alerts', a.region, a)
  onAlert(ctx, publish)

  app.openapi(routes.alerts, async (c) => {
    const q = c.req.valid('query')
    const region = scopedRegion(c, ctx, q.region)
    const s = { region: region.code, status: q.status, from: q.from, to: q.to, limit: q.limit }
    return c.json({ alerts: await listAlerts(ctx.store, s) }, 200)
  })

  app.openapi(routes.alertRules, async (c) => {
    const thematic = thematicFor(ctx)
    await thematic.ready()
    const user = c.get('user')
    const rules = thematic.rules
      .list()
      .filter((r) => r.scope.startsWith(user.region) || user.region.startsWith(r.scope))
    return c.json(
      { rules, errors: user.role === 'admin' || user.role === 'analyst' ? thematic.rules.problems() : [] },
      200,
    )
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

  app.openapi(routes.acknowledgeAlert, async (c) => {
    const alert = await actionable(c, c.req.valid('param').id)
    const now = ctx.now()
    const acked = { status: 'acknowledged' as const, acked_by: c.get('user').name }
    return c.json(
      await save({ ...alert, ...acked, updated_at: new Date(now).toISOString(), version: nextVersion(now) }),
      200,
    )
  })

  app.openapi(
    routes.assignAlert,
    async (c) => {
      const alert = await actionable(c, c.req.valid('param').id)
      const { assignee } = c.req.valid('json')
      const now = ctx.now()
      return c.json(
        await save({ ...alert, assignee, updated_at: new Date(now).toISOString(), version: nextVersion(now) }),
        200,
      )
    },
    assigneeHook,
  )

  // Kept here so the evaluator of this context exists once the routes are mounted (the dry run uses it).
  evaluatorFor(ctx)
  return app
}
