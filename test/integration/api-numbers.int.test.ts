import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Breakdown, EventSummary, Overview, RegionInfo, Timeseries } from '#core/schemas/api.js'
import { city, cityTime, gridsIn, startHarness, type Harness } from '../support/harness.js'
import { toGcj02 } from '../support/gcj02.js'

// Runs on the demo city and on test/fixtures/city-tiny (vitest project integration-tiny). What the
// test knows of each city is written out here, not read from the files under test.
const KNOWN = {
  // midnight: 2026-11-20 00:00 in the city (+08:00 in Nanjing, +01:00 in Berlin in November).
  '3201': {
    districts: 11,
    midnight: '2026-11-19T16:00:00.000Z',
    A: { code: '320102', name: '玄武区' },
    B: { code: '320104', name: '秦淮区' },
  },
  '9901': {
    districts: 2,
    midnight: '2026-11-19T23:00:00.000Z',
    A: { code: '990101', name: '东湖区' },
    B: { code: '990102', name: '西山区' },
  },
}[city().root.code]!
const ROOT = city().root.code
const [A, B] = [KNOWN.A.code, KNOWN.B.code]

// A fixed day in the city's zone: 2026-11-20. "Now" is 14:00 local.
const L = (hhmm: string, day = '2026-11-20') => cityTime(day, hhmm)
const NOW = L('14:00')
const FROM = new Date(L('00:00')).toISOString()
const TO = new Date(L('00:00', '2026-11-21')).toISOString()
const range = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`

const [gA1, gA2] = gridsIn(A, 2) // 玄武区, same community
const [gB] = gridsIn(B) // 秦淮区

const loop = (
  id: string,
  grid: string,
  category: string,
  department: string,
  times: string[],
  extra: Record<string, unknown> = {},
) =>
  ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'].slice(0, times.length).map((step, i) => ({
    event_id: id,
    step,
    ts: L(times[i]),
    category,
    grid_code: grid,
    department,
    ...(i === 0 ? extra : {}),
  }))

let h: Harness
beforeAll(async () => {
  h = await startHarness({ now: () => NOW })
  const events = [
    ...loop('E1', gA1, 'appearance.garbage', 'chengguan', ['08:00', '08:10', '08:20', '09:00', '09:40', '10:00'], {
      deadline: L('20:00'),
    }),
    ...loop('E2', gA2, 'order.parking', 'jiaotong', ['09:00', '09:05', '09:10'], { deadline: L('11:00') }),
    ...loop('E3', gB, 'safety.gas', 'yingji', ['09:30'], { deadline: L('20:00') }),
    ...loop('E4', gB, 'safety.gas', 'yingji', ['09:30'], { deadline: L('20:00', '2026-11-19') }).map((r) => ({
      ...r,
      ts: L('09:30', '2026-11-19'),
    })),
  ]
  // The last steps come in a batch of their own, as they do in life: the states merge across parts.
  const late = (r: { step: string }) => r.step === 'submitted' || r.step === 'evaluated'
  for (const batch of [events.filter((r) => !late(r)), events.filter(late)]) {
    expect((await h.send('grid-events', batch)).body).toMatchObject({ accepted: batch.length, rejected: 0 })
  }
  // A retry of records already stored: accepted, and stored once.
  await h.send('grid-events', events.slice(0, 2))

  const [t3lon, t3lat] = toGcj02(...city().get(gA2)!.centroid)
  const tickets = [
    { ticket_id: 'T1', step: 'created', ts: L('08:00'), channel: 'phone', category: 'environment', grid_code: gA1 },
    { ticket_id: 'T1', step: 'replied', ts: L('08:30'), category: 'environment', grid_code: gA1 },
    { ticket_id: 'T1', step: 'closed', ts: L('09:00'), category: 'environment', grid_code: gA1 },
    {
      ticket_id: 'T1',
      step: 'rated',
      ts: L('09:10'),
      category: 'environment',
      grid_code: gA1,
      satisfaction: 'satisfied',
    },
    { ticket_id: 'T2', step: 'created', ts: L('10:00'), channel: 'wechat', category: 'traffic', grid_code: gB },
    { ticket_id: 'T2', step: 'replied', ts: L('11:00'), category: 'traffic', grid_code: gB },
    // Only a position, in GCJ-02 as phones give it: enrichment finds the grid.
    {
      ticket_id: 'T3',
      step: 'created',
      ts: L('11:00'),
      channel: 'app',
      category: 'housing',
      lon: t3lon,
      lat: t3lat,
      crs: 'gcj02',
    },
    { ticket_id: 'T4', step: 'created', ts: L('12:00'), channel: 'phone', category: 'market', grid_code: gA2 },
    { ticket_id: 'T4', step: 'closed', ts: L('13:00'), category: 'market', grid_code: gA2 },
    { ticket_id: 'T4', step: 'rated', ts: L('13:30'), category: 'market', grid_code: gA2, satisfaction: 'unsatisfied' },
  ]
  for (const batch of [tickets.filter((r) => r.step !== 'rated'), tickets.filter((r) => r.step === 'rated')]) {
    expect((await h.send('hotline-tickets', batch, 'application/x-ndjson')).body).toMatchObject({
      accepted: batch.length,
      rejected: 0,
    })
  }

  const terminals = [
    { terminal_id: 'K1', ts: L('13:00'), status: 'online', grid_code: gA1, transactions: 5 },
    { terminal_id: 'K2', ts: L('12:00'), status: 'online', grid_code: gA2, transactions: 3 },
    { terminal_id: 'K2', ts: L('13:00'), status: 'fault', grid_code: gA2, fault_code: 'printer' },
    { terminal_id: 'K3', ts: L('13:00'), status: 'offline', grid_code: gB },
    // Heartbeats within IOC_TERMINAL_SILENCE_MINUTES of now: a terminal silent longer counts as offline.
    { terminal_id: 'K1', ts: L('13:50'), status: 'online', grid_code: gA1 },
    { terminal_id: 'K2', ts: L('13:50'), status: 'fault', grid_code: gA2, fault_code: 'printer' },
    { terminal_id: 'K3', ts: L('13:50'), status: 'offline', grid_code: gB },
  ]
  expect((await h.send('terminal-status', terminals.slice(0, 2))).body).toMatchObject({ accepted: 2 })
  expect((await h.send('terminal-status', terminals.slice(2))).body).toMatchObject({ accepted: terminals.length - 2 })
})
afterAll(async () => h?.close())

describe('overview answers the numbers of the records sent', () => {
  it('for the city', async () => {
    const { status, body } = await h.get<Overview>(`/api/v1/overview?region=${ROOT}&${range}`)
    expect(status).toBe(200)
    expect(body.events).toEqual({
      reported: 3,
      open: 2,
      closed: 1,
      overdue: 1,
      closure_rate: 1 / 3,
      avg_handle_minutes: 120,
    })
    expect(body.tickets).toEqual({
      created: 4,
      open: 2,
      closed: 2,
      satisfaction_rate: 0.5,
      avg_response_minutes: 45,
      rated: 2,
      replied: 2,
    })
    expect(body.terminals).toEqual({ total: 3, online: 1, offline: 1, fault: 1 })
  })

  it('for a district, a street and a grid', async () => {
    const d = (await h.get<Overview>(`/api/v1/overview?region=${A}&${range}`)).body
    expect(d.events).toMatchObject({ reported: 2, open: 1, closed: 1, overdue: 1, closure_rate: 0.5 })
    expect(d.tickets).toMatchObject({ created: 3, closed: 2, open: 1 })
    expect(d.terminals).toEqual({ total: 2, online: 1, offline: 0, fault: 1 })
    const s = (await h.get<Overview>(`/api/v1/overview?region=${gA1.slice(0, 9)}&${range}`)).body
    expect(s.events.reported).toBe(2)
    const g = (await h.get<Overview>(`/api/v1/overview?region=${gA1}&${range}`)).body
    expect(g.events).toMatchObject({ reported: 1, closed: 1, open: 0, avg_handle_minutes: 120 })
    expect(g.tickets).toMatchObject({ created: 1, satisfaction_rate: 1, avg_response_minutes: 30 })
    const b = (await h.get<Overview>(`/api/v1/overview?region=${B}&${range}`)).body
    expect(b.events).toMatchObject({ reported: 1, open: 1, overdue: 0 })
  })

  it('defaults to today in the city time zone', async () => {
    const { body } = await h.get<Overview>(`/api/v1/overview?region=${ROOT}`)
    expect(body.from).toBe(KNOWN.midnight)
    expect(body.events.reported).toBe(3)
  })
})

describe('timeseries and breakdown', () => {
  it('counts reported events per hour, every hour present', async () => {
    const { body } = await h.get<Timeseries>(
      `/api/v1/timeseries?metric=events.reported&interval=1h&region=${ROOT}&${range}`,
    )
    expect(body.points).toHaveLength(24)
    const at = (hh: string) => body.points.find((p) => p.t === new Date(L(hh)).toISOString())?.v
    expect(at('08:00')).toBe(1)
    expect(at('09:00')).toBe(2)
    expect(body.points.reduce((s, p) => s + (p.v ?? 0), 0)).toBe(3)
    // Now is 14:00: the hour holding it is partial, the hours after it have no value yet (not 0).
    expect(body.points.find((p) => p.t === new Date(L('14:00')).toISOString())).toMatchObject({ partial: true })
    expect(body.points.filter((p) => p.partial)).toHaveLength(1)
    expect(body.points.filter((p) => p.v === null).map((p) => p.t)).toEqual(
      body.points.filter((p) => Date.parse(p.t) > NOW).map((p) => p.t),
    )
    expect(body.points.filter((p) => p.v === null)).toHaveLength(9) // 15:00 … 23:00
    expect(Date.parse(body.computed_at!)).toBe(NOW)
    const closed = (
      await h.get<Timeseries>(`/api/v1/timeseries?metric=events.closed&interval=day&region=${A}&${range}`)
    ).body
    expect(closed.interval).toBe('1d')
    expect(closed.points).toEqual([{ t: KNOWN.midnight, v: 1, partial: true }])
  })

  it('draws a stock after now as null too, and keeps the past buckets of the compared series', async () => {
    const { body } = await h.get<Timeseries>(
      `/api/v1/timeseries?metric=events.open&interval=1h&region=${ROOT}&${range}&compare=previous`,
    )
    expect(body.points.filter((p) => p.v === null)).toHaveLength(9)
    expect(body.previous).toHaveLength(24)
    expect(body.previous!.every((p) => p.v !== null && !p.partial)).toBe(true)
  })

  it('open events over the day as a stock', async () => {
    const { body } = await h.get<Timeseries>(
      `/api/v1/timeseries?metric=events.open&interval=1h&region=${ROOT}&${range}`,
    )
    const at = (hh: string) => body.points.find((p) => p.t === new Date(L(hh)).toISOString())?.v
    // E4, reported yesterday, is still open: a stock counts it though it is not of today's cohort.
    expect(at('07:00')).toBe(1)
    expect(at('08:00')).toBe(2) // E1 reported at 08:00
    expect(at('09:00')).toBe(4) // E2, E3 arrive; E1 closes at 10:00
    expect(at('10:00')).toBe(3)
  })

  it('breaks reported events down by child region, category, department and status', async () => {
    const child = (await h.get<Breakdown>(`/api/v1/breakdown?metric=events.reported&by=child&region=${ROOT}&${range}`))
      .body
    expect(child.rows).toEqual([
      { key: A, name: KNOWN.A.name, value: 2 },
      { key: B, name: KNOWN.B.name, value: 1 },
    ])
    const cat = (await h.get<Breakdown>(`/api/v1/breakdown?metric=events.reported&by=category&region=${ROOT}&${range}`))
      .body
    expect(Object.fromEntries(cat.rows.map((r) => [r.key, [r.name, r.value]]))).toEqual({
      appearance: ['市容环境', 1],
      order: ['街面秩序', 1],
      safety: ['安全隐患', 1],
    })
    const dep = (await h.get<Breakdown>(`/api/v1/breakdown?metric=events.reported&by=department&region=${A}&${range}`))
      .body
    expect(dep.rows.map((r) => r.name).sort()).toEqual(['交通', '城管'])
    const st = (await h.get<Breakdown>(`/api/v1/breakdown?metric=events.open&by=status&region=${ROOT}&${range}`)).body
    expect(Object.fromEntries(st.rows.map((r) => [r.key, r.value]))).toEqual({ dispatched: 1, reported: 1 })
    const rep = (await h.get<Breakdown>(`/api/v1/breakdown?metric=events.reported&by=status&region=${ROOT}&${range}`))
      .body
    expect(Object.fromEntries(rep.rows.map((r) => [r.key, [r.name, r.value]]))).toEqual({
      evaluated: ['评单', 1],
      dispatched: ['派单', 1],
      reported: ['接单', 1],
    })
    const tst = (await h.get<Breakdown>(`/api/v1/breakdown?metric=tickets.created&by=status&region=${ROOT}&${range}`))
      .body
    expect(Object.fromEntries(tst.rows.map((r) => [r.key, r.value]))).toEqual({ rated: 2, replied: 1, created: 1 })
    const ch = (await h.get<Breakdown>(`/api/v1/breakdown?metric=tickets.created&by=channel&region=${ROOT}&${range}`))
      .body
    expect(Object.fromEntries(ch.rows.map((r) => [r.key, r.value]))).toEqual({ phone: 2, wechat: 1, app: 1 })
    const term = (await h.get<Breakdown>(`/api/v1/breakdown?metric=terminals.online&by=child&region=${ROOT}&${range}`))
      .body
    expect(term.rows).toEqual([{ key: A, name: KNOWN.A.name, value: 1 }])
  })

  it('refuses an interval or a compare it cannot honour with 400 naming the parameter', async () => {
    const year = `from=${encodeURIComponent(new Date(L('00:00', '2026-01-01')).toISOString())}&to=${encodeURIComponent(TO)}`
    const fine = await h.get<{ error: { message: string; details: unknown } }>(
      `/api/v1/timeseries?metric=events.reported&interval=5m&region=${ROOT}&${year}`,
    )
    expect(fine.status).toBe(400)
    expect(fine.body.error.message).toMatch(/interval.*2000/)
    expect(fine.body.error.details).toMatchObject({ parameter: 'interval' })
    // A day's series by day is one bucket: fine on a short range.
    expect((await h.get(`/api/v1/timeseries?metric=events.reported&interval=1d&region=${ROOT}&${range}`)).status).toBe(
      200,
    )
    // Tomorrow has not begun: nothing of it has elapsed to compare.
    const tomorrow = `from=${encodeURIComponent(TO)}&to=${encodeURIComponent(new Date(L('00:00', '2026-11-22')).toISOString())}`
    for (const path of [
      `/api/v1/overview?region=${ROOT}&${tomorrow}&compare=previous`,
      `/api/v1/timeseries?metric=events.reported&interval=1h&region=${ROOT}&${tomorrow}&compare=previous`,
      `/api/v1/breakdown?metric=events.reported&by=child&region=${ROOT}&${tomorrow}&compare=previous`,
    ]) {
      const r = await h.get<{ error: { message: string; details: unknown } }>(path)
      expect(r.status, path).toBe(400)
      expect(r.body.error.message, path).toContain('compare')
      expect(r.body.error.details, path).toMatchObject({ parameter: 'compare' })
    }
    // Without compare, the range that has not begun is answered: every bucket null.
    const ahead = await h.get<Timeseries>(
      `/api/v1/timeseries?metric=events.reported&interval=1h&region=${ROOT}&${tomorrow}`,
    )
    expect(ahead.status).toBe(200)
    expect(ahead.body.points.every((p) => p.v === null)).toBe(true)
  })

  it('rejects a bad parameter with 400 naming it', async () => {
    const r = await h.get<{ error: { code: string; message: string } }>(`/api/v1/timeseries?metric=nope&region=${ROOT}`)
    expect(r.status).toBe(400)
    expect(r.body.error.message).toContain('metric')
    const g = await h.get<{ error: { message: string } }>(
      `/api/v1/breakdown?metric=events.reported&by=child&region=${gA1}`,
    )
    expect(g.status).toBe(400)
  })
})

describe('records', () => {
  it('lists events of a region newest first, with status filters and cursor pages', async () => {
    const all = (await h.get<{ items: EventSummary[]; next_cursor: string | null }>(`/api/v1/events?region=${ROOT}`))
      .body
    expect(all.items.map((e) => e.event_id)).toEqual(['E3', 'E2', 'E1', 'E4'])
    const overdue = (await h.get<{ items: EventSummary[] }>(`/api/v1/events?region=${ROOT}&status=overdue`)).body
    expect(overdue.items.map((e) => e.event_id).sort()).toEqual(['E2', 'E4'])
    const p1 = (await h.get<{ items: EventSummary[]; next_cursor: string }>(`/api/v1/events?region=${ROOT}&limit=3`))
      .body
    expect(p1.items).toHaveLength(3)
    const p2 = (
      await h.get<{ items: EventSummary[]; next_cursor: string | null }>(
        `/api/v1/events?region=${ROOT}&limit=3&cursor=${p1.next_cursor}`,
      )
    ).body
    expect(p2.items.map((e) => e.event_id)).toEqual(['E4'])
    expect(p2.next_cursor).toBeNull()
    const xuanwu = (await h.get<{ items: EventSummary[] }>(`/api/v1/events?region=${A}&category=appearance`)).body
    expect(xuanwu.items.map((e) => e.event_id)).toEqual(['E1'])
  })

  it('shows one event with its whole timeline', async () => {
    const { status, body } = await h.get<{ status: string; timeline: { step: string }[]; closed_at: string }>(
      `/api/v1/events/E1`,
    )
    expect(status).toBe(200)
    expect(body.status).toBe('evaluated')
    expect(body.timeline.map((s) => s.step)).toEqual([
      'reported',
      'verified',
      'dispatched',
      'handled',
      'submitted',
      'evaluated',
    ])
    expect(body.closed_at).toBe(new Date(L('10:00')).toISOString())
    expect((await h.get(`/api/v1/events/NOPE`)).status).toBe(404)
  })

  it('places a position-only ticket in its grid', async () => {
    const { body } = await h.get<{ grid_code: string; timeline: unknown[] }>(`/api/v1/tickets/T3`)
    expect(body.grid_code).toBe(gA2)
    const t = (
      await h.get<{ items: { ticket_id: string; status: string }[] }>(`/api/v1/tickets?region=${A}&status=open`)
    ).body
    expect(t.items.map((x) => x.ticket_id)).toEqual(['T3'])
  })

  it('lists terminals down with how long', async () => {
    const { body } = await h.get<{ items: { terminal_id: string; status: string; since: string }[] }>(
      `/api/v1/terminals?region=${ROOT}&status=down`,
    )
    expect(body.items.map((t) => [t.terminal_id, t.status])).toEqual([
      ['K2', 'fault'],
      ['K3', 'offline'],
    ])
    expect(body.items[0].since).toBe(new Date(L('13:00')).toISOString())
  })
})

describe('regions', () => {
  it('answers a region with children and path', async () => {
    const { body } = await h.get<RegionInfo>(`/api/v1/regions/${gA1.slice(0, 9)}`)
    expect(body.level).toBe('street')
    expect(body.path.map((p) => p.code)).toEqual([ROOT, A, gA1.slice(0, 9)])
    expect(body.children.length).toBeGreaterThan(0)
    expect(body.children.every((c) => c.level === 'community')).toBe(true)
    const geo = await h.get<{ type: string; features: { properties: { code: string; level: string } }[] }>(
      `/api/v1/regions/${ROOT}/children.geojson`,
    )
    expect(geo.body.features).toHaveLength(KNOWN.districts)
    expect(geo.body.features[0].properties.level).toBe('district')
  })
})

describe('the rejects', () => {
  it('answers each invalid record with its index, field and reason, stores the valid ones and keeps the rest', async () => {
    const res = await h.send('grid-events', [
      { event_id: 'R1', step: 'reported', ts: L('12:00'), category: 'appearance.garbage', grid_code: gA1 },
      { event_id: 'R2', step: 'reported', ts: L('12:00'), grid_code: gA1 },
      { event_id: 'R3', step: 'nope', ts: L('12:00'), category: 'x', grid_code: gA1 },
      { event_id: 'R4', step: 'reported', ts: L('12:00'), category: 'x', grid_code: `${A}999999999` },
      { event_id: 'R5', step: 'reported', ts: L('12:00'), category: 'x', lon: 121.47, lat: 31.23 },
    ])
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(1)
    expect(res.body.errors.map((e) => [e.index, e.path])).toEqual([
      [1, 'category'],
      [2, 'step'],
      [3, 'grid_code'],
      [4, 'lon'],
    ])
    expect(res.body.errors[3].message).toContain('outside the city')
    const rs = await h.store.query({
      query: `SELECT record_index, path, reason FROM rejects WHERE stream = 'grid-events' ORDER BY record_index`,
      format: 'JSONEachRow',
    })
    const rejects = await rs.json<{ record_index: number; path: string; reason: string }>()
    expect(rejects.map((r) => r.path)).toEqual(['category', 'step', 'grid_code', 'lon'])
  })

  it('rejects an NDJSON line that is not JSON and stores the rest', async () => {
    const res = await h.app.request('/ingest/v1/terminal-status', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: 'Bearer demo-ingest-token' },
      body: `{"terminal_id":"K9","ts":${L('12:00')},"status":"online","grid_code":"${gA1}"}\n{not json\n`,
    })
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, path: '' }] })
  })

  it('refuses malformed bodies and missing tokens', async () => {
    const bad = await h.app.request('/ingest/v1/grid-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-ingest-token' },
      body: '{"event_id": ',
    })
    expect(bad.status).toBe(400)
    const noToken = await h.app.request('/ingest/v1/grid-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    })
    expect(noToken.status).toBe(401)
    const wrongType = await h.app.request('/ingest/v1/grid-events', {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: 'Bearer demo-ingest-token' },
      body: 'a,b',
    })
    expect(wrongType.status).toBe(415)
    const big = await h.app.request('/ingest/v1/grid-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-ingest-token' },
      body: JSON.stringify([{ description: 'x'.repeat(2 << 20) }]),
    })
    expect(big.status).toBe(413)
  })
})
