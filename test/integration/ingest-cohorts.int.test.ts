import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Overview } from '#core/schemas/api.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

// The cohort tables (migration 027) are kept by the ingest writer, batch by batch, as signed rows.
// Here steps arrive the way they do from real sources: out of order, split across batches, repeated,
// a record reported twice, a deadline extended, a grid corrected by a later step, a ticket reopened
// and rated twice. After every batch the table's net rows must equal each record's fold of the steps
// sent so far, computed here independently; at the end the overview must give the numbers. A record
// is counted where it was first reported (created), as the cohort tables place it.

const NOW = Date.parse('2026-11-20T14:00:00+08:00')
const MIN = 60_000
const grids = [...gridsIn('320102', 3), ...gridsIn('320104', 2)]

/** A small seeded generator, so a failure is the same failure on every run. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rnd = random(20261120)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]

type Rec = Record<string, string | number>
// Every step gets its own minute, so "the latest step" is never a tie.
let clock = NOW - 40 * 60 * MIN
const tick = () => (clock += MIN + Math.floor(rnd() * 20) * MIN)

function eventSteps(id: string): Rec[] {
  const grid = pick(grids)
  const base = { event_id: id, category: 'appearance.garbage', grid_code: grid }
  const steps: Rec[] = []
  const kind = rnd()
  const reported = kind < 0.1 ? [] : kind < 0.2 ? ['reported', 'reported'] : ['reported']
  for (const step of reported)
    steps.push({ ...base, step, ts: tick(), deadline: tick() + Math.floor(rnd() * 30) * 60 * MIN - 20 * 60 * MIN })
  const more = ['verified', 'dispatched', 'handled', 'submitted', 'evaluated'].slice(0, Math.floor(rnd() * 6))
  for (const step of more) steps.push({ ...base, step, ts: tick() })
  // A deadline extended at dispatch, or another grid given at verification (the record stays where it was reported).
  const dispatched = steps.find((s) => s.step === 'dispatched')
  if (dispatched && rnd() < 0.4) dispatched.deadline = tick() + 10 * 60 * MIN
  const verified = steps.find((s) => s.step === 'verified')
  if (verified && rnd() < 0.2) verified.grid_code = pick(grids)
  if (rnd() < 0.1 && steps.some((s) => s.step === 'evaluated')) steps.push({ ...base, step: 'evaluated', ts: tick() })
  return steps
}

function ticketSteps(id: string): Rec[] {
  const base = { ticket_id: id, channel: 'phone', category: 'environment', grid_code: pick(grids) }
  const path = pick([
    ['created'],
    ['created', 'dispatched', 'accepted'],
    ['created', 'dispatched', 'accepted', 'replied', 'closed'],
    ['created', 'replied', 'closed', 'rated'],
    ['created', 'replied', 'closed', 'reopened'],
    ['created', 'replied', 'closed', 'reopened', 'replied', 'closed', 'rated'],
    ['created', 'replied', 'closed', 'rated', 'rated'],
    ['replied', 'closed'],
  ])
  return path.map((step) => ({
    ...base,
    step,
    ts: tick(),
    ...(step === 'rated' ? { satisfaction: pick(['satisfied', 'basically', 'unsatisfied']) } : {}),
  }))
}

/** Each record's row as the overview counts it, folded from its steps here, without ClickHouse. */
function foldEvents(sent: Rec[]) {
  const out = new Map<
    string,
    { reported_at: number; grid_code: string; evaluated_at: number | null; deadline: number | null }
  >()
  for (const id of new Set(sent.map((s) => String(s.event_id)))) {
    const steps = sent.filter((s) => s.event_id === id).sort((a, b) => Number(a.ts) - Number(b.ts))
    const reported = steps.filter((s) => s.step === 'reported').map((s) => Number(s.ts))
    if (!reported.length) continue
    const evaluated = steps.filter((s) => s.step === 'evaluated').map((s) => Number(s.ts))
    const deadlines = steps.filter((s) => s.deadline !== undefined).map((s) => Number(s.deadline))
    out.set(id, {
      reported_at: Math.min(...reported),
      grid_code: String(steps.find((s) => s.step === 'reported')!.grid_code),
      evaluated_at: evaluated.length ? Math.max(...evaluated) : null,
      deadline: deadlines.length ? Math.max(...deadlines) : null,
    })
  }
  return out
}

