import { request } from 'node:http'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridsIn } from '../support/harness.js'
import { gridEvent, startIngest, TOKEN, type IngestFixture } from '../support/ingest.js'

let f: IngestFixture
const [grid] = gridsIn('320102', 1)

beforeAll(async () => {
  f = await startIngest({ maxSpoolBytes: 8 << 20, outage: true })
})
afterAll(async () => {
  await f?.close()
})

/**
 * The status of an upload over the limit: the server answers 413 from Content-Length and closes
 * without reading the rest, as it should, so the sender may see its write cut; only the answer counts.
 */
function statusOfLargeUpload(url: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': bytes },
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    )
    req.end(Buffer.alloc(bytes, 'x'))
  })
}

const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n')
const count = async (table: string, where = '1') =>
  Number((await f.rows<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`))[0].n)

describe('HTTP ingest', () => {
  it('stores a batch once however often it is sent, in the raw table and in the rollups', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => gridEvent(i, grid, { event_id: `DUP-${i}` }))
    const first = await f.post('/ingest/v1/grid-events', ndjson(batch), { 'content-type': 'application/x-ndjson' })
    expect(first).toMatchObject({ status: 200, body: { accepted: 50, rejected: 0, errors: [] } })
    // A retry of the whole batch, and a batch repeating records inside itself.
    await f.post('/ingest/v1/grid-events', JSON.stringify(batch))
    await f.post('/ingest/v1/grid-events', JSON.stringify([...batch.slice(0, 10), ...batch.slice(0, 10)]))
    await f.pipeline.flush()
    expect(await count('grid_events', "startsWith(event_id, 'DUP-')")).toBe(50)
    const [rollup] = await f.rows<{ n: string }>(
      "SELECT sum(n) AS n FROM events_rollup WHERE depth = 5 AND region = {grid:String} AND step = 'reported' AND bucket <= now()",
      { grid },
    )
    expect(Number(rollup.n)).toBe(50)
  })

  it('accepts gzip bodies and refuses a bad one or one that expands past the limit', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => gridEvent(1000 + i, grid, { event_id: `GZ-${i}` }))
    const ok = await f.post('/ingest/v1/grid-events', gzipSync(ndjson(batch)), {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    })
    expect(ok).toMatchObject({ status: 200, body: { accepted: 20 } })
    expect(await count('grid_events', "startsWith(event_id, 'GZ-')")).toBe(20)
    const bad = await f.post('/ingest/v1/grid-events', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })
    expect(bad.status).toBe(400)
    // 2 MiB of spaces compresses to a few KiB but is over the 1 MiB limit once decompressed.
    const bomb = await f.post('/ingest/v1/grid-events', gzipSync(Buffer.alloc(2 << 20, ' ')), {
      'content-encoding': 'gzip',
    })
    expect(bomb.status).toBe(413)
    const br = await f.post('/ingest/v1/grid-events', '[]', { 'content-encoding': 'br' })
    expect(br.status).toBe(415)
  })

  it('answers each invalid record with index, path and reason, keeps it in rejects and stores the rest', async () => {
    const batch = [
      gridEvent(2000, grid, { event_id: 'MIX-0' }),
      gridEvent(2001, grid, { event_id: 'MIX-1', step: 'closed' }),
      gridEvent(2002, grid, { event_id: 'MIX-2', ts: 'not a time' }),
      { ...gridEvent(2003, grid, { event_id: 'MIX-3' }), grid_code: undefined, lon: 10, lat: 10 },
      gridEvent(2004, grid, { event_id: 'MIX-4', description: 'tab\there, newline\nthere, backslash \\ and 中文' }),
    ]
    const res = await f.post('/ingest/v1/grid-events', JSON.stringify(batch))
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(2)
    expect(res.body.errors).toEqual([
      { index: 1, path: 'step', message: expect.any(String) },
      { index: 2, path: 'ts', message: 'not an ISO 8601 time' },
      { index: 3, path: 'lon', message: expect.stringContaining('outside the city') },
    ])
    const [stored] = await f.rows<{ description: string }>(
      "SELECT description FROM grid_events WHERE event_id = 'MIX-4'",
    )
    expect(stored.description).toBe('tab\there, newline\nthere, backslash \\ and 中文')
    const rejects = await f.rows<{ record_index: number; path: string; raw: string }>(
      "SELECT record_index, path, raw FROM rejects WHERE raw LIKE '%MIX-%' ORDER BY record_index",
    )
    expect(rejects.map((r) => [r.record_index, r.path])).toEqual([
      [1, 'step'],
      [2, 'ts'],
      [3, 'lon'],
    ])
    expect(JSON.parse(rejects[0].raw)).toMatchObject({ event_id: 'MIX-1', step: 'closed' })
  })

  it('places a record that has only a position, converting GCJ-02 to WGS84', async () => {
    const [g] = gridsIn('320105', 1)
    const { centroid } = (await import('../support/harness.js')).city().get(g)!
    const { toGcj02 } = await import('../support/gcj02.js')
    const [lon, lat] = toGcj02(...centroid)
    const res = await f.post(
      '/ingest/v1/terminal-status',
      JSON.stringify({
        terminal_id: 'POS-1',
        ts: '2026-11-23T08:00:00+08:00',
        status: 'online',
        lon,
        lat,
        crs: 'gcj02',
      }),
    )
    expect(res.body).toMatchObject({ accepted: 1 })
    const [row] = await f.rows<{ grid_code: string; lon: number; lat: number }>(
      "SELECT grid_code, lon, lat FROM terminal_status WHERE terminal_id = 'POS-1'",
    )
    expect(row.grid_code).toBe(g)
    expect(row.lon).toBeCloseTo(centroid[0], 5)
    expect(row.lat).toBeCloseTo(centroid[1], 5)
  })

  it('refuses what is not an ingest request with the right status', async () => {
    expect((await f.post('/ingest/v1/grid-events', '{', { 'content-type': 'application/json' })).status).toBe(400)
    expect((await f.post('/ingest/v1/grid-events', 'x', { 'content-type': 'text/plain' })).status).toBe(415)
    expect((await f.post('/ingest/v1/grid-events', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).status).toBe(400)
    expect((await f.post('/ingest/v1/nothing', '[]')).status).toBe(404)
    expect(await statusOfLargeUpload(`${f.url}/ingest/v1/grid-events`, 2 << 20)).toBe(413)
    expect((await f.post('/ingest/v1/grid-events', '[]', { authorization: '' })).status).toBe(401)
    expect((await f.post('/ingest/v1/grid-events', '[]', { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await f.post('/ingest/v1/grid-events', '[]', { authorization: `Bearer ${TOKEN}` })).status).toBe(200)
  })

  it('answers 429 with Retry-After while the spool is past its bound, and takes records again after', async () => {
    f.outage.setDown(true)
    try {
      // The store is down: records are only spooled, until the 8 MiB bound is passed.
      const big = Array.from({ length: 500 }, (_, i) =>
        gridEvent(10_000 + i, grid, { event_id: `BP-${i}`, description: 'x'.repeat(1500) }),
      )
      let status = 200
      for (let i = 0; i < 20 && status === 200; i++) {
        const res = await f.post(
          '/ingest/v1/grid-events',
          JSON.stringify(big.map((r) => ({ ...r, event_id: `BP-${i}-${r.event_id}` }))),
        )
        status = res.status
        if (status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
      expect(status).toBe(429)
    } finally {
      f.outage.setDown(false)
    }
    await f.pipeline.flush()
    expect(f.pipeline.spooledBytes()).toBe(0)
    const res = await f.post(
      '/ingest/v1/grid-events',
      JSON.stringify([gridEvent(99_999, grid, { event_id: 'AFTER-BP' })]),
    )
    expect(res).toMatchObject({ status: 200, body: { accepted: 1 } })
  })

  it('serves health and the ingest metrics', async () => {
    expect((await fetch(`${f.url}/healthz`)).status).toBe(200)
    const text = await (await fetch(`${f.url}/metrics`)).text()
    for (const name of [
      'ioc_ingest_received_total',
      'ioc_ingest_accepted_total',
      'ioc_ingest_rejected_total',
      'ioc_ingest_batch_rows',
      'ioc_ingest_insert_seconds',
      'ioc_ingest_spool_bytes',
      'ioc_ingest_lag_seconds',
    ]) {
      expect(text).toContain(name)
    }
  })
})
