import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridsIn } from '../support/harness.js'
import { gridEvent, startIngest, TOKEN, type IngestFixture } from '../support/ingest.js'

// Thousands of generated bad payloads against the real HTTP server: never a 5xx, the process stays
// up, and the good records that share a batch with bad ones are all stored.
let f: IngestFixture
const grids = gridsIn('320111', 20)
const STREAMS = ['grid-events', 'terminal-status', 'hotline-tickets'] as const
const statuses = new Map<number, number>()
const goodIds = new Set<string>()
let goodSeq = 0

beforeAll(async () => {
  // Answer after the fsync: the fuzz sends one request at a time and checks the store at the end.
  f = await startIngest({ ack: 'spooled', maxBodyBytes: 1 << 20 })
})
afterAll(async () => {
  console.info(
    `fuzz: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${goodIds.size} good records among them`,
  )
  await f?.close()
})

async function send(
  stream: string,
  body: string | Uint8Array,
  contentType: string,
  encoding?: string,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }
  if (encoding) headers['content-encoding'] = encoding
  const res = await fetch(`${f.url}/ingest/v1/${stream}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : Buffer.from(body),
  })
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
  return { status: res.status, body: await res.text() }
}

const good = () => gridEvent(900_000 + goodSeq, grids[goodSeq % grids.length], { event_id: `FUZZ-GOOD-${goodSeq++}` })

/** Values that break records: wrong types, huge or odd text, numbers out of any range. */
const badValue = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    -1,
    0.5,
    2 ** 64,
    '1e400',
    '',
    ' ',
    '\u0000',
    '\uD800',
    'x'.repeat(70_000),
  ),
  fc.constantFrom(null, true, [], {}, [[[[[]]]]]),
)
const fields = [
  'event_id',
  'step',
  'ts',
  'category',
  'grid_code',
  'lon',
  'lat',
  'crs',
  'priority',
  'deadline',
  'description',
  'evaluation',
  'terminal_id',
  'status',
  'paper_pct',
  'transactions',
  'ticket_id',
  'satisfaction',
]
const badRecord = fc.oneof(
  fc
    .record({ field: fc.constantFrom(...fields), value: badValue })
    .map(({ field, value }) => ({ ...good(), event_id: 'FUZZ-BAD', [field]: value })),
  fc.anything({ maxDepth: 4 }),
  fc.dictionary(fc.string({ maxLength: 20 }), badValue, { maxKeys: 8 }),
)
/** Bodies that are not JSON, not UTF-8, or nested past any sense. */
const badBody = fc.oneof(
  fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1)) + '}{'),
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, ...b])),
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1_000, max: 50_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.constantFrom('1e400', '-1e400', 'NaN', '[1e999999]', '"\\ud800"', '\u0000', ''),
)

describe('fuzzing the ingest endpoints', () => {
  it('answers bad bodies and wrong content types with a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STREAMS, 'cloudevents'),
        badBody,
        fc.constantFrom(
          'application/json',
          'application/x-ndjson',
          'text/plain',
          'application/xml',
          '',
          'application/cloudevents+json',
          'application/cloudevents-batch+json',
        ),
        fc.constantFrom(undefined, undefined, undefined, 'gzip', 'deflate'),
        async (stream, body, contentType, encoding) => {
          const res = await send(stream, body, contentType, encoding)
          expect(res.status, res.body.slice(0, 300)).toBeLessThan(500)
        },
      ),
      { numRuns: 900 },
    )
  }, 120_000)

  it('stores the good records of batches that mix them with bad ones, and answers each bad one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant('good' as const), badRecord), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('application/json', 'application/x-ndjson'),
        async (plan, contentType) => {
          const records = plan.map((p) => (p === 'good' ? good() : p))
          let body: string
          try {
            body =
              contentType === 'application/json'
                ? JSON.stringify(records)
                : records.map((r) => JSON.stringify(r) ?? 'undefined').join('\n')
          } catch {
            return // not serialisable by the sender (a BigInt): nothing to send
          }
          const res = await send('grid-events', body, contentType)
          expect(res.status, res.body.slice(0, 300)).toBeLessThan(500)
          if (res.status !== 200) return
          const answer = JSON.parse(res.body) as {
            accepted: number
            rejected: number
            errors: { index: number; path: string; message: string }[]
          }
          for (const e of answer.errors) expect(typeof e.message).toBe('string')
          const rejected = new Set(answer.errors.map((e) => e.index))
          records.forEach((r, i) => {
            const id = (r as { event_id?: unknown } | null)?.event_id
            if (typeof id === 'string' && id.startsWith('FUZZ-GOOD-') && plan[i] === 'good') {
              expect(
                rejected.has(i),
                `good record ${i} rejected: ${JSON.stringify(answer.errors.find((e) => e.index === i))}`,
              ).toBe(false)
              goodIds.add(id)
            }
          })
        },
      ),
      { numRuns: 600 },
    )
    await f.pipeline.flush()
    const stored = await f.rows<{ event_id: string }>(
      "SELECT DISTINCT event_id FROM grid_events WHERE startsWith(event_id, 'FUZZ-GOOD-')",
    )
    expect(stored.length).toBe(goodIds.size)
    expect((await fetch(`${f.url}/healthz`)).status).toBe(200)
  }, 120_000)
})