function foldTickets(sent: Rec[]) {
  const out = new Map<
    string,
    { created_at: number; grid_code: string; replied_at: number | null; status: string; satisfaction: string }
  >()
  for (const id of new Set(sent.map((s) => String(s.ticket_id)))) {
    const steps = sent.filter((s) => s.ticket_id === id).sort((a, b) => Number(a.ts) - Number(b.ts))
    const created = steps.filter((s) => s.step === 'created').map((s) => Number(s.ts))
    if (!created.length) continue
    const replied = steps.filter((s) => s.step === 'replied').map((s) => Number(s.ts))
    const rated = steps.filter((s) => s.satisfaction)
    const last = steps[steps.length - 1]
    out.set(id, {
      created_at: Math.min(...created),
      grid_code: String(steps.find((s) => s.step === 'created')!.grid_code),
      replied_at: replied.length ? Math.min(...replied) : null,
      status: String(last.step),
      satisfaction: rated.length ? String(rated[rated.length - 1].satisfaction) : '',
    })
  }
  return out
}

const events = Array.from({ length: 60 }, (_, i) => eventSteps(`CO-E${i}`)).flat()
const tickets = Array.from({ length: 40 }, (_, i) => ticketSteps(`CO-T${i}`)).flat()

/** The steps shuffled and cut into batches of 1–25; now and then a batch is sent twice. */
function batches(steps: Rec[]): Rec[][] {
  const shuffled = [...steps]
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
  }
  const out: Rec[][] = []
  for (let i = 0; i < shuffled.length;) {
    const n = 1 + Math.floor(rnd() * 25)
    out.push(shuffled.slice(i, i + n))
    if (rnd() < 0.15) out.push(shuffled.slice(i, i + n))
    i += n
  }
  return out
}

let h: Harness
beforeAll(async () => {
  h = await startHarness({ now: () => NOW })
})
afterAll(async () => {
  await h?.close()
})

// As a Float64, so JSON gives a number (64-bit integers come as strings).
const ms = (col: string) => `toFloat64(toUnixTimestamp64Milli(${col}))`
async function netRows<T>(table: string, id: string, columns: string[]): Promise<Map<string, T & { n: number }>> {
  const rs = await h.store.query({
    query: `SELECT ${id} AS id, ${columns.join(', ')}, toInt32(sum(sign)) AS n FROM ${table} GROUP BY ALL HAVING n != 0`,
    format: 'JSONEachRow',
  })
  return new Map(
    (await rs.json<T & { id: string; n: number }>()).map(({ id: key, ...r }) => [key, r as T & { n: number }]),
  )
}

/**
 * Sends the steps in batches (see `batches`) and, after each, compares the table's net rows with
 * `fold` of the steps sent so far: each started record once, with its row. Returns what was sent.
 */
async function followEveryBatch(
  stream: 'grid-events' | 'hotline-tickets',
  steps: Rec[],
  table: string,
  id: string,
  fold: (sent: Rec[]) => Map<string, object>,
  columns: string[],
): Promise<Rec[]> {
  const sent: Rec[] = []
  for (const batch of batches(steps)) {
    expect((await h.send(stream, batch)).body).toMatchObject({ accepted: batch.length, rejected: 0 })
    sent.push(...batch)
    const got = await netRows(table, id, columns)
    const want = new Map([...fold(sent)].map(([key, r]) => [key, { ...r, n: 1 }]))
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want))
  }
  return sent
}

/**
 * Merged down, a table holds one +1 row per record: each change was written −1 then +1, the insert's
 * sort is stable and merges keep the parts' order, so every retracted row meets the row it cancels.
 */
async function mergedDown(table: string, records: number) {
  await h.store.command({ query: `OPTIMIZE TABLE ${table} FINAL` })
  const rs = await h.store.query({
    query: `SELECT toInt32(count()) AS rows, toInt32(countIf(sign = 1)) AS plus FROM ${table}`,
    format: 'JSONEachRow',
  })
  expect((await rs.json<{ rows: number; plus: number }>())[0]).toEqual({ rows: records, plus: records })
}

