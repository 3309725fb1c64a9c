import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { city, gridsIn, startHarness, type Harness } from '../support/harness.js'

// Runs on the demo city and on test/fixtures/city-tiny (vitest project integration-tiny), so the
// regions come from the city under test: in the demo the root 3201, the leader's district 玄武区
// 320102 and another district, 秦淮区 320104.
const ROOT = city().root.code
const LEADER_REGION = city().config.demo_accounts.find((a) => a.name === 'leader.xuanwu')!.region
const OTHER = city()
  .children(ROOT)
  .find((r) => r.code !== LEADER_REGION)!.code

const [inside] = gridsIn(LEADER_REGION) // 玄武区, the leader's district
const [outside] = gridsIn(OTHER) // 秦淮区

let h: Harness
beforeAll(async () => {
  h = await startHarness()
  const ts = Date.now() - 60_000
  await h.send('grid-events', [
    { event_id: 'IN1', step: 'reported', ts, category: 'appearance.garbage', grid_code: inside },
    { event_id: 'OUT1', step: 'reported', ts, category: 'appearance.garbage', grid_code: outside },
  ])
})
afterAll(async () => h?.close())

const LEADER = 'leader.xuanwu'

describe(`a leader scoped to ${city().get(LEADER_REGION)!.name} (${LEADER_REGION})`, () => {
  const routes = (region: string) => [
    `/api/v1/regions/${region}`,
    `/api/v1/regions/${region}/children.geojson`,
    `/api/v1/overview?region=${region}`,
    `/api/v1/timeseries?metric=events.reported&region=${region}`,
    `/api/v1/breakdown?metric=events.reported&by=category&region=${region}`,
    `/api/v1/events?region=${region}`,
    `/api/v1/tickets?region=${region}`,
    `/api/v1/terminals?region=${region}`,
  ]

  it.each(routes(OTHER))('gets 403 outside the scope: %s', async (path) => {
    const r = await h.get<{ error: { code: string } }>(path, LEADER)
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('forbidden')
  })

  it.each(routes(ROOT))('gets 403 above the scope: %s', async (path) => {
    expect((await h.get(path, LEADER)).status).toBe(403)
  })

  it.each(routes(LEADER_REGION))('gets 200 inside the scope: %s', async (path) => {
    expect((await h.get(path, LEADER)).status).toBe(200)
  })

  it('sees only the records of its scope; one outside is as absent as one that does not exist', async () => {
    const list = await h.get<{ items: { event_id: string }[] }>('/api/v1/events', LEADER)
    expect(list.body.items.map((e) => e.event_id)).toEqual(['IN1'])
    expect((await h.get('/api/v1/events/IN1', LEADER)).status).toBe(200)
    const outside = await h.get<{ error: { message: string } }>('/api/v1/events/OUT1', LEADER)
    const missing = await h.get<{ error: { message: string } }>('/api/v1/events/NO-SUCH-EVENT', LEADER)
    expect([outside.status, missing.status]).toEqual([404, 404])
    expect(outside.body.error.message.replace('OUT1', 'X')).toBe(
      missing.body.error.message.replace('NO-SUCH-EVENT', 'X'),
    )
    expect((await h.get('/api/v1/events/OUT1', 'operator')).status).toBe(200)
  })

  it('defaults to its own region', async () => {
    const r = await h.get<{ region: string }>('/api/v1/overview', LEADER)
    expect(r.body.region).toBe(LEADER_REGION)
  })
})

describe('everyone', () => {
  it('gets 404 for an unknown region and 400 for a malformed one', async () => {
    expect((await h.get(`/api/v1/overview?region=${ROOT}99`, 'operator')).status).toBe(404)
    const bad = await h.get<{ error: { message: string } }>('/api/v1/overview?region=abc', 'operator')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('region')
  })

  it('needs a valid session for every /api/v1 route but login', async () => {
    expect((await h.app.request('/api/v1/overview')).status).toBe(401)
    expect((await h.app.request('/api/v1/overview', { headers: { authorization: 'Bearer nope' } })).status).toBe(401)
    expect((await h.app.request('/api/v1/auth/login')).status).toBe(200)
  })

  it('cannot log in with a wrong password', async () => {
    const r = await h.app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: 'wrong' }),
    })
    expect(r.status).toBe(401)
  })

  it('logs in with the demo accounts and gets the contract user', async () => {
    const r = await h.app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: LEADER, password: 'demo' }),
    })
    expect(await r.json()).toMatchObject({
      token: expect.any(String),
      user: { name: LEADER, role: 'leader', region: LEADER_REGION },
    })
  })

  it('learns the city before signing in: /city.json from the city file', async () => {
    const r = await h.app.request('/city.json')
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({
      code: ROOT,
      name: city().config.name,
      name_en: city().config.name_en,
      center: city().root.centroid,
    })
  })

  it('answers /healthz and /metrics', async () => {
    const health = await h.app.request('/healthz')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const metrics = await (await h.app.request('/metrics')).text()
    expect(metrics).toContain('ioc_ingest_accepted_total')
  })
})
