import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenService } from '#platform/auth/tokens.js'
import { city, gridsIn } from '../support/harness.js'
import { gridEvent, startIngest, TOKEN, type IngestFixture } from '../support/ingest.js'

const OTHER = 'second-sender-token'
const [inside, inside2] = gridsIn('320102', 2)
const [outside] = gridsIn('320104', 1)
// The fixture signs sessions with this secret: a user of each kind, as a login would issue them.
const sessions = createTokenService('test-secret')

let f: IngestFixture
let feeder: string
let admin: string
beforeAll(async () => {
  // A budget of 4 requests, a quarter of it per sender (one request), and a body timeout far longer than the steps
  // before it.
  f = await startIngest({
    ingestTokens: new Set([TOKEN, OTHER]),
    maxInFlight: 4,
    senderShare: 0.25,
    bodyTimeoutMs: 4000,
  })
  feeder = await sessions.issue({ name: 'feeder.xuanwu', role: 'ingest', region: '320102' })
  admin = await sessions.issue({ name: 'admin', role: 'admin', region: '3201' })
})
afterAll(async () => {
  await f?.close()
})

type Answer = {
  status: number
  headers: Headers
  body: { accepted: number; rejected: number; errors: { index: number; path: string; message: string }[] } & Record<
    string,
    unknown
  >
}
const send = (path: string, token: string, body: string, type = 'application/json') =>
  f.post(path, body, { authorization: `Bearer ${token}`, 'content-type': type }) as Promise<Answer>

/**
 * A request that declares a body and sends only its first bytes: the answer, and when the server closed the connection.
 */
