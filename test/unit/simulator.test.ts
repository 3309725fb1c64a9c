import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import gcoord from 'gcoord'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import {
  EVENT_STEPS,
  STREAMS,
  STREAM_NAMES,
  TICKET_STEPS,
  type GridEventInput,
  type HotlineTicketInput,
  type StreamName,
  type TerminalStatusInput,
} from '#core/schemas/records.js'
import { DEMO_CITY_DIR, loadCity, loadCityConfig } from '#platform/config/city.js'
import { type City, type RegionRow, buildCity, simCity } from '#simulator/city.js'
import { SinkAuthError, createHttpSink, retryAfterMs } from '#simulator/http-sink.js'
import { type Batch, type SimulatorOptions, createSimulator } from '#simulator/model.js'
import { localHour } from '#simulator/rhythm.js'
import { DEFAULT_TERMINAL_SILENCE_MINUTES, TERMINAL_HEARTBEAT_MS } from '#core/terminals.js'
import { startLiveFirst, startSimulation, type Span } from '#simulator/runner.js'
import { planHistory, readState, writeState } from '#simulator/resume.js'
import { LocalBus } from '#platform/feed.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Midnight in Nanjing. */
const START = Date.parse('2026-11-23T00:00:00+08:00')
const eventCatalog = loadEventCatalog()
const hotlineCatalog = loadHotlineCatalog()

/**
 * A small stand-in for dashboards/geo/regions.json: 4 districts (two of them dense) × 5 streets ×
 * 6 communities × 5 grids, laid out as rectangles so a grid's centroid is inside its bbox.
 */
function fixtureRows(): RegionRow[] {
  const rows: RegionRow[] = []
  const box = (x: number, y: number, w: number, h: number) => ({
    centroid: [x + w / 2, y + h / 2] as [number, number],
    bbox: [x, y, x + w, y + h] as [number, number, number, number],
  })
  const p3 = (n: number) => String(n).padStart(3, '0')
  rows.push({ code: '3201', name: '南京市', level: 'city', parent: null, ...box(118.6, 31.9, 0.4, 0.4) })
  const districts = [
    ['320102', '玄武区'],
    ['320106', '鼓楼区'],
    ['320113', '栖霞区'],
    ['320115', '江宁区'],
  ]
  districts.forEach(([dc, dn], di) => {
    const dx = 118.6 + di * 0.1
    rows.push({ code: dc, name: dn, level: 'district', parent: '3201', ...box(dx, 31.9, 0.1, 0.4) })
    for (let s = 1; s <= 5; s++) {
      const sc = `${dc}${p3(s)}`
      const sy = 31.9 + (s - 1) * 0.08
      rows.push({ code: sc, name: `${dn.slice(0, 2)}${s}街道`, level: 'street', parent: dc, ...box(dx, sy, 0.1, 0.08) })
      for (let c = 1; c <= 6; c++) {
        const cc = `${sc}${p3(c)}`
        const cx = dx + (c - 1) * (0.1 / 6)
        rows.push({
          code: cc,
          name: `${dn.slice(0, 2)}${s}${c}社区居委会`,
          level: 'community',
          parent: sc,
          ...box(cx, sy, 0.1 / 6, 0.08),
        })
        for (let g = 1; g <= 5; g++) {
          rows.push({
            code: `${cc}${p3(g)}`,
            name: `第${p3(g)}网格`,
            level: 'grid',
            parent: cc,
            ...box(cx, sy + (g - 1) * 0.016, 0.1 / 6, 0.016),
          })
        }
      }
    }
  })
  return rows
}

// The fixture is a miniature of the demo city: its clock and district parameters.
const city = buildCity(fixtureRows(), loadCityConfig(DEMO_CITY_DIR))
const gridByCode = new Map(city.grids.map((g) => [g.code, g]))

function options(over: Partial<SimulatorOptions> = {}): SimulatorOptions {
  // A terminal in every fixture community, so the online share averages over ~150 machines.
  return {
    seed: 42,
    rate: 1.5,
    city,
    eventCatalog,
    hotlineCatalog,
    start: START,
    terminals: { communityShare: 1 },
    ...over,
  }
}

