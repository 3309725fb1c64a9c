import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { evaluatorFor } from '#api/alerts/evaluator.js'
import { thematicFor } from '#api/layers/service.js'
import type { Alert } from '#core/schemas/alert.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

// An alert fires, is stored once (deduplicated), is pushed on the `alerts` topic, is acknowledged
// and assigned by an operator (not by a leader), and resolves; hysteresis keeps it firing between
// the clear and the fire thresholds.

const ROOT = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'ioc-alerts-'))
mkdirSync(join(dir, 'layers'))
mkdirSync(join(dir, 'alerts'))
cpSync(join(ROOT, 'dashboards/alerts/terminal-offline.yaml'), join(dir, 'alerts/terminal-offline.yaml'))
// Open events per grid: fires at 3, clears under 1.
writeFileSync(
  join(dir, 'alerts/grid-open-events.yaml'),
  `id: grid-open-events
title: { zh: 网格积压, en: Open events in a grid }
severity: warning
scope: '320102'
query: |
  SELECT g AS key, g AS region, count() AS value
  FROM (SELECT event_id, anyLast(grid_code) AS g, max(evaluated_at) AS closed_at FROM event_state GROUP BY event_id)
  WHERE closed_at IS NULL
  GROUP BY g
condition: { kind: threshold, op: '>=', value: 3, clear: 1 }
`,
)
process.env.IOC_DASHBOARDS_DIR = dir

const [grid] = gridsIn('320102')
let h: Harness
let server: Awaited<ReturnType<Harness['serve']>>
const now = Date.now()