function trickle(token: string) {
  const req = request(`${f.url}/ingest/v1/grid-events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'content-length': '100000' },
  })
  req.on('error', () => {}) // the server ends the connection after its answer
  const closed = new Promise<void>((resolve) => req.on('close', resolve))
  const answer = new Promise<{
    status: number
    connection?: string
    body: { error?: { code: string; message: string } }
  }>((resolve) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection,
          body: JSON.parse(text) as { error?: { code: string; message: string } },
        }),
      )
    })
  })
  req.write('{"event_id":"SLOW-1",')
  return { answer, closed }
}

/** Requests in flight, as /metrics says. */
async function inFlight(): Promise<number> {
  const text = await (await fetch(`${f.url}/metrics`)).text()
  return Number(/^ioc_ingest_requests_in_flight (\d+)/m.exec(text)?.[1] ?? 0)
}
async function untilInFlight(n: number): Promise<void> {
  while ((await inFlight()) !== n) await new Promise((r) => setTimeout(r, 20))
}

describe('fair ingest', () => {
  it('keeps one slow sender to its share of the in-flight budget, and times its body out with 408', async () => {
    const slow = trickle(TOKEN)
    await untilInFlight(1)
    // The slow sender holds its whole share (until its body times out): its next request waits its turn…
    const again = await send(
      '/ingest/v1/grid-events',
      TOKEN,
      JSON.stringify(gridEvent(1, inside, { event_id: 'FAIR-A1' })),
    )
    expect(again.status).toBe(429)
    expect(again.headers.get('retry-after')).toBe('1')
    expect(String((again.body as { error?: { message: string } }).error?.message)).toContain('this sender')
    // …while another sender is served.
    const other = await send(
      '/ingest/v1/grid-events',
      OTHER,
      JSON.stringify(gridEvent(2, inside, { event_id: 'FAIR-B1' })),
    )
    expect(other).toMatchObject({ status: 200, body: { accepted: 1 } })

    const timedOut = await slow.answer
    expect(timedOut.status).toBe(408)
    expect(timedOut.body.error).toMatchObject({
      code: 'request_timeout',
      message: expect.stringContaining('did not arrive'),
    })
    expect(timedOut.connection).toBe('close')
    await slow.closed
    // The slot is free again.
    await untilInFlight(0)
    const after = await send(
      '/ingest/v1/grid-events',
      TOKEN,
      JSON.stringify(gridEvent(3, inside, { event_id: 'FAIR-A2' })),
    )
    expect(after).toMatchObject({ status: 200, body: { accepted: 1 } })
  })

  it("rejects an ingest user's records placed outside its region, by grid or position, and stores the rest", async () => {
    const [lon, lat] = city().get(outside)!.centroid
    const [inLon, inLat] = city().get(inside2)!.centroid
    const batch = [
      gridEvent(10, inside, { event_id: 'REG-in' }),
      gridEvent(11, outside, { event_id: 'REG-out-grid' }),
      { ...gridEvent(12, outside, { event_id: 'REG-out-pos' }), grid_code: undefined, lon, lat },
      { ...gridEvent(13, inside2, { event_id: 'REG-in-pos' }), grid_code: undefined, lon: inLon, lat: inLat },
    ]
    const res = await send('/ingest/v1/grid-events', feeder, JSON.stringify(batch))
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(2)
    expect(res.body.errors).toEqual([
      { index: 1, path: 'grid_code', message: `grid ${outside} is outside the sender's region 320102` },
      {
        index: 2,
        path: 'lon',
        message: expect.stringMatching(
          new RegExp(`^position .* \\(grid ${outside}\\) is outside the sender's region 320102$`),
        ),
      },
    ])
    await f.pipeline.flush()
    const stored = await f.rows<{ event_id: string }>(
      "SELECT event_id FROM grid_events WHERE startsWith(event_id, 'REG-') ORDER BY event_id",
    )
    expect(stored.map((r) => r.event_id)).toEqual(['REG-in', 'REG-in-pos'])
    const kept = await f.rows<{ record_index: number; path: string }>(
      "SELECT record_index, path FROM rejects WHERE position(raw, 'REG-out') > 0 ORDER BY record_index",
    )
    expect(kept).toEqual([
      { record_index: 1, path: 'grid_code' },
      { record_index: 2, path: 'lon' },
    ])

    // A static ingest token sends for the whole city.
    const cityWide = await send(
      '/ingest/v1/grid-events',
      TOKEN,
      JSON.stringify([gridEvent(14, outside, { event_id: 'REG-token' })]),
    )
    expect(cityWide.body).toMatchObject({ accepted: 1, rejected: 0 })

    // CloudEvents and Open311 are held to the same region.
    const ce = await send(
      '/ingest/v1/cloudevents',
      feeder,
      JSON.stringify([
        {
          specversion: '1.0',
          id: 'r1',
          source: 'urn:t',
          type: 'ioc.grid.event',
          data: gridEvent(15, inside, { event_id: 'REG-ce-in' }),
        },
        {
          specversion: '1.0',
          id: 'r2',
          source: 'urn:t',
          type: 'ioc.grid.event',
          data: gridEvent(16, outside, { event_id: 'REG-ce-out' }),
        },
      ]),
      'application/cloudevents-batch+json',
    )
    expect(ce.body).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, path: 'data.grid_code' }] })
    const form = (grid: string) =>
      new URLSearchParams({ api_key: feeder, service_code: 'appearance.garbage', address_id: grid }).toString()
    const open311 = (grid: string) =>
      fetch(`${f.url}/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(grid),
      })
    const refused = await open311(outside)
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain(`address_id: grid ${outside} is outside the sender's region 320102`)
    expect((await open311(inside)).status).toBe(200)
  })

  it("refuses an admin's session token on every way in: only ingest tokens and ingest users send records", async () => {
    const record = JSON.stringify(gridEvent(20, inside, { event_id: 'ADMIN-1' }))
    const http = await send('/ingest/v1/grid-events', admin, record)
    expect(http.status).toBe(403)
    expect(http.body).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('role admin may not send records') },
    })
    const ce = await send(
      '/ingest/v1/cloudevents',
      admin,
      JSON.stringify({
        specversion: '1.0',
        id: 'a1',
        source: 'urn:t',
        type: 'ioc.grid.event',
        data: JSON.parse(record) as unknown,
      }),
      'application/cloudevents+json',
    )
    expect(ce.status).toBe(403)
    const form = new URLSearchParams({
      api_key: admin,
      service_code: 'appearance.garbage',
      address_id: inside,
    }).toString()
    const open311 = await fetch(`${f.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })
    expect(open311.status).toBe(403)
    const operator = await sessions.issue({ name: 'operator', role: 'operator', region: '3201' })
    expect((await send('/ingest/v1/grid-events', operator, record)).status).toBe(403)
    expect((await send('/ingest/v1/grid-events', feeder, record)).status).toBe(200)
    // the feeder's, not the admin's
    expect(await f.rows("SELECT 1 FROM grid_events WHERE event_id = 'ADMIN-1'")).toHaveLength(1)
  })
})
