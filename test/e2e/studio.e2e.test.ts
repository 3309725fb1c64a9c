import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppProcess, launchChromium, requireBrowserAndScreen, ROOT } from '../support/app-process.js'
import { signIn } from '../support/sign-in.js'

/**
 * The studio end to end: an analyst writes a new layer in the browser (an inline error first, then
 * a valid file), previews it on the map at city and district level, saves it, and finds it in the
 * screen's layer switcher. The app runs on a copy of dashboards/ so the repository stays as it is.
 */

let app: AppProcess | undefined
let base = ''
let browser: Browser | undefined
const dataDir = mkdtempSync(join(tmpdir(), 'ioc-studio-e2e-'))
const dashboards = mkdtempSync(join(tmpdir(), 'ioc-studio-dash-'))

beforeAll(async () => {
  requireBrowserAndScreen()
  for (const d of ['layers', 'alerts']) cpSync(join(ROOT, 'dashboards', d), join(dashboards, d), { recursive: true })
  mkdirSync(join(dashboards, 'schemas'), { recursive: true })
  app = await AppProcess.onFreePort({
    IOC_DATA_DIR: dataDir,
    IOC_DASHBOARDS_DIR: dashboards,
    IOC_DEMO: '1',
    IOC_SIMULATE: '5',
    IOC_BACKFILL_HOURS: '2',
    IOC_ALERTS: '0',
    LOG_LEVEL: 'info',
    IOC_JWT_SECRET: 'studio-e2e-secret-long-enough-for-hs256',
  })
  base = app.base
  await app.start()
  // Wait until the simulator's history is stored: the preview then has rows and the store is quiet.
  await app.printed('simulator caught up', 90_000)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  rmSync(dashboards, { recursive: true, force: true })
})

/** Replace the editor's text as a paste would (CodeMirror's view hangs on the element for this). */
async function setText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const el = document.querySelector('[data-testid="studio-editor"]') as HTMLElement & {
      cmView: { state: { doc: { length: number } }; dispatch: (tr: unknown) => void }
    }
    el.cmView.dispatch({ changes: { from: 0, to: el.cmView.state.doc.length, insert: t } })
  }, text)
}

const LAYER = `id: e2e-hotline-points
title: { zh: 测试热线点位, en: E2E hotline points }
description: Hotline tickets created in the range, as points.
levels: [city, district, street]
sql: |
  SELECT ticket_id, category, lon, lat
  FROM hotline_tickets
  WHERE step = 'created' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
draw:
  type: scatter
  radius: 5
  color: { field: category, scale: ordinal, domain: [urban, traffic], colors: ['#42a5f5', '#ffa726'], other: '#b0bec5' }
  tooltip: [ticket_id, category]
legend: { kind: categories, items: [{ label: 热线工单, color: '#42a5f5' }] }
`

describe('the studio', () => {
  it('creates a layer with inline errors, previews it at two levels, saves it, and the screen lists it', async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await signIn(page, base, 'analyst')
    await page.goto(`${base}/studio`)
    await page.locator('[data-testid="studio-editor"] .cm-editor').waitFor({ timeout: 30_000 })

    // A wrong level is an inline error on its line, from the server's validation.
    await setText(page, LAYER.replace('levels: [city, district, street]', 'levels: [city, nowhere]'))
    await expect
      .poll(() => page.locator('[data-testid="studio-errors"] li').allTextContents(), { timeout: 30_000 })
      .toEqual([expect.stringMatching(/第 4 行 levels\.1/)])
    await page.locator('.cm-lintRange-error').first().waitFor({ timeout: 10_000 })
    expect(await page.locator('[data-testid="studio-save"]').isDisabled()).toBe(true)

    // Completion comes from the schema: typing the start of a top-level key offers it.
    await setText(page, LAYER)
    await page.locator('[data-testid="studio-editor"] .cm-content').click()
    await page.keyboard.press('Control+End')
    await page.keyboard.type('refr')
    await expect
      .poll(() => page.locator('.cm-tooltip-autocomplete').textContent(), { timeout: 15_000 })
      .toContain('refresh_seconds')
    await page.keyboard.press('Escape')
    await setText(page, LAYER)
    await expect.poll(() => page.locator('[data-testid="studio-errors"] li').count(), { timeout: 30_000 }).toBe(0)

    // Preview at city level: rows, timing and bytes, and a deck.gl canvas over the map.
    await page.locator('[data-testid="studio-run"]').click()
    await page.locator('[data-testid="studio-stats"]').waitFor({ timeout: 30_000 })
    const cityRows = Number(await page.locator('[data-testid="studio-rows"]').textContent())
    expect(cityRows).toBeGreaterThan(0)
    await expect.poll(() => page.locator('[data-testid="studio-map"] canvas').count()).toBeGreaterThanOrEqual(2)

    // Drill into the district under the map's centre: the preview runs again there.
    const box = (await page.locator('[data-testid="studio-map"]').boundingBox())!
    await page.waitForTimeout(1500)
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await expect
      .poll(async () => (await page.locator('[data-testid="studio-region"]').textContent())?.length, {
        timeout: 15_000,
      })
      .toBe(6)
    await expect
      .poll(async () => Number(await page.locator('[data-testid="studio-rows"]').textContent()), { timeout: 20_000 })
      .toBeLessThan(cityRows)
    expect(Number(await page.locator('[data-testid="studio-rows"]').textContent())).toBeGreaterThan(0)

    await page.locator('[data-testid="studio-save"]').click()
    await expect
      .poll(() => page.locator('[data-testid="studio-message"]').textContent(), { timeout: 15_000 })
      .toContain('已保存 layers/e2e-hotline-points.yaml')
    expect(readFileSync(join(dashboards, 'layers/e2e-hotline-points.yaml'), 'utf8')).toContain('测试热线点位')

    // The screen's layer switcher lists it.
    await page.goto(`${base}/`)
    const legend = page.locator('[data-testid="map-legend"]')
    await legend.waitFor({ timeout: 30_000 })
    if ((await legend.locator('[data-layer]').count()) === 0) await page.locator('[data-testid="legend-fold"]').click()
    const entry = legend.locator('[data-layer="e2e-hotline-points"]')
    await entry.waitFor({ timeout: 15_000 })
    expect(await entry.textContent()).toContain('测试热线点位')
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('is closed to operators', async () => {
    const ctx = await browser!.newContext()
    const page = await ctx.newPage()
    await signIn(page, base, 'operator')
    const res = await page.request.get(`${base}/api/v1/studio/layers`, {
      headers: { authorization: `Bearer ${await page.evaluate(() => localStorage.getItem('ioc.token'))}` },
    })
    expect(res.status()).toBe(403)
    await page.goto(`${base}/studio`)
    await page.getByText('图层工作室仅对分析员和管理员开放').waitFor({ timeout: 15_000 })
    await ctx.close()
  })
})