function emptyBatch(): Batch {
  return { 'grid-events': [], 'terminal-status': [], 'hotline-tickets': [] }
}

/** Advances `sim` to each time in `stops`, concatenating what comes out. */
function collect(sim: ReturnType<typeof createSimulator>, stops: number[]): Batch {
  const all = emptyBatch()
  for (const t of stops) {
    const b = sim.advance(t)
    for (const s of STREAM_NAMES) for (const r of b[s]) (all[s] as object[]).push(r)
  }
  return all
}

const hourly = (from: number, hours: number) => Array.from({ length: hours }, (_, i) => from + (i + 1) * HOUR)
const byId = <T>(records: T[], key: (r: T) => string) => {
  const m = new Map<string, T[]>()
  for (const r of records) {
    const k = key(r)
    const list = m.get(k)
    if (list) list.push(r)
    else m.set(k, [r])
  }
  return m
}
const num = (v: number | string | undefined): number => (typeof v === 'number' ? v : Number.NaN)

describe('simulator determinism', () => {
  it('gives identical records for the same seed however the clock is moved, and others for another seed', () => {
    const until = START + 6 * HOUR
    const a = collect(createSimulator(options()), hourly(START, 6))
    // Odd steps (7 min 13.5 s) must not change a thing: buckets are fixed on the epoch.
    const stops: number[] = []
    for (let t = START; t < until;) stops.push((t = Math.min(until, t + 433_500)))
    const b = collect(createSimulator(options()), stops)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    const c = collect(createSimulator(options({ seed: 43 })), hourly(START, 6))
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a))
    expect(a['grid-events'].length).toBeGreaterThan(100)
  })

  it('returns exactly the records with ts in (last, until], in ts order per stream', () => {
    const sim = createSimulator(options())
    let last = START
    for (const until of [START + 1000, START + 90_000, START + 2 * HOUR, START + 2 * HOUR + 1]) {
      const b = sim.advance(until)
      for (const s of STREAM_NAMES) {
        const ts = b[s].map((r) => num(r.ts))
        for (const t of ts) expect(t > last && t <= until).toBe(true)
        expect([...ts].sort((x, y) => x - y)).toEqual(ts)
      }
      expect(sim.position).toBe(until)
      last = until
    }
    expect(sim.advance(START)).toEqual(emptyBatch()) // the clock does not go back
  })
})

