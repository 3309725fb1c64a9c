import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/app.js'
import { OidcLogin } from '../../api/auth/oidc.js'
import { startHarness, type Harness } from '../support/harness.js'

/**
 * Single sign-on against a real OpenID Connect provider (npm oidc-provider) started here on a
 * loopback port: discovery, authorization code with PKCE, the token exchange and the ID token's
 * checks all run for real; only the provider's login page is replaced by a handler that signs in
 * the account the test chose.
 */
const ACCOUNTS: Record<string, Record<string, string>> = {
  wang: { preferred_username: 'wang', ioc_role: 'leader', ioc_region: '320102' },
  mallory: { preferred_username: 'mallory', ioc_role: 'superuser', ioc_region: '3201' },
}
const REDIRECT = 'http://ioc.test/api/v1/auth/oidc/callback'

let h: Harness
let server: Server
let issuer: string
let nextAccount = 'wang'
let app: ReturnType<typeof createApp>['app']
let hub: ReturnType<typeof createApp>['hub']

beforeAll(async () => {
  h = await startHarness()
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'ioc', client_secret: 'ioc-secret', redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], profile: ['preferred_username', 'ioc_role', 'ioc_region'] },
    // The role and region travel in the ID token itself.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-cookie-key'] },
    // Consent is the city's own policy: granted for this client.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! })
      grant.addOIDCScope('openid profile')
      await grant.save()
      return grant
    },
  })
  const callback = provider.callback()
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void provider.interactionFinished(req, res, { login: { accountId: nextAccount } }, { mergeWithLastSubmission: false })
      return
    }
    callback(req, res)
  })
  const oidc = await OidcLogin.discover({ issuer, clientId: 'ioc', clientSecret: 'ioc-secret', redirectUrl: REDIRECT, roleClaim: 'ioc_role', regionClaim: 'ioc_region', allowHttp: true })
  ;({ app, hub } = createApp({ ...h.ctx, oidc }, { feed: h.bus, hub: { kpiIntervalMs: 60_000 } }))
})
afterAll(async () => {
  hub?.close()
  server?.close()
  await h?.close()
})

/** Follow the browser's redirects through the provider, carrying its cookies, back to our callback. */
async function signIn(account: string): Promise<Response> {
  nextAccount = account
  const start = await app.request('/api/v1/auth/oidc/start')
  expect(start.status).toBe(302)
  const ours = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  let url = start.headers.get('location')!
  expect(url.startsWith(`${issuer}/`)).toBe(true)
  expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256')
  const jar = new Map<string, string>()
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(REDIRECT)) {
      const u = new URL(url)
      return app.request(`${u.pathname}${u.search}`, { headers: { cookie: ours } })
    }
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } })
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';')
      const i = kv.indexOf('=')
      jar.set(kv.slice(0, i), kv.slice(i + 1))
    }
    expect([302, 303], `${url} answered ${res.status}`).toContain(res.status)
    url = new URL(res.headers.get('location')!, url).href
  }
  throw new Error('too many redirects')
}

describe('single sign-on (OIDC)', () => {
  it('tells the sign-in page where to start', async () => {
    expect(await (await app.request('/api/v1/auth/login')).json()).toMatchObject({ oidc: { enabled: true, url: '/api/v1/auth/oidc/start' } })
  })

  it("signs a user in with the role and region of the provider's ID token, scoped like a local one", async () => {
    const res = await signIn('wang')
    expect(res.status).toBe(302)
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/login#token=/)
    const token = decodeURIComponent(location.split('#token=')[1])
    const auth = { headers: { authorization: `Bearer ${token}` } }
    expect((await app.request('/api/v1/overview?region=320102', auth)).status).toBe(200)
    expect((await app.request('/api/v1/overview?region=3201', auth)).status).toBe(403)
    // Its session renews like a local one, with the provider's claims.
    const refreshed = await app.request('/api/v1/auth/refresh', { method: 'POST', ...auth })
    expect(((await refreshed.json()) as { user: unknown }).user).toEqual({ name: 'wang', role: 'leader', region: '320102' })
    await h.ctx.audit!.flush()
    const rs = await h.store.query({ query: `SELECT action, user, role, region FROM audit_log WHERE action = 'oidc.login'`, format: 'JSONEachRow' })
    expect(await rs.json()).toEqual([{ action: 'oidc.login', user: 'wang', role: 'leader', region: '320102' }])
  })

  it('refuses an account whose role claim is not one of ours, saying which claim', async () => {
    const res = await signIn('mallory')
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('claim ioc_role')
  })

  it('refuses a callback that did not start here', async () => {
    const res = await app.request('/api/v1/auth/oidc/callback?code=abc&state=xyz')
    expect(res.status).toBe(401)
  })
})
