import { Hono } from 'hono'
import { LoginRequestSchema } from '../../core/schemas/api.js'
import { badRequest, unauthorized } from '../../server/errors.js'
import { log } from '../../server/log.js'
import type { AppContext } from '../context.js'

export function authRoutes(ctx: AppContext) {
  const app = new Hono()
  // What the screen needs before anyone has signed in: whether to show the demo accounts, and the
  // city's time zone, which decides what "today" is on every panel.
  app.get('/login', (c) => c.json({ demo: ctx.demo, tz: ctx.tz }))
  app.post('/login', async (c) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      throw badRequest('the body must be JSON {username, password}')
    }
    const parsed = LoginRequestSchema.safeParse(body)
    if (!parsed.success) throw badRequest(`field ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`)
    const user = await ctx.users.authenticate(parsed.data.username, parsed.data.password)
    if (!user) {
      log.info({ user: parsed.data.username }, 'login refused')
      throw unauthorized('wrong username or password')
    }
    log.info({ user: user.name, role: user.role }, 'login')
    return c.json({ token: await ctx.tokens.issue(user), user })
  })
  return app
}