describe('a simulated day', () => {
  // Two days, so that the first day's events have lived out their deadlines.
  let all: Batch
  let day1: Batch
  const END = START + 2 * DAY
  let terminalCount = 0
  beforeAll(() => {
    const sim = createSimulator(options())
    terminalCount = sim.terminals.length
    all = collect(sim, hourly(START, 48))
    day1 = emptyBatch()
    for (const s of STREAM_NAMES) (day1[s] as object[]) = all[s].filter((r) => num(r.ts) <= START + DAY)
  })

  it('validates against the record schemas', () => {
    // zod takes ~10 µs a record: check all of a stream's kinds, on a deterministic sample.
    for (const s of STREAM_NAMES) {
      const sample = all[s].filter((_, i) => i % 7 === 0)
      for (const r of sample) {
        const res = STREAMS[s].schema.safeParse(r)
        if (!res.success) throw new Error(`${s} ${JSON.stringify(r)}: ${res.error.message}`)
      }
      expect(sample.length).toBeGreaterThan(1000)
    }
    // Rare kinds, all of them.
    const rare = [
      ...all['terminal-status'].filter((r) => r.status !== 'online').map((r) => ['terminal-status', r] as const),
      ...all['hotline-tickets']
        .filter((r) => !r.grid_code || r.step === 'reopened')
        .map((r) => ['hotline-tickets', r] as const),
      ...all['grid-events'].filter((r) => r.evaluation === 'rejected').map((r) => ['grid-events', r] as const),
    ]
    for (const [s, r] of rare) expect(STREAMS[s as StreamName].schema.safeParse(r).success).toBe(true)
  })

  it('runs each event through the loop in order, with rising ts and unique ids', () => {
    const events = byId(all['grid-events'], (r) => r.event_id)
    expect(events.size).toBeGreaterThan(5000)
    const matters = new Map(eventCatalog.classes.flatMap((c) => c.matters).map((m) => [m.id, m]))
    // Plain checks collected into one list: expect() per record would make this test slow.
    const problems: string[] = []
    const check = (ok: boolean, id: string, what: string) => {
      if (!ok && problems.length < 10) problems.push(`${id}: ${what}`)
    }
    for (const [id, steps] of events) {
      check(/^E\d{8}-\d{6}-\d{2,}$/.test(id), id, 'id format')
      const first = steps[0]
      // Every record of the run begins after START, so every loop seen here begins at `reported`.
      check(first.step === 'reported', id, 'starts at reported')
      for (let i = 1; i < steps.length; i++) {
        check(EVENT_STEPS.indexOf(steps[i].step) > EVENT_STEPS.indexOf(steps[i - 1].step), id, 'step order')
        check(num(steps[i].ts) > num(steps[i - 1].ts), id, 'rising ts')
      }
      for (const s of steps)
        check(
          s.grid_code === first.grid_code && s.deadline === first.deadline,
          id,
          'same grid and deadline on every step',
        )
      const g = gridByCode.get(first.grid_code ?? '')
      const [lon, lat] = [first.lon ?? NaN, first.lat ?? NaN]
      check(
        !!g && lon > g.bbox[0] && lon < g.bbox[2] && lat > g.bbox[1] && lat < g.bbox[3],
        id,
        'position inside its grid bbox',
      )
      const matter = matters.get(first.category)
      check(first.department === matter?.department, id, 'department of the matter')
      check(
        num(first.deadline) - num(first.ts) === Math.round((matter?.sla_hours ?? 0) * HOUR),
        id,
        'deadline = reported + sla',
      )
      const last = steps[steps.length - 1]
      if (last.step === 'evaluated') check(last.evaluation !== undefined, id, 'evaluated carries an evaluation')
    }
    expect(problems).toEqual([])
    // Ids are unique: one loop per id (a reused id would show as a second `reported`).
    const reported = all['grid-events'].filter((r) => r.step === 'reported').length
    expect(reported).toBe(events.size)
  })

  it('has the source mix and a few rejections', () => {
    const reported = day1['grid-events'].filter((r) => r.step === 'reported')
    const share = (src: string) => reported.filter((r) => r.source === src).length / reported.length
    expect(share('grid_worker')).toBeGreaterThan(0.62)
    expect(share('grid_worker')).toBeLessThan(0.78)
    expect(share('hotline')).toBeGreaterThan(0.08)
    const rejected = all['grid-events'].filter((r) => r.evaluation === 'rejected').length
    expect(rejected / reported.length).toBeGreaterThan(0.01)
    expect(rejected / reported.length).toBeLessThan(0.06)
  })

  it('follows the day: more at 10:00 than at 03:00', () => {
    const inHour = (h: number) =>
      day1['grid-events'].filter((r) => r.step === 'reported' && Math.floor(localHour(num(r.ts), city.timeZone)) === h)
        .length
    expect(inHour(10)).toBeGreaterThan(5 * Math.max(1, inHour(3)))
    const tickets = (h: number) =>
      day1['hotline-tickets'].filter(
        (r) => r.step === 'created' && Math.floor(localHour(num(r.ts), city.timeZone)) === h,
      ).length
    expect(tickets(10)).toBeGreaterThan(5 * Math.max(1, tickets(3)))
  })

  it('puts more events per grid in the dense districts', () => {
    const perGrid = (district: string) =>
      day1['grid-events'].filter((r) => r.step === 'reported' && r.grid_code?.startsWith(district)).length /
      city.grids.filter((g) => g.district.code === district).length
    expect(perGrid('320102')).toBeGreaterThan(1.5 * perGrid('320115'))
  })

  it('breaches the deadline for 5–10 % of events', () => {
    // Late = closed after the deadline, or still open past it. Only events whose deadline passed
    // before the end of the run are judged, so none is counted as on time just for being unfinished.
    let judged = 0
    let late = 0
    for (const steps of byId(all['grid-events'], (r) => r.event_id).values()) {
      const reported = steps[0]
      const deadline = num(reported.deadline)
      if (num(reported.ts) > START + DAY || deadline > END) continue
      const closed = steps.find((s) => s.step === 'evaluated')
      if (closed?.evaluation === 'rejected') continue
      judged++
      if (num(closed?.ts ?? END) > deadline) late++
    }
    expect(judged).toBeGreaterThan(3000)
    expect(late / judged).toBeGreaterThan(0.05)
    expect(late / judged).toBeLessThan(0.1)
  })

  it('keeps 85–98 % of the terminals online', () => {
    const hb = all['terminal-status']
    expect(new Set(hb.map((r) => r.terminal_id)).size).toBe(terminalCount)
    let share = 0
    let samples = 0
    const latest = new Map<string, TerminalStatusInput>()
    let i = 0
    for (let t = START + HOUR; t <= END; t += HOUR / 2) {
      for (; i < hb.length && num(hb[i].ts) <= t; i++) latest.set(hb[i].terminal_id, hb[i])
      share += [...latest.values()].filter((r) => r.status === 'online').length / terminalCount
      samples++
    }
    expect(share / samples).toBeGreaterThan(0.85)
    expect(share / samples).toBeLessThan(0.98)
    const statuses = new Set(hb.map((r) => r.status))
    for (const s of ['online', 'fault', 'offline'] as const) expect(statuses.has(s)).toBe(true)
    const odd = hb.filter((r) =>
      r.status === 'offline'
        ? r.transactions !== undefined || r.paper_pct !== undefined // the platform's report, not the machine's
        : (r.status === 'fault') !== /^(printer|card_reader|network|paper_out|screen)$/.test(r.fault_code ?? '') ||
          !(num(r.paper_pct) >= 0 && num(r.paper_pct) <= 100),
    )
    expect(odd.slice(0, 5)).toEqual([])
    // Next to nothing served at night.
    const tx = (h: number) =>
      hb
        .filter((r) => Math.floor(localHour(num(r.ts), city.timeZone)) === h)
        .reduce((a, r) => a + (r.transactions ?? 0), 0)
    expect(tx(10)).toBeGreaterThan(20 * Math.max(1, tx(3)))
  })

  it('keeps every terminal reporting each heartbeat unless it is down, so only a dead one falls silent', () => {
    // The api counts a terminal silent past IOC_TERMINAL_SILENCE_MINUTES as offline: a demo must not
    // show terminals silent that are in fact fine. A heartbeat may be 3 s late (clocks and networks).
    expect(DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000).toBeGreaterThan(TERMINAL_HEARTBEAT_MS + 3000)
    const gaps = { ok: 0, outage: 0, silent: 0 }
    const odd: string[] = []
    for (const [id, unsorted] of byId(all['terminal-status'], (r) => r.terminal_id)) {
      const rs = [...unsorted].sort((a, b) => num(a.ts) - num(b.ts))
      for (let i = 1; i < rs.length; i++) {
        const gap = num(rs[i].ts) - num(rs[i - 1].ts)
        if (gap <= TERMINAL_HEARTBEAT_MS + 3000) {
          gaps.ok++
          continue
        }
        // A longer gap is an outage: it ends with the platform's offline report (no counters), or with
        // the terminal back and nothing served while it was off.
        const next = rs[i]
        const outage = next.status === 'offline' ? next.transactions === undefined : next.transactions === 0
        if (!outage && odd.length < 5) odd.push(`${id} ${new Date(num(next.ts)).toISOString()} ${next.status}`)
        gaps.outage++
        if (gap > DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000) gaps.silent++
      }
    }
    expect(odd).toEqual([])
    // Outages are rare next to heartbeats, and some of them do last past the silence threshold.
    expect(gaps.outage / gaps.ok).toBeLessThan(0.01)
    expect(gaps.silent).toBeGreaterThan(0)
  })

  it('runs tickets through their steps, with the satisfaction mix', () => {
    const tickets = byId(all['hotline-tickets'], (r) => r.ticket_id)
    const problems: string[] = []
    for (const [id, steps] of tickets) {
      const kinds = steps.map((s) => s.step)
      const ok =
        kinds[0] === 'created' &&
        kinds.filter((k) => k === 'created').length === 1 &&
        steps.every((s, i) => i === 0 || num(s.ts) > num(steps[i - 1].ts)) &&
        kinds.every((k) => TICKET_STEPS.includes(k)) &&
        (!kinds.includes('rated') || kinds[kinds.length - 1] === 'rated') &&
        (!kinds.includes('reopened') || kinds.indexOf('reopened') > kinds.indexOf('closed'))
      if (!ok && problems.length < 10) problems.push(`${id}: ${kinds.join(' ')}`)
    }
    expect(problems).toEqual([])
    const rated = all['hotline-tickets'].filter((r) => r.step === 'rated')
    expect(rated.length).toBeGreaterThan(1500)
    const share = (s: HotlineTicketInput['satisfaction']) =>
      rated.filter((r) => r.satisfaction === s).length / rated.length
    expect(share('satisfied')).toBeGreaterThan(0.8)
    expect(share('satisfied')).toBeLessThan(0.9)
    expect(share('basically')).toBeGreaterThan(0.06)
    expect(share('basically')).toBeLessThan(0.14)
    expect(share('unsatisfied')).toBeGreaterThan(0.02)
    expect(share('unsatisfied')).toBeLessThan(0.08)
    expect(all['hotline-tickets'].some((r) => r.step === 'reopened')).toBe(true)
    // Repeat complaints: the busiest address gets many times the typical one.
    const created = all['hotline-tickets'].filter((r) => r.step === 'created')
    const perAddress = [...byId(created, (r) => r.address ?? '').values()].map((l) => l.length).sort((a, b) => b - a)
    expect(perAddress[0]).toBeGreaterThan(10 * perAddress[Math.floor(perAddress.length / 2)])
  })

  it('sends ~5 % of tickets with only a GCJ-02 position, exactly at a grid centroid', () => {
    const created = day1['hotline-tickets'].filter((r) => r.step === 'created')
    const positionOnly = created.filter((r) => r.grid_code === undefined)
    expect(positionOnly.length / created.length).toBeGreaterThan(0.03)
    expect(positionOnly.length / created.length).toBeLessThan(0.07)
    for (const r of positionOnly.slice(0, 50)) {
      expect(r.crs).toBe('gcj02')
      const [lon, lat] = gcoord.transform([r.lon ?? 0, r.lat ?? 0], gcoord.GCJ02, gcoord.WGS84)
      // The GCJ-02 offset here is some hundreds of metres; back in WGS84 the point is a centroid.
      const nearest = Math.min(...city.grids.map((g) => Math.hypot(g.centroid[0] - lon, g.centroid[1] - lat)))
      expect(nearest).toBeLessThan(1e-5)
    }
    for (const r of created.filter((x) => x.grid_code !== undefined)) expect(r.crs).toBeUndefined()
  })

  it('sizes the streams from the rate', () => {
    // Day two is in its stride (day one starts with no events open). Heartbeats: one per
    // terminal per 5 minutes; the rest of the rate is shared by events and tickets.
    const total = STREAM_NAMES.reduce((a, s) => a + all[s].filter((r) => num(r.ts) > START + DAY).length, 0)
    expect(total / 86_400).toBeGreaterThan(1.5 * 0.85)
    expect(total / 86_400).toBeLessThan(1.5 * 1.1)
  })
})

