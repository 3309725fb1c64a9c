import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { screenRoutes } from '#api/routes/screens.js'
import { PANEL_TYPES, ScreenSchema } from '#core/schemas/screen.js'
import { loadScreens } from '#platform/config/screens.js'
import { handleError } from '#platform/errors.js'

describe('screen files', () => {
  it('ships the three screens, valid, city overview first', () => {
    const { screens, errors } = loadScreens()
    expect(errors).toEqual([])
    expect(screens.map((s) => s.id)).toEqual(['city-overview', 'grid-governance', 'public-service'])
    for (const s of screens) {
      expect(s.panels.filter((p) => p.slot === 'top').map((p) => p.type)).toEqual(['kpi'])
      for (const p of s.panels) expect(PANEL_TYPES).toContain(p.type)
    }
  })

  it('names the file, field and reason of a bad screen and still serves the good ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioc-screens-'))
    writeFileSync(
      join(dir, 'good.yaml'),
      'id: good\ntitle: { zh: 好, en: Good }\npanels:\n  - { type: trend, slot: left }\n',
    )
    writeFileSync(
      join(dir, 'bad.yaml'),
      'id: bad\ntitle: { zh: 坏, en: Bad }\npanels:\n  - { type: pie, slot: left }\n',
    )
    writeFileSync(
      join(dir, 'kpi.yaml'),
      'id: kpi\ntitle: { zh: 指标, en: KPI }\npanels:\n  - { type: kpi, slot: top }\n',
    )
    writeFileSync(join(dir, 'broken.yaml'), 'id: [\n')
    // Mounted as api/app.ts does: its error handler turns the thrown 404 into the contract's body.
    const app = new Hono().route('/', screenRoutes(dir))
    app.onError(handleError)

    const list = await app.request('/api/v1/screens')
    expect(list.status).toBe(200)
    const body = (await list.json()) as {
      screens: { id: string; dwell_seconds: number }[]
      errors: { file: string; path: string; message: string }[]
    }
    expect(body.screens).toEqual([{ id: 'good', title: { zh: '好', en: 'Good' }, dwell_seconds: 60 }])
    expect(body.errors.find((e) => e.file === 'bad.yaml')).toMatchObject({ path: 'panels.0.type' })
    expect(body.errors.find((e) => e.file === 'kpi.yaml')).toMatchObject({
      path: 'panels.0.metrics',
      message: 'a kpi panel lists its metrics',
    })
    expect(body.errors.find((e) => e.file === 'broken.yaml')?.message).toMatch(/not valid YAML/)

    const good = await app.request('/api/v1/screens/good')
    expect(good.status).toBe(200)
    expect(ScreenSchema.parse(await good.json()).map.layers).toEqual(['events'])
    expect((await app.request('/api/v1/screens/bad')).status).toBe(500)
    expect((await app.request('/api/v1/screens/nope')).status).toBe(404)
  })

  it('refuses an id that differs from its file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ioc-screens-'))
    writeFileSync(
      join(dir, 'one.yaml'),
      'id: two\ntitle: { zh: 一, en: One }\npanels:\n  - { type: trend, slot: left }\n',
    )
    expect(loadScreens(dir).errors).toEqual([
      { file: 'one.yaml', path: 'id', message: 'id "two" differs from the file name "one"' },
    ])
  })
})
