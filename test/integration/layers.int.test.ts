import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { thematicFor } from '#api/layers/service.js'
import type { LayerList } from '#core/schemas/layer.js'
import { decodeFrame } from '../../web/src/map/thematic/frame.js'
import { startHarness, type Harness } from '../support/harness.js'
import { loadDemoHistory } from '../support/layers-demo.js'

// Every shipped layer and alert rule on the simulator's demo data, at city and district level,
// through the real routes; and the loader's hot reload with a broken file next to good ones.

const ROOT = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'ioc-dashboards-'))
cpSync(join(ROOT, 'dashboards/layers'), join(dir, 'layers'), { recursive: true })
cpSync(join(ROOT, 'dashboards/alerts'), join(dir, 'alerts'), { recursive: true })
process.env.IOC_DASHBOARDS_DIR = dir

const SHIPPED = readdirSync(join(ROOT, 'dashboards/layers'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace('.yaml', ''))
const RULES = readdirSync(join(ROOT, 'dashboards/alerts'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace('.yaml', ''))
const HOURS = 36

// A fixed instant (noon in Nanjing): the simulator's story is then the same on every run, so a rule
// like terminal-offline always has a terminal down in the district, whatever the hour of the run.
const now = Date.UTC(2026, 10, 20, 4, 0, 0)
let h: Harness

async function frame(path: string, user = 'admin') {
  const res = await h.app.request(path, { headers: { authorization: `Bearer ${await h.login(user)}` } })
  if (res.status !== 200) return { status: res.status, error: await res.text(), rows: 0 }
  expect(res.headers.get('content-type')).toBe('application/vnd.ioc.columns')
  const f = decodeFrame(await res.arrayBuffer())
  return { status: 200, rows: f.length, frame: f }
}

beforeAll(async () => {
  h = await startHarness({ now: () => now })
  await loadDemoHistory(h, { hours: HOURS, rate: 2, now })
})
afterAll(async () => {
  thematicFor(h.ctx).close()
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('shipped layers', () => {
  it('at least 12 ship and all are valid', async () => {
    expect(SHIPPED.length).toBeGreaterThanOrEqual(12)
    const { status, body } = await h.get<LayerList>('/api/v1/layers', 'analyst')
    expect(status).toBe(200)
    expect(body.errors).toEqual([])
    expect(body.layers.map((l) => l.id).sort()).toEqual([...SHIPPED].sort())
  })

  for (const id of SHIPPED) {
    it(`${id} returns rows at city and district level`, async () => {
      const range = `from=${new Date(now - HOURS * 3_600_000).toISOString()}&to=${new Date(now).toISOString()}`
      for (const region of ['3201', '320102']) {
        const r = await frame(`/api/v1/layers/${id}/data?region=${region}&${range}`)
        expect(r, `${id} at ${region}: ${r.error ?? ''}`).toMatchObject({ status: 200 })
        expect(r.rows, `${id} at ${region}`).toBeGreaterThan(0)
        expect(r.frame!.header.region).toBe(region)
      }
    })
  }

  it('choropleths key by the children of the region in scope', async () => {
    const r = await frame(
      `/api/v1/layers/closure-rate-by-street/data?region=320102&from=${new Date(now - HOURS * 3_600_000).toISOString()}`,
    )
    const keys = r.frame!.columns.get('region')
    expect(keys?.kind).toBe('dict')
    if (keys?.kind !== 'dict') return
    for (const k of keys.dict) expect(k).toMatch(/^320102\d{3}$/)
  })

  it('answers 403 outside the caller’s scope, 400 for a bad parameter, 404 for an unknown layer', async () => {
    expect((await frame('/api/v1/layers/event-heat/data?region=320104', 'leader.xuanwu')).status).toBe(403)
    expect((await frame('/api/v1/layers/repeat-complaints/data?region=3201&days=abc')).status).toBe(400)
    expect((await frame('/api/v1/layers/nope/data?region=3201')).status).toBe(404)
    expect((await frame('/api/v1/layers/event-density-hex/data?region=320102002001001')).status).toBe(400)
  })
})

describe('shipped alert rules', () => {
  for (const id of RULES) {
    it(`${id} validates and its query returns rows at city and district level`, async () => {
      const t = thematicFor(h.ctx)
      await t.ready()
      const rule = t.rules.get(id)
      expect(rule, JSON.stringify(t.rules.problems())).toBeDefined()
      for (const region of ['3201', '320102']) {
        // Over the whole demo history: the rule's own window (an hour) may be empty at night.
        const r = await t.sandbox.run(
          rule!.query,
          { region, from: now - HOURS * 3_600_000, to: now, now },
          rule!.params,
        )
        expect(r.rows, `${id} at ${region}`).toBeGreaterThan(0)
        const regions = r.data.map((row) => String(row[r.meta.findIndex((m) => m.name === 'region')]))
        for (const code of regions) expect(code.startsWith(region)).toBe(true)
      }
    })
  }
})

describe('the loader', () => {
  it('reports a broken file with file, line and field, keeps the others, and reloads without a restart', async () => {
    const file = join(dir, 'layers', 'broken.yaml')
    const good = readFileSync(join(dir, 'layers', 'event-heat.yaml'), 'utf8').replace('id: event-heat', 'id: broken')
    writeFileSync(file, good.replace('radius_pixels: 28', 'radius_pixels: lots'))
    const waitFor = async (pred: (l: LayerList) => boolean) => {
      for (let i = 0; i < 50; i++) {
        const { body } = await h.get<LayerList>('/api/v1/layers', 'analyst')
        if (pred(body)) return body
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error('the layer folder was not reloaded')
    }
    const broken = await waitFor((l) => l.errors.length > 0)
    const line = good.split('\n').findIndex((l) => l.includes('radius_pixels')) + 1
    expect(broken.errors).toEqual([
      { file: 'broken.yaml', line, field: 'draw.radius_pixels', message: expect.stringMatching(/number/) },
    ])
    expect(broken.layers).toHaveLength(SHIPPED.length)

    writeFileSync(file, good)
    const fixed = await waitFor((l) => l.errors.length === 0 && l.layers.some((x) => x.id === 'broken'))
    expect(fixed.layers).toHaveLength(SHIPPED.length + 1)
    rmSync(file)
    await waitFor((l) => !l.layers.some((x) => x.id === 'broken'))
  })
})
