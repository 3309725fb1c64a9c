import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '#platform/auth/passwords.js'
import { thematicFor } from '#api/layers/service.js'
import { decodeFrame } from '../../web/src/map/thematic/frame.js'
import { gridsIn, startHarness, type Harness } from '../support/harness.js'

// Scope on writes: saving a file checks the scope of the file it replaces as well as the new one's,
// so a district analyst writes only files scoped inside their district and cannot take over, rescope
// or shadow a city file. And a district's layer shows the district's data only, whoever looks.

const ROOT = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'ioc-studio-scope-'))
cpSync(join(ROOT, 'dashboards/layers'), join(dir, 'layers'), { recursive: true })
cpSync(join(ROOT, 'dashboards/alerts'), join(dir, 'alerts'), { recursive: true })
process.env.IOC_DASHBOARDS_DIR = dir

const DISTRICT = '320102'
const RULE = readFileSync(join(ROOT, 'dashboards/alerts/terminal-offline.yaml'), 'utf8')
const LAYER = readFileSync(join(ROOT, 'dashboards/layers/event-heat.yaml'), 'utf8')
let h: Harness

beforeAll(async () => {
  h = await startHarness()
  h.ctx.users.add({
    name: 'analyst.xuanwu',
    role: 'analyst',
    region: DISTRICT,
    password_hash: await hashPassword('demo'),
  })
  const ts = Date.now() - 600_000
  await h.send('grid-events', [
    { event_id: 'SS-IN', step: 'reported', ts, category: 'appearance.garbage', grid_code: gridsIn(DISTRICT)[0] },
    { event_id: 'SS-OUT', step: 'reported', ts, category: 'appearance.garbage', grid_code: gridsIn('320104')[0] },
  ])
})
afterAll(async () => {
  thematicFor(h.ctx).close()
  await h.close()
  rmSync(dir, { recursive: true, force: true })
})

async function save(kind: string, id: string, text: string, user = 'analyst.xuanwu') {
  const res = await h.app.request(`/api/v1/studio/${kind}/${id}/save`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await h.login(user)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  })
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: string; message: string }; action?: string },
  }
}

describe('scope on writes', () => {
  it('refuses a district analyst rescoping a city rule to their district', async () => {
    const rescoped = RULE.replace(/scope: .*/, `scope: '${DISTRICT}'`)
    expect(rescoped).not.toBe(RULE)
    const res = await save('alerts', 'terminal-offline', rescoped)
    expect(res.status).toBe(403)
    expect(res.body.error?.message).toMatch(/replaces.*3201/)
    expect(readFileSync(join(dir, 'alerts/terminal-offline.yaml'), 'utf8')).toBe(RULE)
  })

  it('refuses a district analyst overwriting a city layer, even one written for the district', async () => {
    const mine = LAYER.replace('levels:', `scope: '${DISTRICT}'\nlevels:`).replace(
      "step = 'reported'",
      "step = 'verified'",
    )
    const res = await save('layers', 'event-heat', mine)
    expect(res.status).toBe(403)
    expect(readFileSync(join(dir, 'layers/event-heat.yaml'), 'utf8')).toBe(LAYER)
  })

  it('refuses a file whose own scope is outside the writer’s region, and one with no scope (the city)', async () => {
    const other = LAYER.replace('id: event-heat', 'id: qinhuai-heat').replace('levels:', "scope: '320104'\nlevels:")
    expect((await save('layers', 'qinhuai-heat', other)).status).toBe(403)
    const city = LAYER.replace('id: event-heat', 'id: city-heat')
    expect((await save('layers', 'city-heat', city)).status).toBe(403)
    expect(existsSync(join(dir, 'layers/qinhuai-heat.yaml'))).toBe(false)
    expect(existsSync(join(dir, 'layers/city-heat.yaml'))).toBe(false)
  })

  it('lets a district analyst create and update a file scoped inside their district, and a city admin replace it', async () => {
    const mine = LAYER.replace('id: event-heat', 'id: xuanwu-heat').replace('levels:', `scope: '${DISTRICT}'\nlevels:`)
    expect(await save('layers', 'xuanwu-heat', mine)).toMatchObject({ status: 200, body: { action: 'create' } })
    expect(await save('layers', 'xuanwu-heat', mine.replace('事件热力', '玄武热力'))).toMatchObject({
      status: 200,
      body: { action: 'update' },
    })
    expect(await save('layers', 'xuanwu-heat', mine, 'admin')).toMatchObject({
      status: 200,
      body: { action: 'update' },
    })
  })

  it('shows a district layer the district’s data only, even to the city, and lists it to whom it concerns', async () => {
    const layers = async (user: string) =>
      (
        (await (
          await h.app.request('/api/v1/layers', { headers: { authorization: `Bearer ${await h.login(user)}` } })
        ).json()) as { layers: { id: string }[] }
      ).layers.map((l) => l.id)
    expect(await layers('operator')).toContain('xuanwu-heat')
    expect(await layers('leader.xuanwu')).toContain('xuanwu-heat')
    h.ctx.users.add({
      name: 'leader.qinhuai',
      role: 'leader',
      region: '320104',
      password_hash: await hashPassword('demo'),
    })
    expect(await layers('leader.qinhuai')).not.toContain('xuanwu-heat')
    const data = await h.app.request('/api/v1/layers/xuanwu-heat/data?region=3201', {
      headers: { authorization: `Bearer ${await h.login('operator')}` },
    })
    expect(data.status).toBe(200)
    expect(decodeFrame(await data.arrayBuffer()).length).toBe(1)
    const elsewhere = await h.app.request('/api/v1/layers/xuanwu-heat/data?region=320104', {
      headers: { authorization: `Bearer ${await h.login('leader.qinhuai')}` },
    })
    expect(elsewhere.status).toBe(404)
  })
})
