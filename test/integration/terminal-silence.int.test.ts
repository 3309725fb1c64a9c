import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { evaluatorFor } from '#api/alerts/evaluator.js'
import { thematicFor } from '#api/layers/service.js'
import { loadMetricCatalog } from '#api/metric-catalog.js'
import { metricValue } from '#api/queries/aggregates.js'
import { overview } from '#api/queries/overview.js'
import type { Scope } from '#api/queries/scope.js'
import { listTerminals } from '#api/queries/records.js'
import type { Breakdown, Overview, TerminalDetail, TerminalSummary } from '#core/schemas/api.js'
import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'
import { cell, decodeFrame } from '../../web/src/map/thematic/frame.js'
import { city, cityTime, gridsIn, startHarness, type Harness } from '../support/harness.js'

// Silence is a state: a terminal whose last report is older than IOC_TERMINAL_SILENCE_MINUTES (the
// harness keeps the default, 15) at the answer's instant is offline in the overview, the live KPI
// snapshot, the lists, a terminal's page, the metric breakdowns, the map's layers and the alert rules;
// and an overview as of an instant judges each terminal by its reports up to then. The clock is the
// harness's, moved by the test; reports arrive as they would, the later ones once the clock is past them.

const SILENCE = DEFAULT_TERMINAL_SILENCE_MINUTES
const ROOT = city().root.code
const [A, B, C] = [...city().regions.values()].filter((r) => r.level === 'district').map((r) => r.code)
const [gA1, gA2] = gridsIn(A, 2)
const [gB] = gridsIn(B)
const L = (hhmm: string) => cityTime('2026-11-20', hhmm)
const iso = (hhmm: string) => new Date(L(hhmm)).toISOString()
/** Every 5 minutes from `from` to `to` (city time), as ISO instants. */
const every5 = (from: string, to: string) => {
  const out: string[] = []
  for (let t = L(from); t <= L(to); t += 5 * 60_000) out.push(new Date(t).toISOString())
  return out
}

type Report = { terminal_id: string; ts: string; status: string; grid_code: string; site: string; fault_code?: string }
const reports = (id: string, grid: string, status: string, times: string[], extra: Partial<Report> = {}): Report[] =>
  times.map((ts) => ({ terminal_id: id, ts, status, grid_code: grid, site: `站点 ${id}`, ...extra }))

// K-A reports until 10:10 and stops; K-B reports throughout; K-F turns faulty at 10:20 and keeps
// reporting; K-N is first heard of at 10:30; K-O is reported offline (by the platform) at 10:05 and stays quiet.
const REPORTS: Report[] = [
  ...reports('K-A', gA1, 'online', every5('10:00', '10:10')),
  ...reports('K-B', gB, 'online', every5('10:00', '10:40')),
  ...reports('K-F', gA2, 'online', every5('10:00', '10:15')),
  ...reports('K-F', gA2, 'fault', every5('10:20', '10:40'), { fault_code: 'printer' }),
  ...reports('K-N', gA1, 'online', every5('10:30', '10:40')),
  ...reports('K-O', gB, 'online', [iso('10:00')]),
  ...reports('K-O', gB, 'offline', [iso('10:05')]),
]

let clock = L('10:24')
let h: Harness

async function send(until: string) {
  const batch = REPORTS.filter((r) => Date.parse(r.ts) <= L(until) && !sent.has(r))
  for (const r of batch) sent.add(r)
  expect((await h.send('terminal-status', batch)).body).toMatchObject({ accepted: batch.length, rejected: 0 })
  await h.pipeline.flush()
}
const sent = new Set<Report>()

const terminalsOf = async (region = ROOT) => (await h.get<Overview>(`/api/v1/overview?region=${region}`)).body.terminals
const counts = (total: number, online: number, offline: number, fault: number) => ({ total, online, offline, fault })

beforeAll(async () => {
  h = await startHarness({ now: () => clock })
  await send('10:20')
})
afterAll(async () => {
  thematicFor(h.ctx).close()
  await h.close()
})

