import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SignJWT } from 'jose'
import { createApp } from '#api/app.js'
import { DEFAULT_SECURITY } from '#api/security.js'
import { hashPassword } from '#platform/auth/passwords.js'
import { listen } from '#platform/serve.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => h?.close())

const json = (body: unknown, token?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
})

/** A second app over the same store with small limits, so a test can reach them. */
function limitedApp(perUser: number, logins: number, more: { loginsPerAddress?: number; sprayNames?: number } = {}) {
  return createApp(
    {
      ...h.ctx,
      security: {
        ...DEFAULT_SECURITY,
        perUserPerMinute: perUser,
        loginsPer5Minutes: logins,
        allowedOrigins: ['https://wall.example'],
        maxBodyBytes: 1024,
        ...more,
      },
    },
    { feed: h.bus, hub: { kpiIntervalMs: 60_000 } },
  )
}

describe('rate limits', () => {
  it('answers 429 with Retry-After to a user above the per-user limit', async () => {
    const { app, hub } = limitedApp(5, 100)
    const token = await h.login('operator')
    const codes: number[] = []
    for (let i = 0; i < 7; i++)
      codes.push((await app.request('/api/v1/metrics', { headers: { authorization: `Bearer ${token}` } })).status)
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429])
    const res = await app.request('/api/v1/metrics', { headers: { authorization: `Bearer ${token}` } })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    // Another user is not slowed by the first.
    expect(
      (await app.request('/api/v1/metrics', { headers: { authorization: `Bearer ${await h.login('analyst')}` } }))
        .status,
    ).toBe(200)
    hub.close()
  })

  it('lets a wall sign in again and again: successful sign-ins do not count', async () => {
    const { app, hub } = limitedApp(100, 3)
    for (let i = 0; i < 5; i++) expect((await signIn(app, 'analyst', 'demo')).status).toBe(200)
    hub.close()
  })
})

/** A sign-in from a client address (the node server's peer address), with the browser's cookie if any. */
function signIn(
  app: ReturnType<typeof limitedApp>['app'],
  username: string,
  password: string,
  ip = PROXY,
  cookie?: string,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }
  return app.request(
    '/api/v1/auth/login',
    { method: 'POST', headers, body: JSON.stringify({ username, password }) },
    { incoming: { socket: { remoteAddress: ip } } },
  )
}
const PROXY = '10.1.2.3'
/** The cookie a browser keeps from an answer (name=value), if the answer sets one. */
const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('ioc_device='))

describe('sign-in throttling that cannot be turned against users (issue 14, finding 7)', () => {
  it('locks a guessed account for untrusted clients only: its user still signs in on their own browser behind the same proxy', async () => {
    const { app, hub } = limitedApp(100, 3)
    const real = await signIn(app, 'admin', 'demo')
    expect(real.status).toBe(200)
    const device = cookieOf(real)
    expect(device).toBeDefined()
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await signIn(app, 'admin', `guess${i}`)).status)
    expect(codes).toEqual([401, 401, 401, 429, 429])
    const refused = await signIn(app, 'admin', 'demo')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    // The real user's browser, behind the same proxy, is trusted for this account.
    expect((await signIn(app, 'admin', 'demo', PROXY, device)).status).toBe(200)
    // A browser trusted for another account is not trusted for this one.
    const other = cookieOf(await signIn(app, 'operator', 'demo'))
    expect((await signIn(app, 'admin', 'demo', PROXY, other)).status).toBe(429)
    // A forged cookie is not trusted either.
    expect((await signIn(app, 'admin', 'demo', PROXY, `${device!.slice(0, -4)}AAAA`)).status).toBe(429)
    hub.close()
  })

  it('counts an unknown name like a known one', async () => {
    const { app, hub } = limitedApp(100, 3)
    const known: number[] = []
    const unknown: number[] = []
    for (let i = 0; i < 4; i++) known.push((await signIn(app, 'operator', `guess${i}`)).status)
    for (let i = 0; i < 4; i++) unknown.push((await signIn(app, 'nobody', `guess${i}`)).status)
    expect(unknown).toEqual(known)
    expect(known).toEqual([401, 401, 401, 429])
    hub.close()
  })

  it('slows one address trying many names, not the others', async () => {
    const { app, hub } = limitedApp(100, 100, { loginsPerAddress: 4 })
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await signIn(app, `name${i}`, `guess${i}`, '10.9.9.9')).status)
    expect(codes).toEqual([401, 401, 401, 401, 429])
    expect((await signIn(app, 'operator', 'demo', '10.9.9.9')).status).toBe(429)
    expect((await signIn(app, 'operator', 'demo', '10.8.8.8')).status).toBe(200)
    hub.close()
  })

  it('refuses a password sprayed across many names, from whatever address it comes', async () => {
    const { app, hub } = limitedApp(100, 100, { sprayNames: 3 })
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await signIn(app, `user${i}`, 'Winter2026!', `10.0.0.${i + 1}`)).status)
    expect(codes).toEqual([401, 401, 401, 429, 429])
    // The same names with other passwords are still only wrong, not refused.
    expect((await signIn(app, 'user4', 'another-guess', '10.0.0.9')).status).toBe(401)
    hub.close()
  })
})

