import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { handleError } from '#platform/errors.js'
import { inFlightLimit } from '#ingest/sources/http.js'

/**
 * A route that holds each request until the test lets it go, behind the ingest in-flight budget; `x-sender` names the
 * sender.
 */
function held(max: number, maxBytes: number, senderShare = 1) {
  const waiting: Array<() => void> = []
  const app = new Hono()
  app.onError(handleError)
  app.post(
    '/in',
    inFlightLimit({
      max,
      maxBytes,
      bodyLimitBytes: 1 << 20,
      senderShare,
      senderOf: (c) => c.req.header('x-sender') ?? '',
    }),
    async (c) => {
      await new Promise<void>((r) => waiting.push(r))
      return c.json({ ok: true })
    },
  )
  const post = (bytes: number, sender = 'a') =>
    app.request('/in', {
      method: 'POST',
      body: 'x'.repeat(bytes),
      headers: { 'content-length': String(bytes), 'x-sender': sender },
    })
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

  it('keeps each sender to its share of the requests and of the bytes, while others are still taken', async () => {
    const h = held(8, 1000, 0.25) // a sender: 2 requests, 250 bytes
    const a = [h.post(10, 'a'), h.post(10, 'a')]
    await h.settle()
    const third = await h.post(10, 'a')
    expect(third.status).toBe(429)
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain('this sender')
    const b = h.post(200, 'b') // another sender is taken
    await h.settle()
    expect(h.waiting).toHaveLength(3)
    expect((await h.post(100, 'b')).status).toBe(429) // 200 + 100 > b's 250 bytes
    // a new sender, but over the whole budget's bytes: 220 + 5000 > 1000
    expect((await h.post(5000, 'c')).status).toBe(429)
    h.releaseAll()
    expect((await Promise.all([...a, b])).map((r) => r.status)).toEqual([200, 200, 200])
    const again = h.post(10, 'a') // the share is free again once a's requests finished
    await h.settle()
    h.releaseAll()
    expect((await again).status).toBe(200)
  })
})