describe('a terminal that stops reporting', () => {
  it('is online until its silence passes the threshold, then offline in the overview and the live KPI snapshot', async () => {
    expect(SILENCE).toBe(15)
    const server = await h.serve()
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/live?token=${await h.login('operator')}`)
    const kpis: Overview[] = []
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { type: string; region?: string; data: Overview }
      if (m.type === 'kpi' && m.region === ROOT) kpis.push(m.data)
    })
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
    try {
      // 10:24: K-A last reported 14 minutes ago; K-O, quiet since 10:05, is offline either way.
      clock = L('10:24')
      expect(await terminalsOf()).toEqual(counts(4, 2, 1, 1))
      ws.send(JSON.stringify({ type: 'subscribe', topics: ['kpi'], region: ROOT }))
      await expect.poll(() => kpis.at(-1)?.terminals, { timeout: 10_000 }).toEqual(counts(4, 2, 1, 1))
      // Exactly the threshold is not yet silence; a second past it is.
      clock = L('10:25')
      expect(await terminalsOf()).toEqual(counts(4, 2, 1, 1))
      clock = L('10:25') + 1000
      expect(await terminalsOf()).toEqual(counts(4, 1, 2, 1))
      expect(await terminalsOf(A)).toEqual(counts(2, 0, 1, 1))
      await expect.poll(() => kpis.at(-1)?.terminals, { timeout: 10_000 }).toEqual(counts(4, 1, 2, 1))
    } finally {
      ws.close()
      await server.close()
    }
  })

  it('is listed offline with silent_since, on its own page too, and counted offline by the metrics', async () => {
    clock = L('10:41')
    await send('10:40')
    expect(await terminalsOf()).toEqual(counts(5, 2, 2, 1))
    expect(await terminalsOf(A)).toEqual(counts(3, 1, 1, 1))
    expect(await terminalsOf(B)).toEqual(counts(2, 1, 1, 0))

    const list = async (status: string) =>
      (await h.get<{ items: TerminalSummary[] }>(`/api/v1/terminals?region=${ROOT}&status=${status}`)).body.items
    expect((await list('offline')).map((t) => [t.terminal_id, t.status, t.ts, t.since, t.silent_since])).toEqual([
      ['K-A', 'offline', iso('10:10'), iso('10:10'), iso('10:10')],
      ['K-O', 'offline', iso('10:05'), iso('10:05'), iso('10:05')],
    ])
    expect((await list('down')).map((t) => t.terminal_id)).toEqual(['K-A', 'K-F', 'K-O'])
    expect((await list('online')).map((t) => [t.terminal_id, t.silent_since])).toEqual([
      ['K-B', null],
      ['K-N', null],
    ])
    expect((await list('fault')).map((t) => [t.terminal_id, t.since, t.silent_since])).toEqual([
      ['K-F', iso('10:20'), null],
    ])

    const page = async (id: string) => (await h.get<TerminalDetail>(`/api/v1/terminals/${id}`)).body
    expect(await page('K-A')).toMatchObject({ status: 'offline', ts: iso('10:10'), silent_since: iso('10:10') })
    expect((await page('K-A')).timeline.at(-1)).toMatchObject({ status: 'online' })
    expect(await page('K-B')).toMatchObject({ status: 'online', ts: iso('10:40'), silent_since: null })

    const breakdown = async (metric: string, by: string) =>
      Object.fromEntries(
        (await h.get<Breakdown>(`/api/v1/breakdown?metric=${metric}&by=${by}&region=${ROOT}`)).body.rows.map((r) => [
          r.key,
          r.value,
        ]),
      )
    expect(await breakdown('terminals.total', 'status')).toEqual({ online: 2, offline: 2, fault: 1 })
    expect(await breakdown('terminals.offline', 'child')).toMatchObject({ [A]: 1, [B]: 1 })
    expect(await breakdown('terminals.online', 'child')).toMatchObject({ [A]: 1, [B]: 1 })
  })

  it('is offline on the map, and the alert rules each take one kind of quiet terminal', async () => {
    clock = L('10:41')
    const res = await h.app.request(`/api/v1/layers/terminals/data?region=${ROOT}`, {
      headers: { authorization: `Bearer ${await h.login('operator')}` },
    })
    expect(res.status).toBe(200)
    const f = decodeFrame(await res.arrayBuffer())
    const byId = Object.fromEntries(
      Array.from({ length: f.length }, (_, i) => [cell(f, 'terminal_id', i), cell(f, 'status', i)]),
    )
    expect(byId).toEqual({ 'K-A': 'offline', 'K-B': 'online', 'K-F': 'fault', 'K-N': 'online', 'K-O': 'offline' })

    const t = thematicFor(h.ctx)
    await t.ready()
    const evaluator = evaluatorFor(h.ctx)
    const firing = async (id: string, at: number) =>
      (await evaluator.verdicts(t.rules.get(id)!, at)).filter((v) => v.fire).map((v) => [v.obs.key, v.obs.value])
    // K-A went quiet after an online report: terminal-silent's, 31 minutes on. K-O was reported offline:
    // terminal-offline's.
    expect(await firing('terminal-silent', clock)).toEqual([['K-A', 31]])
    expect(await firing('terminal-offline', clock)).toEqual([['K-O', 36]])
    // Before the threshold nothing is silent.
    expect(await firing('terminal-silent', L('10:25'))).toEqual([])
  })
})

describe('the overview as of an instant', () => {
  const at = (hhmm: string, ms = 0): Scope => ({
    region: ROOT,
    from: L('00:00'),
    to: L('10:41'),
    now: L('10:41'),
    at: L(hhmm) + ms,
    silenceMs: SILENCE * 60_000,
  })
  const asOf = async (hhmm: string, ms = 0) => (await overview(h.store, at(hhmm, ms))).terminals

  it('judges each terminal by its reports up to then, silence at then', async () => {
    clock = L('10:41')
    await send('10:40')
    expect(await asOf('09:00')).toEqual(counts(0, 0, 0, 0))
    // K-B and K-F have reported since 10:22: their state then comes from their reports up to it.
    expect(await asOf('10:22')).toEqual(counts(4, 2, 1, 1))
    expect(await asOf('10:25')).toEqual(counts(4, 2, 1, 1))
    expect(await asOf('10:25', 1000)).toEqual(counts(4, 1, 2, 1))
    // K-N exists from its first report.
    expect(await asOf('10:29')).toEqual(counts(4, 1, 2, 1))
    expect(await asOf('10:30')).toEqual(counts(5, 2, 2, 1))
    // After every report: the state table alone; at 10:56 the last reports of 10:40 are 16 minutes old.
    expect(await asOf('10:50')).toEqual(counts(5, 2, 2, 1))
    expect(await asOf('10:56')).toEqual(counts(5, 0, 5, 0))
    // A district's terminals only.
    expect((await overview(h.store, { ...at('10:22'), region: A })).terminals).toEqual(counts(2, 1, 0, 1))
  })

  it('finds a terminal quiet for days before the instant, and its transactions up to then', async () => {
    clock = L('10:41')
    const [gC] = gridsIn(C)
    const quiet = [
      { terminal_id: 'K-Q', ts: cityTime('2026-11-18', '10:00'), status: 'online', grid_code: gC, transactions: 4 },
      { terminal_id: 'K-Q', ts: L('10:30'), status: 'online', grid_code: gC, transactions: 6 },
    ]
    expect((await h.send('terminal-status', quiet)).body).toMatchObject({ accepted: 2, rejected: 0 })
    await h.pipeline.flush()
    const inC = (hhmm?: string): Scope => ({ ...at(hhmm ?? '10:41'), at: hhmm ? L(hhmm) : undefined, region: C })
    expect((await overview(h.store, inC('10:22'))).terminals).toEqual(counts(1, 0, 1, 0))
    expect((await overview(h.store, inC('10:31'))).terminals).toEqual(counts(1, 1, 0, 0))
    expect((await overview(h.store, inC())).terminals).toEqual(counts(1, 1, 0, 0))
    const listed = async (s: Scope) =>
      (await listTerminals(h.store, { ...s, limit: 10 })).items.map((t) => [t.status, t.silent_since, t.transactions])
    const before = new Date(cityTime('2026-11-18', '10:00')).toISOString()
    expect(await listed(inC('10:22'))).toEqual([['offline', before, 4]])
    expect(await listed(inC())).toEqual([['online', null, 10]])
  })

  it('gives the terminal metrics the numbers of the overview, now and as of an instant', async () => {
    clock = L('10:41')
    const catalog = loadMetricCatalog()
    for (const s of [
      { ...at('10:41'), at: undefined },
      at('10:22'),
      at('10:27'),
      at('10:56'),
      { ...at('10:27'), region: B },
    ]) {
      const { terminals } = await overview(h.store, s)
      for (const k of ['total', 'online', 'offline', 'fault'] as const)
        expect(await metricValue(h.store, catalog.get(`terminals.${k}`)!, s), `${k} at ${s.at}`).toBe(terminals[k])
    }
  })
})
