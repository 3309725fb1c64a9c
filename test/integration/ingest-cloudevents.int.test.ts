import { CloudEvent, emitterFor, HTTP, httpTransport, Mode } from 'cloudevents'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridsIn } from '../support/harness.js'
import { gridEvent, startIngest, TOKEN, type IngestFixture } from '../support/ingest.js'

let f: IngestFixture
const [grid] = gridsIn('320104', 1)
const auth = { authorization: `Bearer ${TOKEN}` }
type Answer = { accepted: number; rejected: number; errors: { index: number; path: string; message: string }[] }

beforeAll(async () => {
  f = await startIngest()
})
afterAll(async () => {
  await f?.close()
})

const event = (type: string, data: unknown, id: string) =>
  new CloudEvent({ id, source: 'urn:test:sensor-gateway', type, datacontenttype: 'application/json', data })

describe('CloudEvents 1.0 over HTTP, sent by the official SDK', () => {
  it('takes binary and structured mode from the SDK emitter', async () => {
    for (const mode of [Mode.BINARY, Mode.STRUCTURED]) {
      const emit = emitterFor(httpTransport(`${f.url}/ingest/v1/cloudevents`), { mode })
      const res = (await emit(event('ioc.grid.event', gridEvent(1, grid, { event_id: `CE-${mode}` }), `ce-${mode}`), {
        headers: auth,
      })) as { body: string }
      expect(JSON.parse(res.body)).toEqual({ accepted: 1, rejected: 0, errors: [] })
    }
    const rows = await f.rows<{ event_id: string }>(
      "SELECT event_id FROM grid_events WHERE startsWith(event_id, 'CE-') ORDER BY event_id",
    )
    expect(rows.map((r) => r.event_id)).toEqual(['CE-binary', 'CE-structured'])
  })

  it('takes a batch of mixed types, and answers for the invalid and unknown ones by position', async () => {
    const batch = [
      event(
        'ioc.terminal.status',
        { terminal_id: 'CE-T1', ts: Date.now(), status: 'fault', grid_code: grid, fault_code: 'printer' },
        'b1',
      ),
      event(
        'ioc.hotline.ticket',
        { ticket_id: 'CE-K1', step: 'created', ts: Date.now(), category: 'noise', grid_code: grid },
        'b2',
      ),
      event('ioc.grid.event', gridEvent(3, grid, { event_id: 'CE-BAD', priority: 9 }), 'b3'),
      event('ioc.parking.space', { anything: 1 }, 'b4'),
    ]
    const res = await fetch(`${f.url}/ingest/v1/cloudevents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(batch.map((e) => e.toJSON())),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Answer
    expect(body.accepted).toBe(2)
    expect(body.errors.map((e) => [e.index, e.path])).toEqual([
      [2, 'data.priority'],
      [3, 'type'],
    ])
    expect(await f.rows("SELECT 1 FROM terminal_status WHERE terminal_id = 'CE-T1'")).toHaveLength(1)
    expect(await f.rows("SELECT 1 FROM hotline_tickets WHERE ticket_id = 'CE-K1'")).toHaveLength(1)
    const rejects = await f.rows<{ stream: string; path: string }>(
      "SELECT stream, path FROM rejects WHERE source = 'cloudevents' ORDER BY record_index",
    )
    expect(rejects).toEqual([
      { stream: 'grid-events', path: 'priority' }, // the raw kept is the event's data: paths are relative to it
      { stream: 'cloudevents', path: 'type' },
    ])
  })

  it('refuses what is not a CloudEvent with a 400 naming why', async () => {
    const missing = HTTP.binary(event('ioc.grid.event', gridEvent(5, grid), 'x'))
    const headers: Record<string, string> = { ...(missing.headers as Record<string, string>), ...auth }
    delete headers['ce-source']
    const res = await fetch(`${f.url}/ingest/v1/cloudevents`, { method: 'POST', headers, body: missing.body as string })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/source/)
    const plain = await fetch(`${f.url}/ingest/v1/cloudevents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(plain.status).toBe(400)
    const broken = await fetch(`${f.url}/ingest/v1/cloudevents`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/cloudevents-batch+json' },
      body: '[{',
    })
    expect(broken.status).toBe(400)
  })
})