describe('bodies, headers and the socket origin', () => {
  it('refuses a body over the limit with 413', async () => {
    const { app, hub } = limitedApp(100, 100)
    const res = await app.request('/api/v1/auth/login', json({ username: 'admin', password: 'x'.repeat(4000) }))
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
    hub.close()
  })

  it('sets security headers and a strict content policy on api answers', async () => {
    const res = await h.app.request('/api/v1/auth/login')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('lets the own origin and configured ones open the socket, not another site', async () => {
    const { app, hub } = limitedApp(100, 100)
    const server = await listen(app, 0, '127.0.0.1')
    const base = `ws://127.0.0.1:${server.port}/api/v1/live`
    const open = (origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(base, { headers: origin ? { origin } : {} })
        ws.on('open', () => {
          ws.close()
          resolve(101)
        })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('error', () => resolve(-1))
      })
    try {
      expect(await open(`http://127.0.0.1:${server.port}`)).toBe(101)
      expect(await open('https://wall.example')).toBe(101)
      expect(await open()).toBe(101) // not a browser: no Origin, still needs a token to subscribe
      expect(await open('https://evil.example')).toBe(403)
    } finally {
      hub.close()
      await server.close()
    }
  })
})

describe('sessions', () => {
  it('renews a valid session with the role and region the directory has now', async () => {
    const password_hash = await hashPassword('pw')
    h.ctx.users.add({ name: 'wang', role: 'operator', region: '320102', password_hash })
    const login = await h.app.request('/api/v1/auth/login', json({ username: 'wang', password: 'pw' }))
    const { token } = (await login.json()) as { token: string }
    h.ctx.users.add({ name: 'wang', role: 'leader', region: '320102002', password_hash })
    const res = await h.app.request('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { token: string; user: { role: string; region: string } }
    expect(body.user).toEqual({ name: 'wang', role: 'leader', region: '320102002' })
    expect(
      (await h.app.request('/api/v1/overview?region=320102002', { headers: { authorization: `Bearer ${body.token}` } }))
        .status,
    ).toBe(200)
  })

  it('refuses to renew an expired, forged or missing token', async () => {
    const key = new TextEncoder().encode('test-secret')
    const past = Math.floor(Date.now() / 1000) - 60
    const expired = await new SignJWT({ role: 'admin', region: '3201', src: 'password' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setIssuedAt(past - 100)
      .setExpirationTime(past)
      .sign(key)
    const forged = await new SignJWT({ role: 'admin', region: '3201' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('other'))
    for (const t of [expired, forged]) {
      expect(
        (await h.app.request('/api/v1/auth/refresh', { method: 'POST', headers: { authorization: `Bearer ${t}` } }))
          .status,
      ).toBe(401)
      expect((await h.app.request('/api/v1/metrics', { headers: { authorization: `Bearer ${t}` } })).status).toBe(401)
    }
    expect((await h.app.request('/api/v1/auth/refresh', { method: 'POST' })).status).toBe(401)
  })

  it('tells the sign-in page about demo mode, the time zone and single sign-on', async () => {
    expect(await (await h.app.request('/api/v1/auth/login')).json()).toEqual({
      demo: true,
      tz: 'Asia/Shanghai',
      oidc: { enabled: false },
    })
  })
})

describe('audit', () => {
  it('records logins, refused logins and who viewed which record', async () => {
    const [grid] = gridsIn('320102')
    await h.send('grid-events', [
      { event_id: 'AUD1', step: 'reported', ts: Date.now() - 60_000, category: 'appearance.garbage', grid_code: grid },
    ])
    await h.app.request('/api/v1/auth/login', json({ username: 'leader.xuanwu', password: 'nope' }))
    const token = (await (
      await h.app.request('/api/v1/auth/login', json({ username: 'leader.xuanwu', password: 'demo' }))
    ).json()) as { token: string }
    expect(
      (await h.app.request('/api/v1/events/AUD1', { headers: { authorization: `Bearer ${token.token}` } })).status,
    ).toBe(200)
    await h.ctx.audit!.flush()
    const rs = await h.store.query({
      query: `SELECT action, user, target_kind, target_id FROM audit_log WHERE user = 'leader.xuanwu' ORDER BY ts`,
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([
      { action: 'login.refused', user: 'leader.xuanwu', target_kind: '', target_id: '' },
      { action: 'login', user: 'leader.xuanwu', target_kind: '', target_id: '' },
      { action: 'view', user: 'leader.xuanwu', target_kind: 'event', target_id: 'AUD1' },
    ])
  })
})

describe('OpenAPI', () => {
  it('documents the routes from the zod schemas, and a page shows it with nothing from elsewhere', async () => {
    const doc = (await (await h.app.request('/api/v1/openapi.json')).json()) as {
      openapi: string
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Array<{ name: string; required: boolean }>
            responses: Record<
              string,
              { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }
            >
          }
        >
      >
    }
    expect(doc.openapi).toMatch(/^3\./)
    const ov = doc.paths['/api/v1/overview'].get
    expect(ov.parameters!.map((p) => p.name)).toEqual(['region', 'from', 'to', 'compare'])
    expect(Object.keys(ov.responses['200'].content!['application/json'].schema.properties!)).toEqual(
      expect.arrayContaining(['events', 'tickets', 'terminals', 'previous']),
    )
    const ts = doc.paths['/api/v1/timeseries'].get
    expect(ts.parameters!.find((p) => p.name === 'metric')!.required).toBe(true)
    expect(doc.paths['/api/v1/events/{id}'].get).toBeDefined()
    expect(doc.paths['/ingest/v1/{stream}']?.post).toBeDefined() // another module's route, from the app's list
    const page = await (await h.app.request('/api/v1/docs')).text()
    expect(page).toContain('<script src="docs.js">')
    expect(page).not.toMatch(/(src|href)="https?:/)
    expect((await h.app.request('/api/v1/docs.js')).status).toBe(200)
  })
})
