import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The big screen end to end: the real app (API, ingest, simulator on chDB, built web app) in one
 * process on a free port, driven by Debian's chromium at 1920×1080.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// WebGL (maplibre, deck.gl) without a GPU: ANGLE on SwiftShader.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
]

let app: ChildProcess | undefined
let appLog = ''
let dataDir = ''
let base = ''
let browser: Browser | undefined
// docs/screenshot-*.png are refreshed with IOC_SCREENSHOTS_DIR=docs (best against a warmed-up store);
// by default a fresh store is still backfilling, so the pictures go to a temp dir.
const SHOTS = process.env.IOC_SCREENSHOTS_DIR ? join(ROOT, process.env.IOC_SCREENSHOTS_DIR) : join(tmpdir(), 'ioc-e2e-screens')

/**
 * A fixed-offset zone in which it is about midday now. "Today" then holds hours of simulated
 * history whenever the test runs; in the city's own zone, a run just after midnight sees an empty day.
 */
function middayZone(now = new Date()): string {
  const offset = ((12 - now.getUTCHours() + 36) % 24) - 12 // -12 … +11 hours from UTC
  // Etc/GMT zones count the other way round: Etc/GMT-8 is UTC+8.
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

async function waitForHealth(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  let last = ''
  while (Date.now() < deadline) {
    if (app?.exitCode !== null && app?.exitCode !== undefined) {
      throw new Error(`the app exited with code ${app.exitCode} before it was healthy:\n${appLog.slice(-4000)}`)
    }
    try {
      const res = await fetch(url)
      if (res.status === 200) return
      last = `HTTP ${res.status}`
    } catch (e) {
      last = String(e)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${url} not healthy after ${ms} ms (${last}):\n${appLog.slice(-4000)}`)
}

/** Whether any process of the group is still alive (npx can exit before the node under it). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

async function stopApp(): Promise<void> {
  const pgid = app?.pid
  if (!pgid || !groupAlive(pgid)) return
  process.kill(-pgid, 'SIGTERM') // the whole group: npx → tsx → node
  const deadline = Date.now() + 15_000
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL')
  while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 100))
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium`)
  }
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) {
    execFileSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' })
  }
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  dataDir = mkdtempSync(join(tmpdir(), 'ioc-e2e-'))
  app = spawn('npx', ['tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), IOC_DATA_DIR: dataDir, IOC_DEMO: '1', IOC_SIMULATE: '30', IOC_TZ: middayZone() },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (b: Buffer) => {
    appLog = (appLog + b.toString()).slice(-20_000)
  }
  app.stdout?.on('data', keep)
  app.stderr?.on('data', keep)
  await waitForHealth(`${base}/healthz`, 120_000)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
  await stopApp()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
})

/** A KPI card's value as a number, or NaN while it shows a placeholder. */
async function kpi(page: Page, id: string): Promise<number> {
  const text = (await page.locator(`[data-testid="kpi-${id}"]`).textContent()) ?? ''
  return /^[\d,]+(\.\d+)?$/.test(text.trim()) ? Number(text.replace(/,/g, '')) : NaN
}

/** The labels on the ranking chart's category axis (an SVG chart, so they are DOM text). */
async function rankingLabels(page: Page): Promise<string[]> {
  const texts = await page.locator('[data-testid="ranking-chart"] svg text').allTextContents()
  return texts.map((t) => t.trim()).filter((t) => /[\u4e00-\u9fff]/.test(t))
}

async function breadcrumb(page: Page): Promise<string[]> {
  return (await page.locator('[data-testid="breadcrumb"] .crumb').allTextContents()).map((t) => t.trim())
}

async function settle(page: Page, ms = 1500): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  await page.waitForTimeout(ms)
}

