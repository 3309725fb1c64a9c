import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppProcess, launchChromium, requireBrowserAndScreen, ROOT } from '../support/app-process.js'
import { signIn } from '../support/sign-in.js'

/**
 * The big screen end to end: the real app (API, ingest, simulator on chDB, built web app) in one
 * process on a free port, driven by Debian's chromium: the wall at 1920×1080 and 3840×2160, a wall
 * of two browsers, a touch tablet, and a server restart under a running screen. One server for
 * the whole file; every page is watched for console errors and requests to other origins.
 */

const SCREENS = ['city-overview', 'grid-governance', 'public-service']

let app: AppProcess | undefined
let dataDir = ''
let base = ''
let browser: Browser | undefined
// Screenshots go to docs/screenshots with IOC_SCREENSHOTS_DIR=docs/screenshots (best against a
// warmed-up store); by default to a temp dir.
const SHOTS = process.env.IOC_SCREENSHOTS_DIR
  ? join(ROOT, process.env.IOC_SCREENSHOTS_DIR)
  : join(tmpdir(), 'ioc-e2e-screens')
// A 4K frame in software GL takes seconds: CI checks one screen there, the screenshot run all three.
const WALL_SCREENS = process.env.IOC_SCREENSHOTS_DIR ? SCREENS : SCREENS.slice(0, 1)
const problems: string[] = []

/**
 * A fixed-offset zone in which it is about midday now. "Today" then holds hours of simulated
 * history whenever the test runs; in the city's own zone, a run just after midnight sees an empty day.
 */
function middayZone(now = new Date()): string {
  const offset = ((12 - now.getUTCHours() + 36) % 24) - 12 // -12 … +11 hours from UTC
  // Etc/GMT zones count the other way round: Etc/GMT-8 is UTC+8.
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
}
const ZONE = middayZone()

beforeAll(async () => {
  // Run alone (`npx vitest run test/e2e/screen.e2e.test.ts`), it builds the screen it needs.
  if (!existsSync(join(ROOT, 'dist/web/index.html')))
    execFileSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' })
  requireBrowserAndScreen()
  dataDir = mkdtempSync(join(tmpdir(), 'ioc-e2e-'))
  app = await AppProcess.onFreePort({
    IOC_DATA_DIR: dataDir,
    IOC_DEMO: '1',
    // Enough for every panel (thousands of events in the 14 hours) while leaving the two cores to the
    // browser: at 30 records/s, software WebGL starved and clicks timed out on a slow day.
    IOC_SIMULATE: '10',
    IOC_BACKFILL_HOURS: '14',
    IOC_TZ: ZONE,
    // Shared across the restart, so the screen's session stays valid.
    IOC_JWT_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
  })
  base = app.base
  await app.start()
  browser = await launchChromium()
  mkdirSync(SHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
})

// ---- helpers ---------------------------------------------------------------------------------------

/** A browser context whose pages report console errors and foreign requests into `problems`. */
async function context(opts: BrowserContextOptions): Promise<BrowserContext> {
  const ctx = await browser!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...opts })
  // Software WebGL (SwiftShader) on two cores: with chromium 156, switching screens at 1920×1080 at
  // times held the renderer for over 30 s, and a click waits for it (the same on the code of the
  // previous landing). Real walls draw on a GPU; the test allows for the slow renderer.
  ctx.setDefaultTimeout(90_000)
  ctx.on('page', (page) => watch(page))
  return ctx
}

