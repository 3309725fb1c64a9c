import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { createApp } from '#api/app.js'
import { OidcLogin } from '#platform/auth/oidc.js'
import { startHarness, type Harness } from '../support/harness.js'
import { startOidcProvider, type Accounts, type OidcProvider } from '../support/oidc-provider.js'

/** Single sign-on against a real OpenID Connect provider (test/support/oidc-provider.ts). */
const ACCOUNTS: Accounts = {
  wang: { preferred_username: 'wang', ioc_role: 'leader', ioc_region: '320102' },
  mallory: { preferred_username: 'mallory', ioc_role: 'superuser', ioc_region: '3201' },
}
const REDIRECT = 'http://ioc.test/api/v1/auth/oidc/callback'

let h: Harness
let idp: OidcProvider
let issuer: string
let app: ReturnType<typeof createApp>['app']
let hub: ReturnType<typeof createApp>['hub']

beforeAll(async () => {
  h = await startHarness()
  idp = await startOidcProvider(REDIRECT, ACCOUNTS, 'wang')
  issuer = idp.issuer
  const oidc = await OidcLogin.discover({
    issuer,
    clientId: 'ioc',
    clientSecret: 'ioc-secret',
    redirectUrl: REDIRECT,
    roleClaim: 'ioc_role',
    regionClaim: 'ioc_region',
    allowHttp: true,
  })
  ;({ app, hub } = createApp({ ...h.ctx, oidc }, { feed: h.bus, hub: { kpiIntervalMs: 60_000 } }))
})
afterAll(async () => {
  hub?.close()
  await idp?.close()
  await h?.close()
})

/** Follow the browser's redirects through the provider, carrying its cookies, back to our callback. */
async function signIn(account: string): Promise<Response> {
  idp.signInAs(account)
  const start = await app.request('/api/v1/auth/oidc/start')
  expect(start.status).toBe(302)
  const ours = start.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  let url = start.headers.get('location')!
  expect(url.startsWith(`${issuer}/`)).toBe(true)
  expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256')
  const jar = new Map<string, string>()
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(REDIRECT)) {
      const u = new URL(url)
      return app.request(`${u.pathname}${u.search}`, { headers: { cookie: ours } })
    }
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
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
    expect(await (await app.request('/api/v1/auth/login')).json()).toMatchObject({
      oidc: { enabled: true, url: '/api/v1/auth/oidc/start' },
    })
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
    expect(((await refreshed.json()) as { user: unknown }).user).toEqual({
      name: 'wang',
      role: 'leader',
      region: '320102',
    })
    await h.ctx.audit!.flush()
    const rs = await h.store.query({
      query: `SELECT action, user, role, region FROM audit_log WHERE action = 'oidc.login'`,
      format: 'JSONEachRow',
    })
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

const tokenOf = (res: Response) => decodeURIComponent(res.headers.get('location')!.split('#token=')[1])
const refresh = (token: string) =>
  app.request('/api/v1/auth/refresh', { method: 'POST', headers: { authorization: `Bearer ${token}` } })
const refreshGrants = () => idp.tokenGrants().filter((g) => g === 'refresh_token').length

describe('renewing a single sign-on session (issue 14, finding 6)', () => {
  it("asks the provider at each renewal, and keeps the provider's refresh token out of the browser's reach", async () => {
    const token = tokenOf(await signIn('wang'))
    const issued = idp.refreshTokens()
    expect(issued.length).toBeGreaterThan(0)
    const readable = `${token} ${JSON.stringify(decodeJwt(token))}`
    for (const rt of issued) expect(readable).not.toContain(rt)
    const asked = refreshGrants()
    const res = await refresh(token)
    expect(res.status).toBe(200)
    expect(refreshGrants()).toBe(asked + 1)
    // The renewed session renews again (the provider may have rotated its refresh token).
    const again = await refresh(((await res.json()) as { token: string }).token)
    expect(again.status).toBe(200)
    expect(refreshGrants()).toBe(asked + 2)
  })

  it('refuses renewal once the provider has revoked the grant, and audits the refusal', async () => {
    const token = tokenOf(await signIn('wang'))
    expect((await refresh(token)).status).toBe(200)
    await idp.revoke('wang')
    const res = await refresh(token)
    expect(res.status).toBe(401)
    await h.ctx.audit!.flush()
    const rs = await h.store.query({
      query: `SELECT action, user FROM audit_log WHERE action = 'refresh.refused'`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([{ action: 'refresh.refused', user: 'wang' }])
  })

  it('refuses renewal of an account disabled at the provider', async () => {
    const token = tokenOf(await signIn('wang'))
    idp.disable('wang')
    try {
      expect((await refresh(token)).status).toBe(401)
    } finally {
      idp.enable('wang')
    }
  })

  it('refuses renewal past the maximum session age without asking the provider', async () => {
    const old = await h.ctx.tokens.issue(
      { name: 'wang', role: 'leader', region: '320102' },
      { source: 'oidc', signedInAt: Date.now() - 31 * 24 * 3600_000, idp: { refreshToken: 'stale', subject: 'wang' } },
    )
    const asked = refreshGrants()
    const res = await refresh(old)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('maximum session age')
    expect(refreshGrants()).toBe(asked)
  })
})