describe('big screen', () => {
  it('logs in, shows the live city, drills into a district and back', async () => {
    const page = await browser!.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const consoleErrors: string[] = []
    const foreign: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text())
    })
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`))
    page.on('request', (r) => {
      const url = r.url()
      if (url.startsWith('data:') || url.startsWith('blob:')) return
      if (new URL(url).origin !== base) foreign.push(url)
    })

    try {
      // Login, with the demo accounts hint.
      await page.goto(`${base}/`)
      await page.waitForURL(/\/login/)
      await page.locator('[data-testid="demo-hint"]').waitFor({ timeout: 15_000 })
      await page.fill('[data-testid="login-username"]', 'operator')
      await page.fill('[data-testid="login-password"]', 'demo')
      await page.click('[data-testid="login-submit"]')
      await page.waitForURL((u) => u.pathname === '/', { timeout: 15_000 })

      // The map is drawn with WebGL, and the KPIs are numbers that grow with the simulator.
      await page.locator('[data-testid="city-map"] canvas.maplibregl-canvas').waitFor({ timeout: 30_000 })
      await page.locator('[data-testid="kpi-events-reported"]').waitFor({ timeout: 30_000 })
      await expect.poll(() => kpi(page, 'events-reported'), { timeout: 90_000, interval: 1000 }).toBeGreaterThan(0)
      for (const id of ['events-open', 'events-overdue', 'tickets-created', 'terminals-online']) {
        expect(Number.isNaN(await kpi(page, id)), `KPI ${id} is a number`).toBe(false)
      }
      expect(await page.locator('[data-testid="screen-title"]').textContent()).toContain('南京市城市运行管理中心')
      expect(await breadcrumb(page)).toEqual(['南京市'])
      // The live socket is open and subscribed.
      await expect
        .poll(() => page.locator('[data-testid="connection"]').getAttribute('data-status'), { timeout: 30_000 })
        .toBe('live')

      await expect.poll(() => rankingLabels(page), { timeout: 60_000 }).not.toHaveLength(0)
      const cityRanking = await rankingLabels(page)
      expect(cityRanking.every((n) => n.endsWith('区') || n.endsWith('县'))).toBe(true)
      const cityReported = await kpi(page, 'events-reported')
      await settle(page, 3000)
      mkdirSync(SHOTS, { recursive: true })
      await page.screenshot({ path: join(SHOTS, 'screenshot-city.png') })

      // Drill through the ranking chart: click the busiest district's label.
      const district = cityRanking[0]!
      await page.locator('[data-testid="ranking-chart"] svg text', { hasText: district }).first().click()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(['南京市', district])
      expect(new URL(page.url()).searchParams.get('region')).toMatch(/^\d{6}$/)
      await expect
        .poll(async () => {
          const labels = await rankingLabels(page)
          return labels.length > 0 && labels.join() !== cityRanking.join()
        }, { timeout: 30_000 })
        .toBe(true)
      await expect.poll(() => kpi(page, 'events-reported'), { timeout: 30_000 }).not.toBeNaN()
      expect(await kpi(page, 'events-reported')).toBeLessThanOrEqual(cityReported + 10_000)
      await settle(page, 3000)
      await page.screenshot({ path: join(SHOTS, 'screenshot-district.png') })

      // Back up with the breadcrumb.
      await page.locator('[data-testid="breadcrumb"] button.crumb', { hasText: '南京市' }).click()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(['南京市'])
      expect(new URL(page.url()).searchParams.get('region')).toBeNull()
      await expect.poll(async () => (await rankingLabels(page)).every((n) => n.endsWith('区') || n.endsWith('县')), { timeout: 30_000 }).toBe(true)

      // Drill through the map: the middle of the city falls inside some district.
      await settle(page, 1500)
      const box = (await page.locator('[data-testid="city-map"]').boundingBox())!
      const spots = [
        [0.5, 0.5],
        [0.5, 0.6],
        [0.5, 0.4],
        [0.45, 0.55],
      ] as const
      let drilled = false
      for (const [fx, fy] of spots) {
        await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy)
        try {
          await expect.poll(async () => (await breadcrumb(page)).length, { timeout: 5000 }).toBe(2)
          drilled = true
          break
        } catch {
          /* outside every district: try another spot */
        }
      }
      expect(drilled, 'a click on the map drills into a district').toBe(true)
      expect(new URL(page.url()).searchParams.get('region')).toMatch(/^\d{6}$/)

      // The browser's back button goes up again.
      await page.goBack()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(['南京市'])

      expect(foreign, 'requests to other origins').toEqual([])
      expect(consoleErrors, 'console errors').toEqual([])
    } finally {
      await page.close()
    }
  })
})
