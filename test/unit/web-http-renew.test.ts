import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, configureApi, request } from '../../web/src/api/http.js'

/**
 * The screen's answer to a 401 `account_changed` (an admin changed the user's role or region):
 * one renewal however many requests were refused, each retried once with the new token; a refused
 * renewal signs out; a server that cannot be asked leaves the session alone.
 */
type Call = { url: string; auth: string | null }
function fakeServer(answer: (call: Call) => Response) {
  const calls: Call[] = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const call = { url, auth: new Headers(init.headers).get('authorization') }
    calls.push(call)
    return answer(call)
  })
  return calls
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
const changed = () => json(401, { error: { code: 'account_changed', message: 'the role changed' } })

afterEach(() => vi.unstubAllGlobals())

describe('a request told the account changed', () => {
  it('renews the session once for all of them and retries each with the new token', async () => {
    let token = 'old'
    let renewals = 0
    let signedOut = 0
    configureApi({
      getToken: () => token,
      onUnauthorized: () => void signedOut++,
      renew: async () => {
        renewals++
        await new Promise((r) => setTimeout(r, 10))
        token = 'new'
        return token
      },
    })
    const calls = fakeServer((c) => (c.auth === 'Bearer new' ? json(200, { ok: c.url }) : changed()))
    const [a, b] = await Promise.all([
      request<{ ok: string }>('/api/v1/metrics'),
      request<{ ok: string }>('/api/v1/catalog'),
    ])
    expect([a.ok, b.ok]).toEqual(['/api/v1/metrics', '/api/v1/catalog'])
    expect(renewals).toBe(1)
    expect(signedOut).toBe(0)
    expect(
      calls
        .filter((c) => c.auth === 'Bearer new')
        .map((c) => c.url)
        .sort(),
    ).toEqual(['/api/v1/catalog', '/api/v1/metrics'])
  })

  it('signs out when the renewal is refused, and only retries once', async () => {
    let signedOut = 0
    configureApi({ getToken: () => 'old', onUnauthorized: () => void signedOut++, renew: async () => null })
    fakeServer(() => changed())
    await expect(request('/api/v1/metrics')).rejects.toMatchObject({ status: 401, code: 'account_changed' })
    expect(signedOut).toBe(1)
  })

  it('keeps the session when the renewal cannot reach the server', async () => {
    let signedOut = 0
    configureApi({
      getToken: () => 'old',
      onUnauthorized: () => void signedOut++,
      renew: async () => {
        throw new ApiError(0, 'network', 'offline')
      },
    })
    fakeServer(() => changed())
    await expect(request('/api/v1/metrics')).rejects.toMatchObject({ status: 401, code: 'account_changed' })
    expect(signedOut).toBe(0)
  })

  it('signs out at once on another 401', async () => {
    let renewals = 0
    let signedOut = 0
    configureApi({
      getToken: () => 'old',
      onUnauthorized: () => void signedOut++,
      renew: async () => (renewals++, 'new'),
    })
    fakeServer(() => json(401, { error: { code: 'unauthorized', message: 'no longer exists' } }))
    await expect(request('/api/v1/metrics')).rejects.toMatchObject({ status: 401 })
    expect([renewals, signedOut]).toEqual([0, 1])
  })
})
