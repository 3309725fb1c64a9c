import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, requireBrowserAndScreen, ROOT } from '../support/app-process.js'
import { city, cityTime, knownPlaces, startHarness, type Harness } from '../support/harness.js'
import {
  KNOWN_DAY,
  expectedOverview,
  knownDay,
  type ExpectedOverview,
  type KnownRecords,
} from '../support/known-day.js'
import { signIn } from '../support/sign-in.js'

/**
 * Every number on the wall against numbers computed independently: the known day of test/support/known-day.ts is
 * loaded into the app, whose clock stands at 14:20 of that day; each shipped screen is opened in Debian's chromium
 * at city and district level, and every KPI card and every chart total is read from the page and compared with
 * the independent fold of the raw records (the same fold the api's integration test uses). The screen's "today"
 * is the server's: the page keeps its clock to GET /api/v1/status, whatever the browser's own clock says.
 */

const SCREENS = ['city-overview', 'grid-governance', 'public-service']
const ROOT_CODE = city().root.code
const { A, grids } = knownPlaces()

const L = (day: string, hhmm: string) => cityTime(day, hhmm)
const NOW = L(KNOWN_DAY.today, KNOWN_DAY.now)
const F = L(KNOWN_DAY.today, '00:00')
const T = L(KNOWN_DAY.tomorrow, '00:00')

let h: Harness
let base = ''
let stopServer: (() => Promise<void>) | undefined
let browser: Browser | undefined
let records: KnownRecords

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/web/index.html')))
    execFileSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' })
  requireBrowserAndScreen()
  h = await startHarness({ now: () => NOW, webDir: join(ROOT, 'dist/web') })
  records = knownDay(grids, L)
  for (const [stream, recs] of [
    ['grid-events', records.events],
    ['hotline-tickets', records.tickets],
    ['terminal-status', records.terminals],
  ] as const)
    expect((await h.send(stream, recs)).body, stream).toMatchObject({ accepted: recs.length, rejected: 0 })
  const server = await h.serve()
  base = server.url
  stopServer = () => server.close()
  browser = await launchChromium()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await stopServer?.()
  await h?.close()
})

/** Steps of a stream inside the region whose time lies in [F, NOW]: a flow's count over today until now. */
function flow(rows: Array<{ step: string; ts: number; grid_code: string }>, step: string, region: string): number {
  return rows.filter((r) => r.step === step && r.ts >= F && r.ts < T && r.ts <= NOW && r.grid_code.startsWith(region))
    .length
}

const DAY = 86_400_000

/** What the KPI cards of a region should read: today until now, or (previous) yesterday until the same time. */
function kpiValues(region: string, previous = false): Record<string, number | null> {
  const silenceMs = h.ctx.terminalSilenceMs
  const s = previous
    ? { region, from: F - DAY, to: NOW - DAY, at: NOW - DAY, silenceMs }
    : { region, from: F, to: T, at: NOW, silenceMs }
  const o: ExpectedOverview = expectedOverview(records, s)
  const share = (a: number, b: number) => (b ? a / b : null)
  return {
    'events.reported': o.events.reported,
    'events.open': o.events.open,
    'events.closed_of_reported': o.events.closed,
    'events.overdue': o.events.overdue,
    'events.closure_rate': o.events.reported ? o.events.closure_rate : null,
    'events.avg_handle_minutes': o.events.closed ? o.events.avg_handle_minutes : null,
    'tickets.created': o.tickets.created,
    'tickets.open': o.tickets.open,
    'tickets.closed_of_created': o.tickets.closed,
    'tickets.satisfaction_rate': o.tickets.rated ? o.tickets.satisfaction_rate : null,
    'tickets.avg_response_minutes': o.tickets.replied ? o.tickets.avg_response_minutes : null,
    'terminals.total': o.terminals.total,
    'terminals.online': o.terminals.online,
    'terminals.offline': o.terminals.offline,
    'terminals.fault': o.terminals.fault,
    'terminals.online_rate': share(o.terminals.online, o.terminals.total),
  }
}

/** What each KPI card and chart total of a region should read, by the metric id it declares. */
function expectedValues(region: string): Record<string, number | null> {
  return {
    ...kpiValues(region),
    // Chart totals of flows: steps in today's range until now, whenever their record began.
    'events.closed': flow(records.events, 'evaluated', region),
    'tickets.closed': flow(records.tickets, 'closed', region),
  }
}

/** Every element of the page that shows a number of a catalogue metric, with its raw value. */
async function numbersOn(page: Page): Promise<Array<{ metric: string; value: string; where: string }>> {
  return page.$$eval('[data-metric][data-value]', (els) =>
    els.map((el) => ({
      metric: el.getAttribute('data-metric') ?? '',
      value: el.getAttribute('data-value') ?? '',
      where: el.getAttribute('data-testid') ?? el.className,
    })),
  )
}

describe('every number on the wall is the independent number', () => {
  for (const id of SCREENS) {
    for (const region of [ROOT_CODE, A]) {
      it(`${id} at ${region}`, async () => {
        const page = await (
          await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1920, height: 1080 } })
        ).newPage()
        page.setDefaultTimeout(60_000)
        await signIn(page, base, 'admin')
        await page.goto(`${base}/?screen=${id}&region=${region}`)
        await page.locator(`[data-testid="screen"][data-screen="${id}"]`).waitFor()
        // The KPI strip and every chart that declares a total have answered (data-value set).
        await page.locator('[data-testid="panel-kpi"] [data-metric][data-value]').first().waitFor()
        await page.waitForLoadState('networkidle').catch(() => undefined)
        await page.waitForTimeout(1500)
        const shown = await numbersOn(page)
        const want = expectedValues(region)
        const kpis = shown.filter((s) => s.where.startsWith('kpi-'))
        expect(kpis.length, 'KPI cards read').toBeGreaterThanOrEqual(6)
        // The screens with a trend show its two totals: reported and closed in the range.
        if (id !== 'public-service')
          expect(shown.filter((s) => s.where.startsWith('total-')).map((s) => s.metric)).toEqual([
            'events.reported',
            'events.closed',
          ])
        for (const s of shown) {
          expect(Object.keys(want), `${s.where} shows ${s.metric}, which this test does not know`).toContain(s.metric)
          const w = want[s.metric]!
          const label = `${id} ${region} ${s.where} (${s.metric})`
          if (w === null) expect(s.value, label).toBe('')
          else expect(Number(s.value), label).toBeCloseTo(w, 1)
        }
        // Each change shown is against the independent previous period: yesterday until 14:20, stocks as at 14:20.
        const before = kpiValues(region, true)
        const deltas = await page.$$eval('[data-testid^="kpi-delta-"]', (els) =>
          els.map((el) => ({
            metric: el.getAttribute('data-metric') ?? '',
            previous: el.getAttribute('data-previous'),
          })),
        )
        expect(deltas.length, 'changes shown').toBeGreaterThan(0)
        for (const d of deltas) {
          const w = before[d.metric]
          expect(w, `${id} ${region} change of ${d.metric} shown without an honest base`).not.toBeNull()
          expect(Number(d.previous), `${id} ${region} previous ${d.metric}`).toBeCloseTo(w!, 1)
        }
        await page.context().close()
      }, 240_000)
    }
  }
})
