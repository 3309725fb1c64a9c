import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenService } from '#platform/auth/tokens.js'
import { city, gridsIn } from '../support/harness.js'
import { startIngest, TOKEN, type IngestFixture } from '../support/ingest.js'

let f: IngestFixture
const [grid] = gridsIn('320113', 1)

beforeAll(async () => {
  f = await startIngest()
})
afterAll(async () => {
  await f?.close()
})

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
async function post(path: string, fields: Record<string, string>) {
  const res = await fetch(`${f.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(fields),
  })
  return { status: res.status, text: await res.text() }
}
const get = async (path: string, token?: string) => {
  const res = await fetch(`${f.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
}

describe('Open311 GeoReport v2', () => {
  it('lists the event catalogue as services, in JSON and XML', async () => {
    const json = await get('/open311/v2/services.json')
    const services = JSON.parse(json.text) as {
      service_code: string
      service_name: string
      group: string
      type: string
      metadata: boolean
    }[]
    expect(services.find((s) => s.service_code === 'appearance.garbage')).toMatchObject({
      service_name: '暴露垃圾',
      type: 'realtime',
      metadata: false,
    })
    const xml = await get('/open311/v2/services.xml')
    expect(xml.type).toContain('text/xml')
    const parsed = new XMLParser().parse(xml.text) as { services: { service: { service_code: string }[] } }
    expect(parsed.services.service.map((s) => s.service_code)).toEqual(services.map((s) => s.service_code))
  })

  it('creates a hotline ticket from a form-encoded request with api_key, and answers it by id and by query', async () => {
    const [lon, lat] = city().get(grid)!.centroid
    const created = await post('/open311/v2/requests.json', {
      api_key: TOKEN,
      service_code: 'appearance.garbage',
      lat: String(lat),
      long: String(lon),
      address_string: '紫金山路 1 号',
      description: '路边有暴露垃圾',
      email: 'citizen@example.org',
    })
    expect(created.status).toBe(200)
    const [{ service_request_id: id, service_notice }] = JSON.parse(created.text) as {
      service_request_id: string
      service_notice: string
    }[]
    expect(id).toMatch(/^O311-/)
    expect(service_notice).toContain('城管')

    const [ticket] = await f.rows<{
      channel: string
      category: string
      grid_code: string
      step: string
      department: string
    }>('SELECT channel, category, grid_code, step, department FROM hotline_tickets WHERE ticket_id = {id:String}', {
      id,
    })
    expect(ticket).toEqual({
      channel: 'open311',
      category: 'appearance.garbage',
      grid_code: grid,
      step: 'created',
      department: 'chengguan',
    })

    // Anyone gets what the city publishes (dashboards/catalog/open311.yaml): no description or
    // address, and the place as the centre of the grid, not where the caller stood.
    const one = JSON.parse((await get(`/open311/v2/requests/${id}.json`)).text) as Record<string, unknown>[]
    expect(one).toHaveLength(1)
    expect(one[0]).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'appearance.garbage',
      address_id: grid,
      lat,
      long: lon,
    })
    expect(one[0]).not.toHaveProperty('description')
    expect(one[0]).not.toHaveProperty('address')
    expect(Date.parse(one[0].expected_datetime as string) - Date.parse(one[0].requested_datetime as string)).toBe(
      12 * 3_600_000,
    )
    // An operator's session gets the whole request; an analyst's a de-identified one.
    const tokens = createTokenService('test-secret')
    const operator = await tokens.issue({ name: 'op', role: 'operator', region: '3201' })
    const [whole] = JSON.parse((await get(`/open311/v2/requests/${id}.json`, operator)).text) as Record<
      string,
      unknown
    >[]
    expect(whole).toMatchObject({ address: '紫金山路 1 号', description: '路边有暴露垃圾', lat, long: lon })
    const analyst = await tokens.issue({ name: 'an', role: 'analyst', region: '3201' })
    const [plain] = JSON.parse((await get(`/open311/v2/requests/${id}.json`, analyst)).text) as Record<
      string,
      unknown
    >[]
    expect(plain).toMatchObject({ address: null, description: null, address_id: grid })
    // A user of another district does not find it; a bad token is refused.
    const elsewhere = await tokens.issue({ name: 'lx', role: 'leader', region: '320102' })
    expect((await get(`/open311/v2/requests/${id}.json`, elsewhere)).status).toBe(404)
    expect((await get(`/open311/v2/requests/${id}.json`, 'nope')).status).toBe(401)

    const xml = new XMLParser().parse((await get(`/open311/v2/requests/${id}.xml`)).text) as {
      service_requests: { request: { service_request_id: string } }
    }
    expect(xml.service_requests.request.service_request_id).toBe(id)

    // Closing it by a hotline step moves it to closed in the list.
    await f.post(
      '/ingest/v1/hotline-tickets',
      JSON.stringify({
        ticket_id: id,
        step: 'closed',
        ts: Date.now() + 1000,
        category: 'appearance.garbage',
        grid_code: grid,
      }),
    )
    const closed = JSON.parse(
      (await get(`/open311/v2/requests.json?status=closed&service_code=appearance.garbage`)).text,
    ) as { service_request_id: string }[]
    expect(closed.map((r) => r.service_request_id)).toContain(id)
    const open = JSON.parse((await get(`/open311/v2/requests.json?status=open`)).text) as {
      service_request_id: string
    }[]
    expect(open.map((r) => r.service_request_id)).not.toContain(id)
    const past = JSON.parse(
      (await get(`/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z`)).text,
    ) as unknown[]
    expect(past).toEqual([])
  })

  it('refuses bad requests in GeoReport error form', async () => {
    const noKey = await post('/open311/v2/requests.json', {
      service_code: 'appearance.garbage',
      lat: '32',
      long: '118.8',
    })
    expect(noKey.status).toBe(401)
    expect(JSON.parse(noKey.text)).toEqual([{ code: 401, description: expect.stringContaining('api_key') }])
    const wrongKey = await post('/open311/v2/requests.json', {
      api_key: 'nope',
      service_code: 'appearance.garbage',
      lat: '32',
      long: '118.8',
    })
    expect(wrongKey.status).toBe(401)
    const unknown = await post('/open311/v2/requests.xml', {
      api_key: TOKEN,
      service_code: 'potholes',
      lat: '32',
      long: '118.8',
    })
    expect(unknown.status).toBe(400)
    expect(new XMLParser().parse(unknown.text)).toMatchObject({
      errors: { error: { code: 400, description: expect.stringContaining('unknown service_code') } },
    })
    const nowhere = await post('/open311/v2/requests.json', { api_key: TOKEN, service_code: 'appearance.garbage' })
    expect(nowhere.status).toBe(400)
    const outside = await post('/open311/v2/requests.json', {
      api_key: TOKEN,
      service_code: 'appearance.garbage',
      lat: '10',
      long: '10',
    })
    expect(outside.status).toBe(400)
    expect(JSON.parse(outside.text)[0].description).toContain('outside the city')
    expect((await get('/open311/v2/requests/O311-none.json')).status).toBe(404)
    expect((await get('/open311/v2/requests.json?status=maybe')).status).toBe(400)
    expect((await get('/open311/v2/requests.json?start_date=yesterday')).status).toBe(400)
  })
})