beforeAll(async () => {
  h = await startHarness()
  server = await h.serve()
})
afterAll(async () => {
  thematicFor(h.ctx).close()
  await server?.close()
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function post(path: string, user: string, body: unknown = {}) {
  const res = await h.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${await h.login(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Alert & { error?: { message: string } } }
}

async function alertsClient(user: string, region: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/live?token=${await h.login(user)}`)
  const got: Alert[] = []
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as { type: string; data: Alert }
    if (m.type === 'alerts') got.push(m.data)
  })
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
  ws.send(JSON.stringify({ type: 'subscribe', topics: ['alerts'], region }))
  await new Promise<void>((resolve) => ws.on('message', (raw) => String(raw).includes('"subscribed"') && resolve()))
  const wait = async (pred: (a: Alert) => boolean) => {
    for (let i = 0; i < 100 && !got.some(pred); i++) await new Promise((r) => setTimeout(r, 50))
    const a = got.find(pred)
    if (!a) throw new Error(`no pushed alert matched; got ${JSON.stringify(got.map((x) => [x.alert_id, x.status]))}`)
    return a
  }
  return { ws, got, wait }
}

describe('alerts', () => {
  it('a terminal offline for 45 minutes fires once, is pushed, acknowledged, assigned and resolved', async () => {
    const t = thematicFor(h.ctx)
    await t.ready()
    expect(t.rules.problems()).toEqual([])
    const rule = t.rules.get('terminal-offline')!
    const min = 60_000
    await h.send('terminal-status', [
      { terminal_id: 'T-ALERT-1', ts: now - 120 * min, status: 'online', grid_code: grid, site: '测试服务中心' },
      { terminal_id: 'T-ALERT-1', ts: now - 45 * min, status: 'offline', grid_code: grid, site: '测试服务中心' },
      { terminal_id: 'T-ALERT-2', ts: now - 120 * min, status: 'online', grid_code: grid },
      { terminal_id: 'T-ALERT-2', ts: now - 10 * min, status: 'fault', grid_code: grid },
    ])
    await h.pipeline.flush()
    const operator = await alertsClient('operator', '3201')
    const outsider = await alertsClient('leader.xuanwu', '320102')

    const evaluator = evaluatorFor(h.ctx)
    const fired = await evaluator.evaluate(rule, now)
    expect(fired).toHaveLength(1)
    expect(fired[0]).toMatchObject({
      rule_id: 'terminal-offline',
      key: 'T-ALERT-1',
      region: grid,
      status: 'firing',
      severity: 'warning',
      value: 45,
    })
    expect(fired[0].message).toContain('测试服务中心')
    // The English screen's words travel with the alert: the rule's English title, the detail in English.
    expect(fired[0]).toMatchObject({
      title: '自助终端离线超30分钟',
      title_en: 'Terminal offline for over 30 minutes',
      message: '测试服务中心：45 分钟 ≥ 30',
      message_en: '测试服务中心: 45 min ≥ 30',
    })
    const pushed = await operator.wait((a) => a.alert_id === fired[0].alert_id)
    expect(pushed.status).toBe('firing')
    expect(pushed).toMatchObject({ title_en: fired[0].title_en, message_en: fired[0].message_en })
    // The grid is inside 玄武区: its leader's socket gets it too.
    await outsider.wait((a) => a.alert_id === fired[0].alert_id)

    // Deduplicated: the same condition a minute later raises nothing new.
    expect(await evaluator.evaluate(rule, now + min)).toEqual([])
    const listed = await h.get<{ alerts: Alert[] }>('/api/v1/alerts?region=3201&status=active', 'operator')
    expect(listed.body.alerts.filter((a) => a.rule_id === 'terminal-offline').map((a) => a.key)).toEqual(['T-ALERT-1'])

    const id = encodeURIComponent(fired[0].alert_id)
    expect((await post(`/api/v1/alerts/${id}/acknowledge`, 'leader.xuanwu')).status).toBe(403)
    const acked = await post(`/api/v1/alerts/${id}/acknowledge`, 'operator')
    expect(acked.status).toBe(200)
    expect(acked.body).toMatchObject({ status: 'acknowledged', acked_by: 'operator' })
    await operator.wait((a) => a.alert_id === fired[0].alert_id && a.status === 'acknowledged')
    const assigned = await post(`/api/v1/alerts/${id}/assign`, 'operator', { assignee: '张工' })
    expect(assigned.body).toMatchObject({ status: 'acknowledged', assignee: '张工' })
    expect((await post(`/api/v1/alerts/${id}/assign`, 'operator', {})).status).toBe(400)

    // The acknowledged alert stays one alert while the terminal is down; it resolves once it is back.
    expect(await evaluator.evaluate(rule, now + 2 * min)).toEqual([])
    await h.send('terminal-status', [
      { terminal_id: 'T-ALERT-1', ts: now + 2 * min, status: 'online', grid_code: grid },
    ])
    await h.pipeline.flush()
    const resolved = await evaluator.evaluate(rule, now + 3 * min)
    expect(resolved.map((a) => [a.key, a.status])).toEqual([['T-ALERT-1', 'resolved']])
    await operator.wait((a) => a.alert_id === fired[0].alert_id && a.status === 'resolved')
    expect((await post(`/api/v1/alerts/${id}/acknowledge`, 'operator')).status).toBe(409)
    const after = await h.get<{ alerts: Alert[] }>(
      `/api/v1/alerts?region=3201&from=${new Date(now - 3_600_000).toISOString()}`,
      'operator',
    )
    expect(after.body.alerts.find((a) => a.alert_id === fired[0].alert_id)).toMatchObject({
      status: 'resolved',
      assignee: '张工',
      acked_by: 'operator',
      // Stored with the alert, so every later version (acknowledged, assigned, resolved) keeps them.
      title_en: 'Terminal offline for over 30 minutes',
      message_en: '测试服务中心: 45 min ≥ 30',
    })
    operator.ws.close()
    outsider.ws.close()
  })

  it('hysteresis: fires at 3 open events, holds at 2, clears when none is open', async () => {
    const t = thematicFor(h.ctx)
    const rule = t.rules.get('grid-open-events')!
    const evaluator = evaluatorFor(h.ctx)
    const ev = (id: string, step: string, ts: number) => ({
      event_id: id,
      step,
      ts,
      category: 'appearance.garbage',
      grid_code: grid,
      evaluation: step === 'evaluated' ? 'satisfied' : undefined,
    })
    await h.send('grid-events', [ev('HY-1', 'reported', now - 600_000), ev('HY-2', 'reported', now - 600_000)])
    await h.pipeline.flush()
    expect(await evaluator.evaluate(rule, now)).toEqual([])
    await h.send('grid-events', [ev('HY-3', 'reported', now - 500_000)])
    await h.pipeline.flush()
    const fired = await evaluator.evaluate(rule, now)
    expect(fired.map((a) => [a.key, a.status, a.value])).toEqual([[grid, 'firing', 3]])
    await h.send('grid-events', [ev('HY-1', 'evaluated', now - 100_000)])
    await h.pipeline.flush()
    expect(await evaluator.evaluate(rule, now)).toEqual([]) // 2 open: under 3 but not under 1
    await h.send('grid-events', [ev('HY-2', 'evaluated', now - 90_000), ev('HY-3', 'evaluated', now - 80_000)])
    await h.pipeline.flush()
    expect((await evaluator.evaluate(rule, now)).map((a) => a.status)).toEqual(['resolved'])
  })

  it('refuses a list outside the scope and a bad status', async () => {
    expect((await h.get('/api/v1/alerts?region=320104', 'leader.xuanwu')).status).toBe(403)
    expect((await h.get('/api/v1/alerts?region=3201&status=maybe', 'operator')).status).toBe(400)
  })
})
