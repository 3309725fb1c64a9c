import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Overview } from '#core/schemas/api.js'
import { loadMetricCatalog } from '#api/metric-catalog.js'
import { metricValue, previousOf } from '#api/queries/aggregates.js'
import type { Scope } from '#api/queries/scope.js'
import { city, cityTime, knownPlaces, startHarness, type Harness } from '../support/harness.js'
import { KNOWN_DAY, expectedOverview, knownDay, type KnownRecords } from '../support/known-day.js'

/**
 * The proof of compare=previous: every KPI of the overview and of its `previous`, at city, district and street
 * level, at 14:20 on a known day, against the independent fold of test/support/known-day.ts. Runs on the demo city
 * and on the tiny one (vitest project integration-tiny).
 */

const ROOT = city().root.code
const { A, B, street: STREET, grids } = knownPlaces()
const REGIONS = [ROOT, A, B, STREET]

const L = (day: string, hhmm: string) => cityTime(day, hhmm)
const DAY = 86_400_000
const NOW = L(KNOWN_DAY.today, KNOWN_DAY.now)
const F = L(KNOWN_DAY.today, '00:00')
const T = L(KNOWN_DAY.tomorrow, '00:00')
const iso = (t: number) => new Date(t).toISOString()
const range = `from=${encodeURIComponent(iso(F))}&to=${encodeURIComponent(iso(T))}`

let h: Harness
let records: KnownRecords
let silenceMs: number
beforeAll(async () => {
  h = await startHarness({ now: () => NOW })
  silenceMs = h.ctx.terminalSilenceMs
  records = knownDay(grids, L)
  expect(records.now).toBe(NOW)
  // Later steps in batches of their own, as they arrive in life.
  for (const [stream, recs] of [
    ['grid-events', records.events],
    ['hotline-tickets', records.tickets],
    ['terminal-status', records.terminals],
  ] as const) {
    const half = Math.ceil(recs.length / 2)
    for (const batch of [recs.slice(0, half), recs.slice(half)])
      expect((await h.send(stream, batch)).body, stream).toMatchObject({ accepted: batch.length, rejected: 0 })
  }
})
afterAll(async () => h?.close())

/** The expected overview now and, for compare=previous, at 14:20 yesterday over yesterday until 14:20. */
const expected = (region: string) => ({
  now: expectedOverview(records, { region, from: F, to: T, at: NOW, silenceMs }),
  previous: expectedOverview(records, { region, from: F - DAY, to: NOW - DAY, at: NOW - DAY, silenceMs }),
})

async function overviewOf(region: string): Promise<Overview> {
  const { status, body } = await h.get<Overview>(`/api/v1/overview?region=${region}&${range}&compare=previous`)
  expect(status).toBe(200)
  return body
}

describe('the known day is one where the honest comparison differs', () => {
  it('yesterday at 14:20 is not yesterday as it stands now', () => {
    const then = expected(ROOT).previous
    const careless = expectedOverview(records, { region: ROOT, from: F - DAY, to: NOW - DAY, at: NOW, silenceMs })
    expect(then.events.open).not.toBe(careless.events.open)
    expect(then.events.overdue).not.toBe(careless.events.overdue)
    expect(then.tickets.closed).not.toBe(careless.tickets.closed)
    expect(then.tickets.rated).not.toBe(careless.tickets.rated)
    const wholeDay = expectedOverview(records, { region: ROOT, from: F - DAY, to: F, at: NOW - DAY, silenceMs })
    expect(then.events.reported).toBe(wholeDay.events.reported) // the elapsed part: KE05 came after 14:20
    expect(expectedOverview(records, { region: ROOT, from: F - DAY, to: F, at: F, silenceMs }).events.reported).toBe(
      then.events.reported + 1,
    )
    // Every region under test has events and tickets on both days.
    for (const r of REGIONS) {
      const e = expected(r)
      expect(e.now.events.reported + e.now.tickets.created, r).toBeGreaterThan(0)
      expect(e.previous.events.reported + e.previous.tickets.created, r).toBeGreaterThan(0)
    }
  })
})