describe('runner', () => {
  it('backfills in chunks to now, then follows the clock; sink errors are counted, not fatal', async () => {
    let clock = START + 3 * HOUR
    const sim = createSimulator(options({ terminals: undefined }))
    const got = emptyBatch()
    let calls = 0
    const sim2 = createSimulator(options({ terminals: undefined }))
    const expected = sim2.advance(START + 3 * HOUR + 5 * 60_000)
    const run = startSimulation({
      sim,
      tickMs: 5,
      now: () => clock,
      sink: async (stream, records) => {
        calls++
        if (calls === 2) throw new Error('store is down')
        ;(got[stream] as object[]).push(...records)
      },
    })
    await run.live
    expect(sim.position).toBe(START + 3 * HOUR)
    clock += 5 * 60_000
    await new Promise((r) => setTimeout(r, 50))
    await run.stop()
    const stats = run.stats()
    expect(stats.backfilling).toBe(false)
    expect(stats.sinkErrors).toBe(1)
    expect(stats.ticks).toBeGreaterThan(0)
    expect(stats.position).toBe(clock)
    // Everything but the failed batch arrived, in order.
    const failed = STREAM_NAMES.reduce((a, s) => a + stats.failed[s], 0)
    const sent = STREAM_NAMES.reduce((a, s) => a + got[s].length, 0)
    const want = STREAM_NAMES.reduce((a, s) => a + expected[s].length, 0)
    expect(sent + failed).toBe(want)
    expect(JSON.stringify(got['terminal-status'].slice(-20))).toBe(
      JSON.stringify(expected['terminal-status'].slice(-20)),
    )
  })

  it('never fast-forwards past now, whatever backfillFrom says', async () => {
    const clock = START + 2 * HOUR
    const sim = createSimulator(options({ terminals: undefined }))
    let sent = 0
    const run = startSimulation({
      sim,
      tickMs: 5,
      now: () => clock,
      backfillFrom: START + 3 * DAY,
      sink: async (_s, records) => void (sent += records.length),
    })
    await run.live
    await run.stop()
    expect(sim.position).toBe(clock)
    expect(sent).toBe(0) // nothing after backfillFrom is due yet
  })

  it('hands the backfill over in small slices and lets the event loop turn between them', async () => {
    const clock = START + 12 * HOUR
    const sim = createSimulator(options({ terminals: undefined }))
    // A callback that re-schedules itself for every turn of the event loop, as a request would wait for one.
    const log: ('tick' | 'sink')[] = []
    let ticking = true
    const tick = () => {
      log.push('tick')
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    const sizes: number[] = []
    const run = startSimulation({
      sim,
      tickMs: 5,
      now: () => clock,
      sliceRecords: 500,
      sink: async (_s, records) => {
        sizes.push(records.length)
        log.push('sink')
      },
    })
    await run.live
    ticking = false
    await run.stop()
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500)
    // Between any two slices the loop turned at least once: other work ran during the backfill.
    const first = log.indexOf('sink')
    const last = log.lastIndexOf('sink')
    const between = log.slice(first, last)
    expect(between.filter((e) => e === 'tick').length).toBeGreaterThanOrEqual(sizes.length - 1)
    for (let i = 1; i < log.length; i++)
      if (i > first && i <= last) expect(log[i] === 'sink' && log[i - 1] === 'sink').toBe(false)
  })
})

