import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { hashPassword } from '#platform/auth/passwords.js'
import type { Role } from '#core/schemas/api.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

/**
 * Every route and the live socket, with each role, for a region inside the caller's scope and one
 * outside it. Users are scoped to 玄武区 (320102); 秦淮区 (320104) is outside.
 */
const INSIDE = '320102'
const OUTSIDE = '320104'
const [gIn] = gridsIn(INSIDE)
const [gOut] = gridsIn(OUTSIDE)
const ROLES: Role[] = ['admin', 'operator', 'leader', 'analyst', 'ingest']
/** Personal data in the records inside the scope: a caller's phone, a house address, a reporter's name. */
const PHONE = '13912345678'
const ADDRESS = '中山路88号3单元501室'
const REPORTER = '王小明'
const PERSONAL = [PHONE, ADDRESS, REPORTER]
const userOf = (role: Role) => `${role}.xuanwu`

/** Routes whose answer depends on a region (query or path) or on a record's place. */
const regionRoutes = (region: string, ev: string, tk: string, tm: string) => [
  `/api/v1/regions/${region}`,
  `/api/v1/regions/${region}/children.geojson`,
  `/api/v1/regions/${region}/outline.geojson`,
  `/api/v1/overview?region=${region}`,
  `/api/v1/overview?region=${region}&compare=previous`,
  `/api/v1/timeseries?metric=events.reported&region=${region}`,
  `/api/v1/timeseries?metric=terminals.availability&region=${region}&compare=previous`,
  `/api/v1/breakdown?metric=events.closure_rate&by=child&region=${region}`,
  `/api/v1/breakdown?metric=tickets.created&by=channel&region=${region}`,
  `/api/v1/events?region=${region}`,
  `/api/v1/tickets?region=${region}`,
  `/api/v1/terminals?region=${region}`,
  `/api/v1/events/${ev}`,
  `/api/v1/tickets/${tk}`,
  `/api/v1/terminals/${tm}`,
]
/** Routes with no region. */
const PLAIN = ['/api/v1/metrics', '/api/v1/catalog']
const RECORD_PAGE = /^\/api\/v1\/(events|tickets)\/[^/?]+$/
const RECORD = /^\/api\/v1\/(events|tickets|terminals)\/[^/?]+$/

function expected(role: Role, path: string, inside: boolean): number {
  if (role === 'ingest') return 403
  if (role === 'analyst' && RECORD_PAGE.test(path)) return 403
  // A record outside the scope is not found, as one that does not exist: its id cannot be probed.
  if (!inside && RECORD.test(path)) return 404
  return inside ? 200 : 403
}

let h: Harness
const tokens = new Map<Role, string>()
beforeAll(async () => {
  h = await startHarness()
  const password_hash = await hashPassword('demo')
  for (const role of ROLES) h.ctx.users.add({ name: userOf(role), role, region: INSIDE, password_hash })
  for (const role of ROLES) tokens.set(role, await h.login(userOf(role)))
  const ts = Date.now() - 60_000
  await h.send('grid-events', [
    {
      event_id: 'AZ-IN',
      step: 'reported',
      ts,
      category: 'appearance.garbage',
      grid_code: gIn,
      reporter: REPORTER,
      description: `来电 ${PHONE}`,
    },
    { event_id: 'AZ-OUT', step: 'reported', ts, category: 'appearance.garbage', grid_code: gOut },
  ])
  await h.send('hotline-tickets', [
    {
      ticket_id: 'AZ-TIN',
      step: 'created',
      ts,
      category: 'traffic',
      grid_code: gIn,
      address: ADDRESS,
      description: `回电 ${PHONE}`,
    },
    { ticket_id: 'AZ-TOUT', step: 'created', ts, category: 'traffic', grid_code: gOut },
  ])
  await h.send('terminal-status', [
    { terminal_id: 'AZ-KIN', ts, status: 'online', grid_code: gIn },
    { terminal_id: 'AZ-KOUT', ts, status: 'online', grid_code: gOut },
  ])
})
afterAll(async () => h?.close())

async function status(path: string, token?: string): Promise<number> {
  return (await answer(path, token)).status
}

async function answer(path: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await h.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: res.status, text: Buffer.from(await res.arrayBuffer()).toString('utf8') }
}

