import { Hono } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { LoginRequestSchema, type LoginInfo } from '#core/schemas/api.js'
import { badRequest, unauthorized } from '#platform/errors.js'
import { log } from '#platform/log.js'
import { bearer } from '#platform/auth/tokens.js'
import { renewSession } from '../auth/renewal.js'
import { clientIp } from '#platform/auth/client-ip.js'
import type { AppContext } from '../context.js'

export function authRoutes(ctx: AppContext) {
  const app = new Hono()
  // What the screen needs before anyone has signed in: whether to show the demo accounts, the
  // city's time zone (which decides what "today" is on every panel), and single sign-on if set up.
  app.get('/login', (c) => {
    const body: LoginInfo = { demo: ctx.demo, tz: ctx.tz, oidc: ctx.oidc ? { enabled: true, url: '/api/v1/auth/oidc/start' } : { enabled: false } }
    return c.json(body)
  })
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
      ctx.audit?.record({ action: 'login.refused', user: parsed.data.username, ip: clientIp(c) })
      throw unauthorized('wrong username or password')
    }
    log.info({ user: user.name, role: user.role }, 'login')
    ctx.audit?.record({ action: 'login', user: user.name, role: user.role, region: user.region, ip: clientIp(c) })
    return c.json({ token: await ctx.tokens.issue(user, { source: 'password' }), user })
  })
  // A wall runs for weeks: before its session expires it trades a valid token for a fresh one.
  app.post('/refresh', async (c) => {
    const token = bearer(c.req.header('authorization'))
    const session = token ? await ctx.tokens.session(token) : undefined
    if (!session) throw unauthorized('the session token is not valid or has expired: sign in again')
    return c.json(await renewSession(ctx, session, clientIp(c)))
  })

  // Single sign-on: /oidc/start sends the browser to the provider; /oidc/callback comes back with a
  // code, which becomes our session token, handed to the screen in the URL fragment (never sent to a server).
  const oidcLogin = ctx.oidc
  if (oidcLogin) {
    const COOKIE = 'ioc_oidc'
    app.get('/oidc/start', async (c) => {
      const { url, pending } = await oidcLogin.start()
      await setSignedCookie(c, COOKIE, JSON.stringify(pending), oidcLogin.cookieSecret, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/api/v1/auth/oidc',
        maxAge: 600,
        secure: new URL(c.req.url).protocol === 'https:',
      })
      return c.redirect(url, 302)
    })
    app.get('/oidc/callback', async (c) => {
      const raw = await getSignedCookie(c, oidcLogin.cookieSecret, COOKIE)
      deleteCookie(c, COOKIE, { path: '/api/v1/auth/oidc' })
      if (!raw) throw unauthorized('the sign-in took too long or did not start here: start again')
      try {
        const signedIn = await oidcLogin.finish(new URL(c.req.url).search, JSON.parse(raw), (code) => ctx.city.get(code) !== undefined)
        const { user } = signedIn
        ctx.audit?.record({ action: 'oidc.login', user: user.name, role: user.role, region: user.region, ip: clientIp(c) })
        // The provider's refresh token goes into the session token, encrypted (api/auth/tokens.ts).
        const token = await ctx.tokens.issue(user, { source: 'oidc', idp: signedIn.idp, ttlSeconds: signedIn.ttlSeconds })
        return c.redirect(`/login#token=${encodeURIComponent(token)}`, 302)
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        ctx.audit?.record({ action: 'oidc.refused', user: '', ip: clientIp(c), detail: message })
        throw unauthorized(`single sign-on failed: ${message}`)
      }
    })
  }
  return app
}