describe('live first, history behind', () => {
  const keyOf = (stream: StreamName, r: object) => `${stream}|${JSON.stringify(r)}`

  it('sends live records before any history, then the history newest span first, each record once', async () => {
    const liveFrom = START + 12 * HOUR
    // The clock has moved 2 minutes past the live start by the time the live run catches up.
    let clock = liveFrom + 2 * 60_000
    const createSim = () => createSimulator(options({ terminals: undefined }))
    const history = planHistory({ gapFrom: START, liveFrom, floor: 0, cuts: [START + 9 * HOUR] })
    expect(history).toEqual([
      { from: START + 9 * HOUR, to: liveFrom },
      { from: START, to: START + 9 * HOUR },
    ])
    const sunk: { stream: StreamName; ts: number; key: string }[] = []
    const saved: Span[][] = []
    const run = startLiveFirst({
      createSim,
      liveFrom,
      history,
      tickMs: 5,
      sliceRecords: 500,
      now: () => clock,
      onHistory: (remaining) => saved.push(remaining),
      sink: async (stream, records) => {
        for (const r of records)
          sunk.push({ stream, ts: Number((r as { ts: number | string }).ts), key: keyOf(stream, r) })
      },
    })
    await run.live
    const liveFirst = sunk.length
    expect(liveFirst).toBeGreaterThan(0)
    expect(run.history().loading).toBe(true)
    await run.historyDone
    clock += 60_000
    await new Promise((r) => setTimeout(r, 30))
    await run.stop()

    // The first records out are live: after the live start, none of the history's.
    expect(sunk.slice(0, liveFirst).every((r) => r.ts > liveFrom)).toBe(true)
    const hist = sunk.filter((r) => r.ts <= liveFrom)
    // Today's span entirely before any record of the older span.
    const firstOld = hist.findIndex((r) => r.ts <= START + 9 * HOUR)
    expect(firstOld).toBeGreaterThan(0)
    expect(hist.slice(firstOld).every((r) => r.ts <= START + 9 * HOUR)).toBe(true)
    expect(hist.slice(0, firstOld).every((r) => r.ts > START + 9 * HOUR)).toBe(true)
    // The same story as one simulator run straight through: every record once, none missing.
    const one = createSim().advance(clock)
    const want = STREAM_NAMES.flatMap((s) => one[s].map((r) => keyOf(s, r)))
    expect(sunk.map((r) => r.key).sort()).toEqual(want.sort())

    // Progress was reported as stored, the spans shrinking to nothing.
    expect(saved.at(-1)).toEqual([])
    expect(saved.some((r) => r.length === 2 && r[0].from > START + 9 * HOUR)).toBe(true)
    expect(run.history()).toMatchObject({ loading: false, progress: 1, from: START, to: liveFrom, until: null })
  })

  it('reports only what the sink has taken as written, so a restart resends rather than skips', async () => {
    const liveFrom = START + 3 * HOUR
    const saved: Span[][] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    let calls = 0
    const run = startLiveFirst({
      createSim: () => createSimulator(options({ terminals: undefined })),
      liveFrom,
      history: [{ from: START, to: liveFrom }],
      tickMs: 5,
      now: () => liveFrom,
      onHistory: (remaining) => saved.push(remaining),
      // The first history slice hangs until released: nothing is reported done before it is stored.
      sink: async () => {
        if (++calls === 1) await gate
      },
    })
    await run.live
    await new Promise((r) => setTimeout(r, 50))
    expect(saved).toEqual([])
    expect(run.history()).toMatchObject({ loading: true, progress: 0 })
    release()
    await run.historyDone
    await run.stop()
    expect(saved.at(-1)).toEqual([])
  })
})

