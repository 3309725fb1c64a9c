import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { routes } from '#core/contract/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { ContractViolation, checkAnswers } from '../support/contract.js'

// The app and its OpenAPI document are one: every /api route the app serves is declared in
// core/contract and documented with its schemas, and every documented /api route is served.

let h: Harness
beforeAll(async () => {
  h = await startHarness()
}, 180_000)
afterAll(async () => h?.close())

const asOpenApi = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')

describe('the contract', () => {
  it('serves every declared route, declares every served /api route; the document lists exactly them', async () => {
    const served = new Set(
      h.app.routes
        .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL' && !r.path.includes('*'))
        .map((r) => `${r.method.toLowerCase()} ${asOpenApi(r.path)}`),
    )
    // OIDC routes exist only with an identity provider configured (api-oidc.int.test.ts covers them).
    const declared = new Set(
      Object.values(routes)
        .filter((r) => !r.path.includes('/auth/oidc/'))
        .map((r) => `${r.method} ${r.path}`),
    )
    expect([...served].sort()).toEqual([...declared].sort())

    const doc = (await (await h.app.request('/api/v1/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >
      components: { securitySchemes: Record<string, unknown> }
    }
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
    expect(documented.sort()).toEqual([...declared].sort())
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    // Every JSON answer is documented with its schema, errors included.
    for (const d of declared) {
      const [method, path] = d.split(' ')
      const op = doc.paths[path][method]
      expect(op.responses['400']?.content?.['application/json']?.schema, d).toBeDefined()
    }
    expect(doc.paths['/api/v1/events']!.get.responses['200'].content!['application/json'].schema).toMatchObject({
      properties: { items: { type: 'array' } },
    })
  })

  it('reads a body as JSON whatever its Content-Type says, as before the routes were declared', async () => {
    // fetch() with a string body sends text/plain, curl -d a form type; neither is refused with 415.
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', undefined]) {
      const res = await h.app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body: JSON.stringify({ username: 'admin', password: 'demo' }),
      })
      expect(res.status, String(type)).toBe(200)
      expect(((await res.json()) as { user: { name: string } }).user.name).toBe('admin')
    }
  })

  it('answers a query that does not match its declaration with the error body naming the parameter', async () => {
    const bad = await h.get<{ error: { code: string; message: string; details: unknown } }>(
      '/api/v1/events?limit=0',
      'admin',
    )
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'bad_request', details: { parameter: 'limit' } })
    expect(bad.body.error.message).toMatch(/^parameter limit: /)
  })

  it('refuses an answer that does not match the declaration', async () => {
    const answering = (body: unknown) => ({
      request: async (_input: string | URL | Request) => Response.json(body, { status: 200 }),
    })
    const fake = checkAnswers(answering({ metric: 'events.reported' }))
    await expect(fake.request('/api/v1/timeseries?metric=events.reported')).rejects.toBeInstanceOf(ContractViolation)
    const undeclared = checkAnswers(answering({}))
    await expect(undeclared.request('/api/v1/nowhere')).rejects.toThrow(/no declaration/)
  })
})
