import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { routes } from '#core/contract/index.js'
import type { LoginInfo } from '#core/schemas/api.js'
import { badRequest, unauthorized } from '#platform/errors.js'
import { log } from '#platform/log.js'
import { bearer } from '#platform/auth/tokens.js'
import { renewSession } from '../auth/renewal.js'
import { clientIp } from '#platform/auth/client-ip.js'
import type { AppContext } from '../context.js'
import { contractHook, contractApp, type Validated } from '../openapi.js'

/** A bad sign-in body is answered as before the contract: `field username: …`, no details. */
function loginHook(result: Validated): undefined {
  if (!result.success && result.target === 'json') {
    const issue = result.error.issues[0]
    throw badRequest(`field ${issue.path.join('.')}: ${issue.message}`)
  }
  return contractHook(result)
}

export function authRoutes(ctx: AppContext) {
  const app = contractApp()
  // What the screen needs before anyone has signed in: whether to show the demo accounts, the
  // city's time zone (which decides what "today" is on every panel), and single sign-on if set up.
  app.openapi(routes.loginInfo, (c) => {
    const oidc = ctx.oidc ? { enabled: true, url: routes.oidcStart.path } : { enabled: false }
    const body: LoginInfo = { demo: ctx.demo, tz: ctx.tz, oidc }
    return c.json(body, 200)
  })
  app.openapi(
    routes.login,
    async (c) => {
      const { username, password } = c.req.valid('json')
      const user = await ctx.users.authenticate(username, password)
      if (!user) {
        log.info({ user: username }, 'login refused')
        ctx.audit?.record({ action: 'login.refused', user: username, ip: clientIp(c) })
        throw unauthorized('wrong username or password')
      }
      log.info({ user: user.name, role: user.role }, 'login')
      ctx.audit?.record({ action: 'login', user: user.name, role: user.role, region: user.region, ip: clientIp(c) })
      return c.json({ token: await ctx.tokens.issue(user, { source: 'password' }), user }, 200)
    },
    loginHook,
  )
  // A wall runs for weeks: before its session expires it trades a valid token for a fresh one.
  app.openapi(routes.refresh, async (c) => {
    const token = bearer(c.req.header('authorization'))
    const session = token ? await ctx.tokens.session(token) : undefined
    if (!session) throw unauthorized('the session token is not valid or has expired: sign in again')
    return c.json(await renewSession(ctx, session, clientIp(c)), 200)
  })

  // Single sign-on: /oidc/start sends the browser to the provider; /oidc/callback comes back with a
  // code, which becomes our session token, handed to the screen in the URL fragment (never sent to a server).
  const oidcLogin = ctx.oidc
  if (oidcLogin) {
    const COOKIE = 'ioc_oidc'
    app.openapi(routes.oidcStart, async (c) => {
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
    app.openapi(routes.oidcCallback, async (c) => {
      const raw = await getSignedCookie(c, oidcLogin.cookieSecret, COOKIE)
      deleteCookie(c, COOKIE, { path: '/api/v1/auth/oidc' })
      if (!raw) throw unauthorized('the sign-in took too long or did not start here: start again')
      try {
        const signedIn = await oidcLogin.finish(
          new URL(c.req.url).search,
          JSON.parse(raw),
          (code) => ctx.city.get(code) !== undefined,
        )
        const { user } = signedIn
        ctx.audit?.record({
          action: 'oidc.login',
          user: user.name,
          role: user.role,
          region: user.region,
          ip: clientIp(c),
        })
        // The provider's refresh token goes into the session token, encrypted (api/auth/tokens.ts).
        const token = await ctx.tokens.issue(user, {
          source: 'oidc',
          idp: signedIn.idp,
          ttlSeconds: signedIn.ttlSeconds,
        })
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