describe('the cohort tables follow every batch', () => {
  it('for events: each started event once, with its fold of the steps sent so far', async () => {
    const sent = await followEveryBatch('grid-events', events, 'event_cohort', 'event_id', foldEvents, [
      `${ms('reported_at')} AS reported_at`,
      'grid_code',
      `${ms('evaluated_at')} AS evaluated_at`,
      `${ms('deadline')} AS deadline`,
    ])
    // A report sent again under its stored key but with another deadline is a duplicate: the raw
    // table keeps the first, and so must the cohort row (the writer folds only the rows it stores).
    const started = foldEvents(sent)
    const report = sent.find((r) => r.step === 'reported' && started.has(String(r.event_id)))!
    const moved = { ...report, deadline: NOW + 400 * 24 * 60 * MIN }
    expect((await h.send('grid-events', [moved])).body).toMatchObject({ accepted: 1, rejected: 0 })
    const after = await netRows<{ deadline: number }>('event_cohort', 'event_id', [`${ms('deadline')} AS deadline`])
    expect(after.get(String(report.event_id))?.deadline).toBe(started.get(String(report.event_id))?.deadline)
    expect(after.size).toBe(started.size)
    await mergedDown('event_cohort', started.size)
  })

  it('for tickets: a reopened ticket is open again, a second rating replaces the first', async () => {
    const sent = await followEveryBatch('hotline-tickets', tickets, 'ticket_cohort', 'ticket_id', foldTickets, [
      `${ms('created_at')} AS created_at`,
      'grid_code',
      `${ms('replied_at')} AS replied_at`,
      'status',
      'satisfaction',
    ])
    await mergedDown('ticket_cohort', foldTickets(sent).size)
  })

  it('and the overview counts them, for any range and region', async () => {
    const evs = foldEvents(events)
    const tks = foldTickets(tickets)
    const round1 = (x: number) => Math.round(x * 10) / 10
    for (const [region, from, to] of [
      ['3201', NOW - 48 * 60 * MIN, NOW + 60 * 60 * MIN],
      ['320102', NOW - 30 * 60 * MIN, NOW],
      [grids[4], NOW - 48 * 60 * MIN, NOW + 60 * 60 * MIN],
      [grids[0].slice(0, 9), NOW - 20 * 60 * MIN, NOW + 10 * 60 * MIN],
      // Ends at 07:00 in Nanjing, 23:00 UTC the day before: the day key's zone must be the query's.
      ['3201', NOW - 30 * 60 * MIN, Date.parse('2026-11-20T07:00:00+08:00')],
    ] as const) {
      const e = [...evs.values()].filter(
        (r) => r.grid_code.startsWith(region) && r.reported_at >= from && r.reported_at < to,
      )
      const t = [...tks.values()].filter(
        (r) => r.grid_code.startsWith(region) && r.created_at >= from && r.created_at < to,
      )
      const closed = e.filter((r) => r.evaluated_at !== null)
      const rated = t.filter((r) => r.satisfaction)
      const replied = t.filter((r) => r.replied_at !== null)
      const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`
      const { status, body } = await h.get<Overview>(`/api/v1/overview?region=${region}&${range}`)
      expect(status).toBe(200)
      expect(e.length, 'the range holds events').toBeGreaterThan(0)
      expect(body.events).toEqual({
        reported: e.length,
        open: e.length - closed.length,
        closed: closed.length,
        overdue: e.filter((r) => r.evaluated_at === null && r.deadline !== null && r.deadline < NOW).length,
        closure_rate: closed.length / e.length,
        avg_handle_minutes: closed.length
          ? round1(closed.reduce((s, r) => s + r.evaluated_at! - r.reported_at, 0) / closed.length / MIN)
          : 0,
      })
      const ticketsClosed = t.filter((r) => r.status === 'closed' || r.status === 'rated').length
      expect(body.tickets).toEqual({
        created: t.length,
        open: t.length - ticketsClosed,
        closed: ticketsClosed,
        satisfaction_rate: rated.length
          ? rated.filter((r) => r.satisfaction !== 'unsatisfied').length / rated.length
          : 0,
        avg_response_minutes: replied.length
          ? round1(replied.reduce((s, r) => s + r.replied_at! - r.created_at, 0) / replied.length / MIN)
          : 0,
        rated: rated.length,
        replied: replied.length,
      })
    }
  })
})
