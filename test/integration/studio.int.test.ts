import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { thematicFor } from '#api/layers/service.js'
import { decodeFrame } from '../../web/src/map/thematic/frame.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

// The studio's api: analysts and admins only; a draft runs in the caller's scope; a valid file is
// saved under its id with an audit row and is listed at once; an invalid one is refused with lines.

const ROOT = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'ioc-studio-'))
cpSync(join(ROOT, 'dashboards/layers'), join(dir, 'layers'), { recursive: true })
mkdirSync(join(dir, 'alerts'))
process.env.IOC_DASHBOARDS_DIR = dir

const DRAFT = readFileSync(join(ROOT, 'dashboards/layers/event-heat.yaml'), 'utf8')
  .replace('id: event-heat', 'id: studio-draft')
  .replace('事件热力', '工作室草稿')
let h: Harness

beforeAll(async () => {
  h = await startHarness()
  const ts = new Date(Date.now() - 600_000).toISOString()
  await h.send('grid-events', [
    {
      event_id: 'ST-1',
      step: 'reported',
      ts,
      category: 'appearance.garbage',
      lon: 118.797,
      lat: 32.06,
      grid_code: gridsIn('320102')[0],
    },
    {
      event_id: 'ST-2',
      step: 'reported',
      ts,
      category: 'appearance.garbage',
      lon: 118.79,
      lat: 32.0,
      grid_code: gridsIn('320104')[0],
    },
  ])
  await h.pipeline.flush()
})
afterAll(async () => {
  thematicFor(h.ctx).close()
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

async function call(path: string, user: string, body?: unknown) {
  const res = await h.app.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${await h.login(user)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return res
}

describe('the studio api', () => {
  it('is for analysts and admins only', async () => {
    expect((await call('/api/v1/studio/layers', 'operator')).status).toBe(403)
    expect((await call('/api/v1/studio/layers', 'leader.xuanwu')).status).toBe(403)
    expect((await call('/api/v1/studio/layers', 'analyst')).status).toBe(200)
  })

  it('runs a draft in the region asked for, inside the caller’s scope', async () => {
    const res = await call('/api/v1/studio/layers/run', 'analyst', { text: DRAFT, region: '320102' })
    expect(res.status).toBe(200)
    const f = decodeFrame(await res.arrayBuffer())
    expect(f.length).toBe(1)
    expect(f.header.region).toBe('320102')
    const city = decodeFrame(await (await call('/api/v1/studio/layers/run', 'analyst', { text: DRAFT })).arrayBuffer())
    expect(city.length).toBe(2)
  })

  it('refuses an invalid draft with its lines, and does not save it', async () => {
    const bad = DRAFT.replace(
      "step = 'reported'",
      "step = 'reported' AND grid_code IN (SELECT name FROM system.tables)",
    )
    const res = await call('/api/v1/studio/layers/studio-draft/save', 'analyst', { text: bad })
    expect(res.status).toBe(400)
    const body = (await res.json()) as {
      error: { details: { errors: { line: number; field: string; message: string }[] } }
    }
    expect(body.error.details.errors).toEqual([
      {
        file: 'studio-draft.yaml',
        line: DRAFT.split('\n').findIndex((l) => l.startsWith('sql:')) + 1,
        field: 'sql',
        message: expect.stringMatching(/system\.tables/),
      },
    ])
    expect(existsSync(join(dir, 'layers/studio-draft.yaml'))).toBe(false)
    const mismatch = await call('/api/v1/studio/layers/other-id/save', 'analyst', { text: DRAFT })
    expect(mismatch.status).toBe(400)
  })

  it('saves a valid file under its id with an audit row, and lists it at once', async () => {
    const res = await call('/api/v1/studio/layers/studio-draft/save', 'analyst', { text: DRAFT })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ saved: 'layers/studio-draft.yaml', action: 'create' })
    expect(readFileSync(join(dir, 'layers/studio-draft.yaml'), 'utf8')).toBe(DRAFT)
    const list = (await (await call('/api/v1/layers', 'operator')).json()) as {
      layers: { id: string; title: { zh: string } }[]
    }
    expect(list.layers.find((l) => l.id === 'studio-draft')?.title.zh).toBe('工作室草稿')
    const again = await call('/api/v1/studio/layers/studio-draft/save', 'admin', {
      text: DRAFT.replace('工作室草稿', '工作室草稿二'),
    })
    expect(await again.json()).toMatchObject({ action: 'update' })
    const rs = await h.store.query({
      query:
        "SELECT user, role, kind, item_id, action, toUInt8(position(before, '工作室草稿') > 0) AS had FROM studio_audit ORDER BY at",
      format: 'JSONEachRow',
    })
    expect(await rs.json()).toEqual([
      { user: 'analyst', role: 'analyst', kind: 'layers', item_id: 'studio-draft', action: 'create', had: 0 },
      { user: 'admin', role: 'admin', kind: 'layers', item_id: 'studio-draft', action: 'update', had: 1 },
    ])
  })

  it('dry-runs a rule over the past week without storing an alert', async () => {
    const rule = `id: studio-rule
title: { zh: 测试规则, en: Test rule }
severity: info
scope: '3201'
query: |
  SELECT district AS key, district AS region, count() AS value FROM grid_events
  WHERE step = 'reported' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)} GROUP BY district
condition: { kind: threshold, op: '>=', value: 1 }
`
    const res = await call('/api/v1/studio/alerts/dry-run', 'analyst', { text: rule })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      evaluations: number
      fired: number
      events: { kind: string; key: string; detail: string; detail_en: string }[]
    }
    expect(body.evaluations).toBe(169)
    // Each event says why in both languages (the English screen's studio shows detail_en).
    for (const e of body.events) {
      expect(e.detail).not.toBe('')
      expect(e.detail_en).toMatch(/^[\x20-\x7e≥≤]+$/)
    }
    expect(body.fired).toBe(2)
    expect(
      body.events
        .filter((e) => e.kind === 'fire')
        .map((e) => e.key)
        .sort(),
    ).toEqual(['320102', '320104'])
    const stored = await h.store.query({ query: 'SELECT count() AS n FROM alerts', format: 'JSONEachRow' })
    expect(Number((await stored.json<{ n: string }>())[0].n)).toBe(0)
  })
})
