import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { handleError } from '../../server/errors.js'
import { inFlightLimit } from '../../ingest/sources/http.js'

/** A route that holds each request until the test lets it go, behind the ingest in-flight budget. */
function held(max: number, maxBytes: number) {
  const waiting: Array<() => void> = []
  const app = new Hono()
  app.onError(handleError)
  app.post('/in', inFlightLimit(max, maxBytes, 1 << 20), async (c) => {
    await new Promise<void>((r) => waiting.push(r))
    return c.json({ ok: true })
  })
  const post = (bytes: number) => app.request('/in', { method: 'POST', body: 'x'.repeat(bytes), headers: { 'content-length': String(bytes) } })
  const releaseAll = () => waiting.splice(0).forEach((r) => r())
  const settle = () => new Promise((r) => setTimeout(r, 10))
  return { post, releaseAll, settle, waiting }
}

describe('ingest in-flight budget', () => {
  it('answers 429 with Retry-After beyond the requests in flight, and takes requests again once they finish', async () => {
    const h = held(2, 1 << 20)
    const first = [h.post(10), h.post(10)]
    await h.settle()
    expect(h.waiting).toHaveLength(2)
    const refused = await h.post(10)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_requests')
    h.releaseAll()
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200])
    const again = h.post(10)
    await h.settle()
    h.releaseAll()
    expect((await again).status).toBe(200)
  })

  it('answers 429 beyond the bytes of bodies held at once, but always lets one request through', async () => {
    const h = held(10, 1000)
    const big = h.post(5000) // over the byte budget on its own: alone, it is taken
    await h.settle()
    expect(h.waiting).toHaveLength(1)
    expect((await h.post(10)).status).toBe(429)
    h.releaseAll()
    expect((await big).status).toBe(200)
    const a = h.post(600)
    await h.settle()
    expect((await h.post(600)).status).toBe(429) // 600 + 600 > 1000
    const small = h.post(300) // 600 + 300 fits
    await h.settle()
    expect(h.waiting).toHaveLength(2)
    h.releaseAll()
    expect([(await a).status, (await small).status]).toEqual([200, 200])
  })
})