describe.each(REGIONS)('overview of %s at 14:20 with compare=previous', (region) => {
  it('events and tickets now', async () => {
    const got = await overviewOf(region)
    const want = expected(region).now
    expect(got.events).toEqual(want.events)
    expect(got.tickets).toEqual(want.tickets)
    expect(got.from).toBe(iso(F))
    expect(got.computed_at).toBe(iso(NOW))
  })

  it('events and tickets of yesterday until 14:20, as they stood at 14:20', async () => {
    const got = await overviewOf(region)
    const want = expected(region).previous
    expect(got.previous).toBeDefined()
    expect(got.previous!.events).toEqual(want.events)
    expect(got.previous!.tickets).toEqual(want.tickets)
    expect([got.previous!.from, got.previous!.to, got.previous!.at]).toEqual([
      iso(F - DAY),
      iso(NOW - DAY),
      iso(NOW - DAY),
    ])
  })

  // The terminals as of an instant, with silence counted offline, are engineer B's part of issue 16
  // (api/queries/terminals.ts); these pass once it is merged.
  it('terminals now and at 14:20 yesterday, a silent terminal counted offline', async () => {
    const got = await overviewOf(region)
    const want = expected(region)
    expect(got.terminals).toEqual(want.now.terminals)
    expect(got.previous!.terminals).toEqual(want.previous.terminals)
  })
})

describe('one measure, one number: each overview field is the total of its catalogue metric', () => {
  const catalog = loadMetricCatalog()
  const value = (id: string, s: Scope) => metricValue(h.store, catalog.get(id)!, s)
  const scopeOf = (region: string): Scope => ({ region, from: F, to: T, now: NOW, silenceMs })

  const EVENTS: Array<[keyof Overview['events'], string]> = [
    ['reported', 'events.reported'],
    ['open', 'events.open'],
    ['closed', 'events.closed_of_reported'],
    ['overdue', 'events.overdue'],
    ['closure_rate', 'events.closure_rate'],
    ['avg_handle_minutes', 'events.avg_handle_minutes'],
  ]
  const TICKETS: Array<[keyof Overview['tickets'], string]> = [
    ['created', 'tickets.created'],
    ['open', 'tickets.open'],
    ['closed', 'tickets.closed_of_created'],
    ['satisfaction_rate', 'tickets.satisfaction_rate'],
    ['avg_response_minutes', 'tickets.avg_response_minutes'],
  ]
  const round1 = (x: number) => Math.round(x * 10) / 10

  it.each(REGIONS)('events and tickets of %s, now and for the previous period', async (region) => {
    const got = await overviewOf(region)
    for (const [s, o] of [
      [scopeOf(region), got],
      [previousOf(scopeOf(region)), got.previous!],
    ] as const) {
      for (const [field, id] of EVENTS) {
        const v = await value(id, s)
        // The overview rounds its averages to a tenth of a minute.
        expect(field === 'avg_handle_minutes' ? round1(v) : v, `${id} ${region}`).toBeCloseTo(o.events[field], 9)
      }
      for (const [field, id] of TICKETS) {
        const v = await value(id, s)
        expect(field === 'avg_response_minutes' ? round1(v) : v, `${id} ${region}`).toBeCloseTo(o.tickets[field], 9)
      }
    }
    // The flow of closings is another measure: it counts every evaluation today (KE00, reported the day before
    // yesterday, and KE03, reported yesterday, among them), whatever the cohort.
    const evaluatedToday = records.events.filter(
      (e) => e.step === 'evaluated' && e.ts >= F && e.ts < T && e.grid_code.startsWith(region),
    ).length
    expect(await value('events.closed', scopeOf(region))).toBe(evaluatedToday)
    if (region === ROOT) expect(evaluatedToday).toBe(got.events.closed + 2)
  })

  it.each(REGIONS)('terminals of %s now', async (region) => {
    const got = await overviewOf(region)
    const s = scopeOf(region)
    expect(await value('terminals.total', s)).toBe(got.terminals.total)
    expect(await value('terminals.online', s)).toBe(got.terminals.online)
    expect(await value('terminals.offline', s)).toBe(got.terminals.offline)
    expect(await value('terminals.fault', s)).toBe(got.terminals.fault)
    const rate = got.terminals.total ? got.terminals.online / got.terminals.total : 0
    expect(await value('terminals.online_rate', s)).toBeCloseTo(rate, 9)
  })
})