function watch(page: Page): void {
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror on ${page.url()}: ${e.message}`))
  page.on('request', (r) => {
    const url = r.url()
    if (url.startsWith('data:') || url.startsWith('blob:')) return
    if (new URL(url).origin !== base) problems.push(`request to another origin: ${url}`)
  })
}

async function kpi(page: Page, id: string): Promise<number> {
  const text = (await page.locator(`[data-testid="kpi-${id}"]`).textContent()) ?? ''
  return /^[\d,]+(\.\d+)?$/.test(text.trim()) ? Number(text.replace(/,/g, '')) : NaN
}

async function rankingLabels(page: Page): Promise<string[]> {
  const texts = await page.locator('[data-testid="ranking-chart"] svg text').allTextContents()
  return texts.map((t) => t.trim()).filter((t) => /[\u4e00-\u9fff]/.test(t))
}

async function breadcrumb(page: Page): Promise<string[]> {
  return (await page.locator('[data-testid="breadcrumb"] .crumb').allTextContents()).map((t) => t.trim())
}

/** Panels of the screen on show that are still loading, empty or failed (by panel type). */
async function panelsNotShowingData(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = []
    const hosts = [...document.querySelectorAll<HTMLElement>('[data-panel]')]
    if (hosts.length === 0) return ['no panels yet']
    for (const h of hosts) {
      const states = [...h.querySelectorAll<HTMLElement>('[data-state]')].map((e) => e.dataset.state)
      const shown = states.find((s) => s === 'loading' || s === 'empty' || s === 'error')
      if (shown) bad.push(`${h.dataset.panel}:${shown}`)
      else if (h.querySelector('[data-testid="stale"]')) bad.push(`${h.dataset.panel}:stale`)
    }
    return bad
  })
}

async function expectEveryPanelShowsData(page: Page, timeout = 120_000): Promise<void> {
  await expect.poll(() => panelsNotShowingData(page), { timeout, interval: 1000 }).toEqual([])
}

async function settle(page: Page, ms = 1500): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  await page.waitForTimeout(ms)
}

async function mapReady(page: Page, region?: string): Promise<void> {
  const sel = region
    ? `[data-testid="city-map"][data-ready="true"][data-region="${region}"]`
    : '[data-testid="city-map"][data-ready="true"]'
  await page.locator(sel).waitFor({ timeout: 60_000 })
}

/** Clicks spots around the middle of the map until the breadcrumb grows by one. */
async function drillByMap(page: Page, tap = false): Promise<void> {
  const before = (await breadcrumb(page)).length
  const box = (await page.locator('[data-testid="city-map"]').boundingBox())!
  const spots = [
    [0.5, 0.5],
    [0.5, 0.42],
    [0.45, 0.55],
    [0.55, 0.45],
    [0.5, 0.6],
    [0.4, 0.5],
    [0.6, 0.5],
  ] as const
  for (const [fx, fy] of spots) {
    const x = box.x + box.width * fx
    const y = box.y + box.height * fy
    if (tap) await page.touchscreen.tap(x, y)
    else await page.mouse.click(x, y)
    try {
      await expect.poll(async () => (await breadcrumb(page)).length, { timeout: 4000 }).toBe(before + 1)
      return
    } catch {
      /* outside every child region: try another spot */
    }
  }
  throw new Error('no click on the map drilled down')
}

/** Drills through the ranking chart into its busiest child. */
async function drillByChart(page: Page, tap = false): Promise<string> {
  const before = await breadcrumb(page)
  await expect.poll(() => rankingLabels(page), { timeout: 60_000 }).not.toHaveLength(0)
  const top = (await rankingLabels(page))[0]!
  const label = page.locator('[data-testid="ranking-chart"] svg text', { hasText: top }).first()
  if (tap) await label.tap()
  else await label.click()
  await expect.poll(async () => (await breadcrumb(page)).length, { timeout: 20_000 }).toBe(before.length + 1)
  return top
}

// ---- tests -----------------------------------------------------------------------------------------

describe('the big screen', () => {
  it('at 1920×1080: signs in, every panel of every screen shows data, a record opens with its timeline', async () => {
    const ctx = await context({ viewport: { width: 1920, height: 1080 } })
    const page = await ctx.newPage()
    try {
      await page.goto(`${base}/`)
      await page.waitForURL(/\/login/)
      await page.locator('[data-testid="demo-hint"]').waitFor({ timeout: 15_000 })
      await page.fill('[data-testid="login-username"]', 'operator')
      await page.fill('[data-testid="login-password"]', 'demo')
      await page.click('[data-testid="login-submit"]')
      await page.waitForURL((u) => u.pathname === '/', { timeout: 15_000 })

      expect(await page.locator('[data-testid="screen-title"]').textContent()).toContain('南京市城市运行管理中心')
      await expect
        .poll(() => page.locator('[data-testid="connection"]').getAttribute('data-status'), { timeout: 30_000 })
        .toBe('live')
      // An operator has the layer switches but no studio link.
      expect(await page.locator('[data-testid="studio-link"]').count()).toBe(0)
      expect(await page.locator('[data-testid="map-legend"] button[data-layer="events"]').isEnabled()).toBe(true)

      for (const id of SCREENS) {
        await page.locator(`[data-testid="screen-tabs"] button[data-screen="${id}"]`).click()
        await page.locator(`[data-testid="screen"][data-screen="${id}"]`).waitFor({ timeout: 60_000 })
        await expectEveryPanelShowsData(page)
        const panels = await page
          .locator('[data-panel]')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.panel))
        expect(panels.length, `${id} has its panels`).toBeGreaterThanOrEqual(5)
        expect(panels).toContain('kpi')
        await mapReady(page)
        await settle(page, 2500)
        await page.screenshot({ path: join(SHOTS, `${id}-1920x1080.png`) })
      }
      // The six-step loop is drawn; the alarm count is a number.
      await page.locator('[data-testid="screen-tabs"] button[data-screen="grid-governance"]').click()
      await expectEveryPanelShowsData(page)
      expect(await page.locator('[data-testid="panel-funnel"] li').count()).toBe(6)
      expect(await page.locator('[data-testid="alarm-count"] b').textContent()).toMatch(/^\d+$/)

      // A row of the overdue list opens the record with its timeline.
      await page.locator('[data-testid="overdue-row"]').first().click()
      await page.locator('[data-testid="record-drawer"][data-state="ready"]').waitFor({ timeout: 20_000 })
      expect(await page.locator('[data-testid="record-timeline"] li').count()).toBeGreaterThan(0)
      await page.keyboard.press('Escape')
      await page.locator('[data-testid="record-drawer"]').waitFor({ state: 'detached' })

      // Another time range: the last 7 days, in the URL, daily buckets in the trend; then today again.
      await page.click('[data-testid="time-range"] button[data-range="7d"]')
      await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('7d')
      await expectEveryPanelShowsData(page)
      await page.click('[data-testid="time-range"] button[data-range="today"]')
      await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBeNull()

      // English switch, and back.
      await page.click('[data-testid="lang-switch"]')
      expect(await page.locator('[data-testid="screen-title"]').textContent()).toContain('City Operations Centre')
      await page.click('[data-testid="lang-switch"]')
      expect(await page.locator('[data-testid="screen-title"]').textContent()).toContain('城市运行管理中心')
    } finally {
      await ctx.close()
    }
  }, 480_000)

  it('drills by chart and by map down to a grid, back by breadcrumb and browser back; the URL restores the scope', async () => {
    const ctx = await context({ viewport: { width: 1920, height: 1080 } })
    const page = await ctx.newPage()
    try {
      await signIn(page, base)
      await page.goto(`${base}/`)
      await mapReady(page, '3201')
      expect(await breadcrumb(page)).toEqual(['南京市'])

      const district = await drillByChart(page) // city → district by a bar of the ranking
      expect(await breadcrumb(page)).toEqual(['南京市', district])
      expect(new URL(page.url()).searchParams.get('region')).toMatch(/^\d{6}$/)
      await mapReady(page, new URL(page.url()).searchParams.get('region')!)
      await drillByMap(page) // district → street by a click on the map
      expect(new URL(page.url()).searchParams.get('region')).toMatch(/^\d{9}$/)
      await drillByChart(page) // street → community
      await drillByChart(page) // community → grid
      const grid = new URL(page.url()).searchParams.get('region')!
      expect(grid).toMatch(/^\d{15}$/)
      expect(await breadcrumb(page)).toHaveLength(5)
      await expect.poll(() => kpi(page, 'events-reported'), { timeout: 30_000 }).not.toBeNaN()

      // A refresh (or a shared link) keeps the scope.
      await page.reload()
      await expect.poll(() => breadcrumb(page), { timeout: 30_000 }).toHaveLength(5)
      expect(await page.locator('[data-testid="screen"]').getAttribute('data-region')).toBe(grid)

      // The breadcrumb goes up two levels, the browser's back button one more.
      const crumbs = await breadcrumb(page)
      await page.locator('[data-testid="breadcrumb"] button.crumb', { hasText: crumbs[2]! }).click()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(crumbs.slice(0, 3))
      await page.goBack()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(crumbs)
      await page.locator('[data-testid="breadcrumb"] button.crumb', { hasText: '南京市' }).click()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(['南京市'])
      expect(new URL(page.url()).searchParams.get('region')).toBeNull()
    } finally {
      await ctx.close()
    }
  })

  it(
    'at 3840×2160: the design canvas is zoomed, not stretched, and the map draws at device pixels',
    async () => {
      const ctx = await context({ viewport: { width: 3840, height: 2160 } })
      const page = await ctx.newPage()
      try {
        await signIn(page, base)
        for (const id of WALL_SCREENS) {
          await page.goto(`${base}/?screen=${id}`)
          await expectEveryPanelShowsData(page)
          await mapReady(page)
          expect(await page.locator('[data-testid="design-canvas"]').getAttribute('data-scale')).toBe('2.0000')
          // Text is laid out at the wall's size: the title's box is twice its 1920 size, not a scaled bitmap.
          const sizes = await page.evaluate(() => {
            const map = document.querySelector<HTMLCanvasElement>('[data-testid="city-map"] canvas.maplibregl-canvas')!
            const rect = map.getBoundingClientRect()
            const deck = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="city-map"] canvas')].find(
              (c) => c !== map,
            )
            return { mapBuffer: map.width, mapOnScreen: rect.width, deckBuffer: deck?.width ?? 0 }
          })
          // The drawing buffers match the wall's real pixels (within a pixel of rounding).
          expect(Math.abs(sizes.mapBuffer - sizes.mapOnScreen)).toBeLessThanOrEqual(2)
          expect(Math.abs(sizes.deckBuffer - sizes.mapOnScreen)).toBeLessThanOrEqual(2)
          expect(await page.locator('[data-testid="panel-kpi"] svg, .echart svg').count()).toBeGreaterThan(0)
          await settle(page, 2500)
          await page.screenshot({ path: join(SHOTS, `${id}-3840x2160.png`) })
        }
      } finally {
        await ctx.close()
      }
    },
    WALL_SCREENS.length * 150_000,
  )

  it('as a wall of 2×1 browsers: each renders its tile and the tiles join into the full picture', async () => {
    const ctx = await context({ viewport: { width: 1920, height: 1080 } })
    const full = await context({ viewport: { width: 3840, height: 1080 } })
    try {
      const tiles = [await ctx.newPage(), await ctx.newPage()]
      const whole = await full.newPage()
      await signIn(tiles[0]!, base)
      await signIn(whole, base)
      const path = '/?screen=city-overview&layout=wall'
      await Promise.all([
        tiles[0]!.goto(`${base}${path}&wall=2x1&tile=1`),
        tiles[1]!.goto(`${base}${path}&wall=2x1&tile=2`),
        whole.goto(`${base}${path}`),
      ])
      for (const p of [...tiles, whole]) {
        await expectEveryPanelShowsData(p)
        await mapReady(p)
      }
      // Every panel sits in the tile at the place it has in the full picture, shifted by the tile's offset.
      const rects = (p: Page) =>
        p.evaluate(() =>
          [
            ...document.querySelectorAll<HTMLElement>(
              '[data-panel], [data-testid="screen-title"], [data-testid="city-map"]',
            ),
          ].map((e) => {
            const r = e.getBoundingClientRect()
            return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)]
          }),
        )
      const [a, b, w] = await Promise.all([rects(tiles[0]!), rects(tiles[1]!), rects(whole)])
      expect(a).toEqual(w)
      expect(b).toEqual(w.map(([x, y, wd, h]) => [x! - 1920, y, wd, h]))

      // And the pixels: the two halves side by side look like the full render (live numbers differ a little).
      await Promise.all([...tiles, whole].map((p) => settle(p, 2000)))
      const [left, right, all] = await Promise.all([tiles[0]!.screenshot(), tiles[1]!.screenshot(), whole.screenshot()])
      await tiles[0]!.screenshot({ path: join(SHOTS, 'wall-2x1-tile1.png') })
      await tiles[1]!.screenshot({ path: join(SHOTS, 'wall-2x1-tile2.png') })
      const diff = await whole.evaluate(
        async ([l, r, f]) => {
          const load = async (b64: string) => {
            const img = new Image()
            img.src = `data:image/png;base64,${b64}`
            await img.decode()
            return img
          }
          const [li, ri, fi] = await Promise.all([load(l), load(r), load(f)])
          const W = 480 // compare at an eighth of the size: layout, not live digits
          const H = 135
          const draw = (parts: [HTMLImageElement, number][]) => {
            const c = document.createElement('canvas')
            c.width = W
            c.height = H
            const g = c.getContext('2d')!
            for (const [img, x] of parts) g.drawImage(img, x, 0, W / parts.length, H)
            return g.getImageData(0, 0, W, H).data
          }
          const stitched = draw([
            [li, 0],
            [ri, W / 2],
          ])
          const swapped = draw([
            [ri, 0],
            [li, W / 2],
          ])
          const reference = draw([[fi, 0]])
          const mean = (x: Uint8ClampedArray) => {
            let s = 0
            for (let i = 0; i < x.length; i += 4)
              s +=
                Math.abs(x[i]! - reference[i]!) +
                Math.abs(x[i + 1]! - reference[i + 1]!) +
                Math.abs(x[i + 2]! - reference[i + 2]!)
            return s / (x.length / 4) / 3
          }
          return { stitched: mean(stitched), swapped: mean(swapped) }
        },
        [left.toString('base64'), right.toString('base64'), all.toString('base64')] as const,
      )
      expect(diff.stitched, 'mean difference per channel of the stitched tiles').toBeLessThan(6)
      // The comparison can fail: the halves in the wrong order are far off.
      expect(diff.swapped).toBeGreaterThan(diff.stitched * 2)
    } finally {
      await ctx.close()
      await full.close()
    }
  })

  it('on a 1024×768 touch tablet: re-flowed, tap to drill, pinch the map, swipe between screens; a leader sees only their district', async () => {
    const ctx = await context({
      viewport: { width: 1024, height: 768 },
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 1,
    })
    const page = await ctx.newPage()
    try {
      await signIn(page, base, 'leader.xuanwu')
      await page.goto(`${base}/`)
      await page.locator('[data-testid="tablet-layout"]').waitFor()
      await expect.poll(() => breadcrumb(page), { timeout: 30_000 }).toEqual(['玄武区'])
      // A leader sees no layer tools and no studio link.
      expect(await page.locator('[data-testid="studio-link"]').count()).toBe(0)
      expect(await page.locator('[data-testid="map-legend"] button[data-layer]').count()).toBe(0)
      // The city above their district is not theirs: the URL falls back to their region.
      await page.goto(`${base}/?region=320104`)
      await expect
        .poll(() => page.locator('[data-testid="screen"]').getAttribute('data-region'), { timeout: 20_000 })
        .toBe('320102')

      for (const id of SCREENS) {
        await page.goto(`${base}/?screen=${id}`)
        await expectEveryPanelShowsData(page)
        await mapReady(page)
        await settle(page, 2000)
        await page.screenshot({ path: join(SHOTS, `${id}-tablet-1024x768.png`) })
      }
      await page.goto(`${base}/`)
      await mapReady(page, '320102')

      // Pinch: two fingers apart on the map zoom it in.
      const zoomBefore = Number(await page.locator('[data-testid="city-map"]').getAttribute('data-zoom'))
      const box = (await page.locator('[data-testid="city-map"]').boundingBox())!
      const cdp = await ctx.newCDPSession(page)
      await cdp.send('Input.synthesizePinchGesture', {
        x: box.x + box.width / 2,
        y: box.y + box.height / 2,
        scaleFactor: 2.5,
        relativeSpeed: 400,
        gestureSourceType: 'touch',
      })
      await expect
        .poll(async () => Number(await page.locator('[data-testid="city-map"]').getAttribute('data-zoom')), {
          timeout: 10_000,
        })
        .toBeGreaterThan(zoomBefore + 0.5)
      await page.locator('[data-testid="city-map"] .reset').tap()

      // Swipe left on the header: the next screen.
      const swipe = async (dx: number) => {
        const y = 40
        const x0 = 512 - dx / 2
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] })
        for (let i = 1; i <= 2; i++)
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + (dx * i) / 2, y }] })
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
      }
      await page.evaluate(() => document.querySelector('[data-testid="tablet-layout"]')?.scrollTo(0, 0))
      await swipe(-300)
      await expect
        .poll(() => page.locator('[data-testid="screen"]').getAttribute('data-screen'), { timeout: 10_000 })
        .toBe('grid-governance')
      await swipe(300)
      await expect
        .poll(() => page.locator('[data-testid="screen"]').getAttribute('data-screen'), { timeout: 10_000 })
        .toBe('city-overview')

      // Tap a bar of the ranking to drill into a street.
      await drillByChart(page, true)
      expect(new URL(page.url()).searchParams.get('region')).toMatch(/^320102\d{3}$/)
      await page.goBack()
      await expect.poll(() => breadcrumb(page), { timeout: 20_000 }).toEqual(['玄武区'])
      await cdp.detach()
    } finally {
      await ctx.close()
    }
  })

  it('recovers by itself when the server stops and comes back', async () => {
    // Errors of requests made while the server is down are expected from here on, and only those.
    let downAt = problems.length
    const ctx = await context({ viewport: { width: 1920, height: 1080 } })
    const page = await ctx.newPage()
    try {
      await signIn(page, base)
      await page.goto(`${base}/?screen=city-overview`)
      await expectEveryPanelShowsData(page)
      await expect
        .poll(() => page.locator('[data-testid="connection"]').getAttribute('data-status'), { timeout: 30_000 })
        .toBe('live')

      downAt = problems.length
      await app!.stop()
      // The screen stays: last data on show, the link marked as reconnecting, then a banner.
      await expect
        .poll(() => page.locator('[data-testid="connection"]').getAttribute('data-status'), { timeout: 40_000 })
        .toBe('reconnecting')
      await page.locator('[data-testid="offline-banner"]').waitFor({ timeout: 30_000 })
      expect(await page.locator('[data-testid="screen"]').count()).toBe(1)
      expect(Number.isNaN(await kpi(page, 'events-reported'))).toBe(false)
      // A kiosk reloaded while the server is down shows the screen from the service worker's shell
      // and its banner, not the browser's error page; it then recovers like the page that stayed.
      await page.reload()
      await page.locator('[data-testid="screen"]').waitFor({ timeout: 30_000 })
      await page.locator('[data-testid="offline-banner"]').waitFor({ timeout: 60_000 })

      await app!.start()
      await expect
        .poll(() => page.locator('[data-testid="connection"]').getAttribute('data-status'), { timeout: 60_000 })
        .toBe('live')
      await page.locator('[data-testid="offline-banner"]').waitFor({ state: 'detached', timeout: 10_000 })
      expect(new URL(page.url()).pathname).toBe('/')
      await expectEveryPanelShowsData(page, 90_000)
    } finally {
      await ctx.close()
    }
    // Requests made while the server was down fail by design; everything else must be clean.
    const downtime =
      /Failed to load resource: net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|FAILED)|WebSocket connection to .* failed/
    const real = problems.filter((p, i) => i < downAt || !downtime.test(p))
    expect(real, 'console errors and requests to other origins, over every page of this file').toEqual([])
  })
})
