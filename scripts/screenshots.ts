// Screenshots of every screen at wall and tablet sizes, for docs/screenshots, taken from a running
// instance that has caught up with its history (`npm start`), so the numbers are a real day's:
//   IOC_BASE=http://localhost:8080 npx tsx scripts/screenshots.ts [outDir]
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { signIn } from '../test/support/sign-in.js'

const BASE = process.env.IOC_BASE ?? 'http://localhost:8080'
const OUT = process.argv[2] ?? 'docs/screenshots'
const SCREENS = ['city-overview', 'grid-governance', 'public-service']
// Software GL, as in the browser tests: the shots must not depend on a GPU.
const ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
]

/** Waits until every panel on show has data and the map has drawn. */
async function ready(page: Page): Promise<void> {
  await page.locator('[data-testid="city-map"][data-ready="true"]').waitFor({ timeout: 120_000 })
  await page.waitForFunction(
    () => {
      const hosts = [...document.querySelectorAll<HTMLElement>('[data-panel]')]
      // Empty counts as not ready too: the live feed fills with the first pushes after a load.
      return (
        hosts.length > 0 &&
        hosts.every((h) => !h.querySelector('[data-state="loading"],[data-state="empty"],[data-state="error"]'))
      )
    },
    undefined,
    { timeout: 120_000, polling: 1000 },
  )
  // A caught-up instance: the header says 历史数据加载中 until the simulator's history is written.
  await page.locator('[data-testid="history-loading"]').waitFor({ state: 'detached', timeout: 300_000 })
  await page.waitForTimeout(4000) // the charts' entry animations and the map's tiles
}

async function shoot(
  browser: Browser,
  user: string,
  viewport: { width: number; height: number },
  tag: string,
  touch = false,
): Promise<void> {
  // Reduced motion: entry animations never freeze half-way in a still picture.
  const ctx = await browser.newContext({
    viewport,
    hasTouch: touch,
    isMobile: touch,
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
  })
  const page = await ctx.newPage()
  await signIn(page, BASE, user)
  for (const screen of SCREENS) {
    await page.goto(`${BASE}/?screen=${screen}`)
    await ready(page)
    const file = join(OUT, `${screen}-${tag}.png`)
    await page.screenshot({ path: file, fullPage: touch })
    console.log(file)
  }
  await ctx.close()
}

mkdirSync(OUT, { recursive: true })
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS })
try {
  await shoot(browser, 'operator', { width: 1920, height: 1080 }, '1920x1080')
  await shoot(browser, 'operator', { width: 3840, height: 2160 }, '3840x2160')
  await shoot(browser, 'leader.xuanwu', { width: 1024, height: 768 }, 'tablet-1024x768', true)
} finally {
  await browser.close()
}