describe('planHistory', () => {
  it('joins what an earlier run left with the gap since, bounds it, cuts it at midnight, newest first', () => {
    const plan = planHistory({
      pending: [
        { from: START - 10 * HOUR, to: START - 6 * HOUR },
        { from: START + 5 * HOUR, to: START + 8 * HOUR },
      ],
      gapFrom: START + 7 * HOUR,
      liveFrom: START + 30 * HOUR,
      floor: START - 8 * HOUR,
      cuts: [START + 24 * HOUR],
    })
    expect(plan).toEqual([
      { from: START + 24 * HOUR, to: START + 30 * HOUR },
      { from: START + 5 * HOUR, to: START + 24 * HOUR },
      { from: START - 8 * HOUR, to: START - 6 * HOUR },
    ])
  })

  it('is empty when the store is caught up', () => {
    expect(planHistory({ gapFrom: START, liveFrom: START, floor: 0 })).toEqual([])
  })
})

describe('simulator.json', () => {
  it('keeps the anchor and the history left; a torn or foreign file starts a new story', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioc-sim-state-'))
    try {
      const file = join(dir, 'simulator.json')
      expect(readState(file)).toBeUndefined()
      writeState(file, { seed: 7, start: START, history: [{ from: START, to: START + HOUR }] })
      expect(readState(file)).toEqual({ seed: 7, start: START, history: [{ from: START, to: START + HOUR }] })
      // A file of an earlier version has no history: the store's newest record decides, as it did then.
      writeFileSync(file, JSON.stringify({ seed: 7, start: START }))
      expect(readState(file)).toEqual({ seed: 7, start: START })
      writeFileSync(file, '{"seed": 7, "sta')
      expect(readState(file)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the live bus', () => {
  it('does not publish records stamped at or before the live start', () => {
    const bus = new LocalBus()
    const got: number[] = []
    bus.on((_s, rows) => got.push(...rows.map((r) => r.ts as number)))
    bus.publish('grid-events', [{ ts: 100 }, { ts: 200 }])
    bus.historyUntil(150)
    bus.publish('grid-events', [{ ts: 120 }, { ts: 150 }, { ts: 151 }])
    bus.publish('grid-events', [{ ts: 10 }])
    expect(got).toEqual([100, 200, 151])
  })
})

describe('http sink', () => {
  it('posts NDJSON with the token, retries 429 honouring Retry-After, splits on 413, stops on 401', async () => {
    const seen: { url: string; auth: string | null; type: string | null; lines: number }[] = []
    let n = 0
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      n++
      const headers = new Headers(init?.headers)
      const lines = String(init?.body).trim().split('\n').length
      seen.push({ url: String(url), auth: headers.get('authorization'), type: headers.get('content-type'), lines })
      if (n === 1) return new Response('{}', { status: 429, headers: { 'retry-after': '0' } })
      if (lines > 2) return new Response('too big', { status: 413 })
      return Response.json({ accepted: lines, rejected: 0, errors: [] })
    }) as typeof fetch
    const { sink, counters } = createHttpSink({ url: 'http://x:8080/', token: 't0k', fetch: fakeFetch })
    await sink('grid-events', [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }])
    expect(seen[0]).toEqual({
      url: 'http://x:8080/ingest/v1/grid-events',
      auth: 'Bearer t0k',
      type: 'application/x-ndjson',
      lines: 4,
    })
    expect(counters.retries).toBe(1)
    expect(counters.accepted).toBe(4)
    expect(seen.filter((s) => s.lines <= 2)).toHaveLength(2)

    const denied = createHttpSink({
      url: 'http://x',
      token: 'bad',
      fetch: (async () => new Response('no', { status: 401 })) as typeof fetch,
    })
    await expect(denied.sink('terminal-status', [{}])).rejects.toBeInstanceOf(SinkAuthError)
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(10_000)
    expect(retryAfterMs(null)).toBeUndefined()
  })
})

