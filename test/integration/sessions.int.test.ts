import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SignJWT } from 'jose'
import { createApp } from '#api/app.js'
import { hashPassword } from '#platform/auth/passwords.js'
import { loadUsers, type UserDirectory } from '#platform/auth/users.js'
import type { Role } from '#core/schemas/api.js'
import { listen } from '#platform/serve.js'
import { startHarness, type Harness } from '../support/harness.js'

/**
 * Sessions end with their user (issue 14, finding 6): an account removed from or changed in the users
 * file is refused on the next request and its sockets are closed; a socket ends with its session.
 * The api under test reads a real users file; its clock (ctx.now) can be moved forward by `skew`.
 */
const PASSWORD = 'long-enough-pw'
type Account = { name: string; role: Role; region: string }
const ACCOUNTS: Account[] = [
  { name: 'zhao', role: 'operator', region: '320102' },
  { name: 'wang', role: 'operator', region: '320102' },
  { name: 'li', role: 'leader', region: '320102' },
  { name: 'sun', role: 'leader', region: '320102' },
  { name: 'qian', role: 'leader', region: '320102' },
]

let h: Harness
let users: UserDirectory
let hash: string
let skew = 0
let app: ReturnType<typeof createApp>['app']
let hub: ReturnType<typeof createApp>['hub']
let server: Awaited<ReturnType<typeof listen>>
const dir = mkdtempSync(join(tmpdir(), 'ioc-sessions-'))
const file = join(dir, 'users.json')

/** Write the users file as `npm run user` does: a new file renamed over the old one. */
function writeUsers(list: Account[]): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(list.map((u) => ({ ...u, password_hash: hash }))), { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
}
const without = (name: string) => ACCOUNTS.filter((a) => a.name !== name)