const cases = ROLES.flatMap((role) => [
  ...regionRoutes(INSIDE, 'AZ-IN', 'AZ-TIN', 'AZ-KIN').map((path) => ({ role, path, inside: true })),
  ...regionRoutes(OUTSIDE, 'AZ-OUT', 'AZ-TOUT', 'AZ-KOUT').map((path) => ({ role, path, inside: false })),
  ...PLAIN.map((path) => ({ role, path, inside: true })),
])

describe('every route × role × scope', () => {
  it.each(cases)('$role $path', async ({ role, path, inside }) => {
    const got = await answer(path, tokens.get(role))
    expect(got.status).toBe(expected(role, path, inside))
    // Personal data (docs/security.md): only lists and record pages carry it, and only to the roles that may see it.
    const personal = PERSONAL.filter((p) => got.text.includes(p))
    if (role === 'analyst' || !/^\/api\/v1\/(events|tickets)(\/|\?)/.test(path)) expect(personal).toEqual([])
  })

  it('a region above the scope is outside it', async () => {
    expect(await status('/api/v1/overview?region=3201', tokens.get('operator'))).toBe(403)
    expect(await status('/api/v1/breakdown?metric=events.reported&by=child&region=3201', tokens.get('admin'))).toBe(403)
  })
})

describe("every route of the app, including other modules'", () => {
  const OPEN = new Set([
    '/api/v1/auth/login',
    '/api/v1/openapi.json',
    '/api/v1/docs',
    '/api/v1/docs.js',
    '/api/v1/auth/oidc/start',
    '/api/v1/auth/oidc/callback',
  ])
  const routes = () =>
    h.app.routes
      .filter(
        (r) =>
          r.path.startsWith('/api/v1/') &&
          !r.path.includes('*') &&
          r.method !== 'ALL' &&
          !OPEN.has(r.path) &&
          r.path !== '/api/v1/live',
      )
      .map((r) => ({ method: r.method, path: r.path.replace(/:(\w+)(\{[^}]*\})?/g, 'x') }))

  it('answers 401 without a token and 403 to the ingest role', async () => {
    const list = routes()
    expect(list.length).toBeGreaterThan(15)
    for (const r of list) {
      const init = (token?: string): RequestInit => ({
        method: r.method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(r.method === 'GET' ? {} : { body: '{}' }),
      })
      const anon = await h.app.request(r.path, init())
      expect(anon.status, `${r.method} ${r.path} without a token`).toBe(401)
      if (r.path === '/api/v1/auth/refresh') continue // any valid session may renew itself
      const ingest = await h.app.request(r.path, init(tokens.get('ingest')))
      expect(ingest.status, `${r.method} ${r.path} as ingest`).toBe(403)
    }
  })
})

describe('the live socket × role × scope', () => {
  let url: string
  let close: () => Promise<void>
  beforeAll(async () => {
    const s = await h.serve()
    url = s.url.replace('http', 'ws')
    close = s.close
  })
  afterAll(async () => close?.())

  /** The first answer to a subscription: 'subscribed', or the error code. */
  async function subscribe(token: string | undefined, region: string): Promise<string> {
    const ws = new WebSocket(`${url}/api/v1/live${token ? `?token=${encodeURIComponent(token)}` : ''}`)
    try {
      return await new Promise<string>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics: ['events', 'kpi'], region })))
        ws.on('message', (raw) => {
          const m = JSON.parse(String(raw)) as { type: string; code?: string }
          if (m.type === 'subscribed') resolve('subscribed')
          if (m.type === 'error') resolve(m.code ?? 'error')
        })
        ws.on('error', reject)
        setTimeout(() => reject(new Error('no answer')), 5000)
      })
    } finally {
      ws.close()
    }
  }

  it.each(ROLES)('%s inside and outside its scope', async (role) => {
    const token = tokens.get(role)
    if (role === 'ingest') {
      expect(await subscribe(token, INSIDE)).toBe('forbidden')
      return
    }
    expect(await subscribe(token, INSIDE)).toBe('subscribed')
    expect(await subscribe(token, `${gIn.slice(0, 9)}`)).toBe('subscribed')
    expect(await subscribe(token, OUTSIDE)).toBe('forbidden')
    expect(await subscribe(token, '3201')).toBe('forbidden')
  })

  it('refuses a subscription without a token', async () => {
    expect(await subscribe(undefined, INSIDE)).toBe('unauthorized')
  })
})