describe.skipIf(!existsSync(`${DEMO_CITY_DIR}/regions.json`))('on the real demo city', () => {
  let real: City
  beforeAll(() => {
    real = simCity(loadCity(DEMO_CITY_DIR))
  })

  it('places about 300 terminals in street and community service centres', () => {
    const sim = createSimulator({
      seed: 42,
      rate: 10,
      city: real,
      eventCatalog,
      hotlineCatalog,
      start: START + 10 * HOUR,
    })
    const ts = sim.terminals
    expect(ts.length).toBeGreaterThan(250)
    expect(ts.length).toBeLessThan(350)
    expect(new Set(ts.map((t) => t.terminal_id)).size).toBe(ts.length)
    const grids = new Set(real.grids.map((g) => g.code))
    for (const t of ts) {
      expect(grids.has(t.grid_code)).toBe(true)
      expect(t.grid_code.startsWith(t.terminal_id.slice(1, t.terminal_id.indexOf('-')))).toBe(true)
      expect(t.site).toMatch(/(便民服务中心|党群服务中心)$/)
    }
    // An hour at 10:00 validates and is busy.
    const b = sim.advance(START + 11 * HOUR)
    for (const s of STREAM_NAMES)
      for (const r of b[s].filter((_, i) => i % 5 === 0)) expect(STREAMS[s].schema.safeParse(r).success).toBe(true)
    expect(b['grid-events'].filter((r: GridEventInput) => r.step === 'reported').length).toBeGreaterThan(3000)
  })
})