beforeAll(async () => {
  h = await startHarness()
  hash = await hashPassword(PASSWORD)
  writeUsers(ACCOUNTS)
  users = await loadUsers({ usersFile: file, demo: true })
  ;({ app, hub } = createApp(
    { ...h.ctx, users, now: () => Date.now() + skew },
    { feed: h.bus, hub: { kpiIntervalMs: 60_000, sessionSweepMs: 50, authTimeoutMs: 300 } },
  ))
  server = await listen(app, 0, '127.0.0.1')
})
afterAll(async () => {
  hub?.close()
  await server?.close()
  users?.close()
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function login(username: string, password = PASSWORD): Promise<{ status: number; token?: string }> {
  const res = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  return { status: res.status, token: res.status === 200 ? ((await res.json()) as { token: string }).token : undefined }
}
async function get(path: string, token: string): Promise<{ status: number; code?: string }> {
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } })
  const body = (await res.json()) as { error?: { code: string } }
  return { status: res.status, code: body.error?.code }
}
async function refresh(token: string) {
  const res = await app.request('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  })
  return {
    status: res.status,
    body: (await res.json()) as { token?: string; user?: Account; error?: { code: string; message: string } },
  }
}

type Msg = { type: string; code?: string }
/** A socket client that records its messages and its close code. */
async function connect(token?: string) {
  const ws = new WebSocket(
    `ws://127.0.0.1:${server.port}/api/v1/live${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  )
  const messages: Msg[] = []
  const waiters: Array<{ pred: (m: Msg) => boolean; resolve: (m: Msg) => void }> = []
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as Msg
    messages.push(m)
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(m)
    }
  })
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
  const next = (pred: (m: Msg) => boolean, ms = 10_000) =>
    new Promise<Msg>((resolve, reject) => {
      const seen = messages.find(pred)
      if (seen) return resolve(seen)
      const t = setTimeout(
        () => reject(new Error(`no matching message; got ${JSON.stringify(messages.map((x) => x.type))}`)),
        ms,
      )
      waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) })
    })
  /** The close code, or a rejection when the server has not closed the socket after `ms`. */
  const closeCode = (ms = 10_000) =>
    Promise.race([
      closed,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('the server did not close the socket')), ms),
      ),
    ])
  return { ws, messages, next, closeCode, send: (m: unknown) => ws.send(JSON.stringify(m)) }
}

describe('a users file that changes while the api runs', () => {
  it('refuses a removed user on the next request: its token, its renewal and its sign-in', async () => {
    const { status, token } = await login('zhao')
    expect(status).toBe(200)
    expect((await get('/api/v1/metrics', token!)).status).toBe(200)
    writeUsers(without('zhao'))
    expect((await get('/api/v1/metrics', token!)).status).toBe(401)
    expect((await refresh(token!)).status).toBe(401)
    expect((await login('zhao')).status).toBe(401)
    // The demo accounts (IOC_DEMO) stay.
    expect((await login('operator', 'demo')).status).toBe(200)
    writeUsers(ACCOUNTS)
  })

  it('refuses a token whose role or region changed, saying so; its renewal carries the new ones', async () => {
    const { token } = await login('wang')
    writeUsers([...without('wang'), { name: 'wang', role: 'leader', region: '320102002' }])
    expect(await get('/api/v1/metrics', token!)).toEqual({ status: 401, code: 'account_changed' })
    const renewed = await refresh(token!)
    expect(renewed.status).toBe(200)
    expect(renewed.body.user).toEqual({ name: 'wang', role: 'leader', region: '320102002' })
    expect((await get('/api/v1/overview?region=320102002', renewed.body.token!)).status).toBe(200)
    writeUsers(ACCOUNTS)
  })

  it('refuses to renew a session begun longer ago than the maximum session age', async () => {
    const old = await h.ctx.tokens.issue(
      { name: 'wang', role: 'operator', region: '320102' },
      { source: 'password', signedInAt: Date.now() - 31 * 24 * 3600_000 },
    )
    expect((await get('/api/v1/metrics', old)).status).toBe(200)
    const res = await refresh(old)
    expect(res.status).toBe(401)
    expect(res.body.error?.message).toContain('maximum session age')
  })
})

describe('the live socket and the session behind it', () => {
  it('is closed when its user is removed from the users file', async () => {
    const c = await connect((await login('li')).token)
    c.send({ type: 'subscribe', topics: ['events'], region: '320102' })
    await c.next((m) => m.type === 'subscribed')
    writeUsers(without('li'))
    expect(await c.closeCode()).toBe(4001)
    expect(c.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthorized' })
    writeUsers(ACCOUNTS)
  })

  it('is closed when its session expires', async () => {
    const c = await connect((await login('sun')).token)
    c.send({ type: 'subscribe', topics: ['events'], region: '320102' })
    await c.next((m) => m.type === 'subscribed')
    skew = 13 * 3600_000
    try {
      expect(await c.closeCode()).toBe(4001)
      expect(c.messages.at(-1)).toMatchObject({ type: 'error', code: 'session_expired' })
    } finally {
      skew = 0
    }
  })

  it('is closed when it does not authenticate in time', async () => {
    const c = await connect()
    expect(await c.closeCode()).toBe(4001)
    expect(c.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthorized' })
  })

  it('may re-authenticate with a fresh token and then outlives the first one', async () => {
    // A token that expires in a minute, as the wall holds just before it renews.
    const short = await new SignJWT({ role: 'leader', region: '320102', src: 'password' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('qian')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(new TextEncoder().encode('test-secret'))
    const renewed = await connect(short)
    const control = await connect(short)
    for (const c of [renewed, control]) c.send({ type: 'subscribe', topics: ['events'], region: '320102' })
    await control.next((m) => m.type === 'subscribed')
    renewed.send({ type: 'auth', token: (await login('qian')).token })
    // Messages are handled in order: once this second subscription is answered, the new token holds.
    renewed.send({ type: 'subscribe', topics: ['events', 'kpi'], region: '320102' })
    await renewed.next(
      (m) => m.type === 'subscribed' && renewed.messages.filter((x) => x.type === 'subscribed').length === 2,
    )
    skew = 120_000
    try {
      expect(await control.closeCode()).toBe(4001)
      // The sweep that closed the control socket judged this one too: it is still open and answers.
      renewed.send({ type: 'ping' })
      await renewed.next((m) => m.type === 'heartbeat')
      expect(renewed.ws.readyState).toBe(WebSocket.OPEN)
    } finally {
      skew = 0
      renewed.ws.close()
    }
  })
})
