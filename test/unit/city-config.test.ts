import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { cityRoutes } from '#api/routes/city.js'
import { CityConfigSchema } from '#core/schemas/city.js'
import { alertRuleSchemaFor } from '#core/schemas/alert.js'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { DEMO_CITY_DIR, cityDir, loadCity, loadCityConfig } from '#platform/config/city.js'
import { readEnv } from '#platform/env.js'
import { loadUsers } from '#platform/auth/users.js'
import { simCity } from '#simulator/city.js'
import { createSimulator } from '#simulator/model.js'
import { localHour, localStamp, nextLocalHour } from '#simulator/rhythm.js'

const TINY = fileURLToPath(new URL('../fixtures/city-tiny/', import.meta.url))
const HOUR = 3_600_000
const temps: string[] = []
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A copy of the tiny city with city.yaml edited by `edit`. */
function tinyWith(edit: (yaml: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-city-'))
  temps.push(dir)
  cpSync(TINY, dir, { recursive: true })
  writeFileSync(join(dir, 'city.yaml'), edit(readFileSync(join(dir, 'city.yaml'), 'utf8')))
  return dir
}

describe('the city file', () => {
  it('declares the demo city: Nanjing, 3201, Asia/Shanghai, the contract demo accounts', () => {
    const c = loadCity(DEMO_CITY_DIR)
    expect(c.info).toEqual({ code: '3201', name: '南京市', name_en: 'Nanjing', center: [118.7391, 31.98505] })
    expect(c.timeZone).toBe('Asia/Shanghai')
    expect(c.root.code).toBe('3201')
    expect(c.config.demo_accounts.map((a) => `${a.name}:${a.role}:${a.region}`)).toEqual([
      'admin:admin:3201',
      'operator:operator:3201',
      'leader.xuanwu:leader:320102',
      'analyst:analyst:3201',
    ])
  })

  it('points the system at another city with IOC_CITY_DIR, its zone the default of IOC_TZ', () => {
    expect(cityDir({})).toBe(DEMO_CITY_DIR)
    expect(readEnv({ IOC_CITY_DIR: TINY }).IOC_TZ).toBe('Europe/Berlin')
    expect(readEnv({ IOC_CITY_DIR: TINY, IOC_TZ: 'UTC' }).IOC_TZ).toBe('UTC')
    const c = loadCity(cityDir({ IOC_CITY_DIR: TINY }))
    expect(c.info).toEqual({ code: '9901', name: '微城市', name_en: 'Tinyburg', center: [13.4, 52.5] })
    expect([...c.regions.values()].filter((r) => r.level === 'grid')).toHaveLength(8)
    expect(c.locate(13.31, 52.46)?.code).toBe('990101001001001')
    expect(c.locate(118.78, 32.04)).toBeUndefined()
    expect(c.childrenGeoJSON('9901').features.map((f) => f.properties.name)).toEqual(['东湖区', '西山区'])
  })

  it('refuses a file that disagrees with its geo files or names a region outside the city', () => {
    expect(() => loadCity(tinyWith((y) => y.replaceAll("'9901", "'9902")))).toThrow(
      /city.yaml says code 9902, regions.json's root is 9901/,
    )
    expect(() => loadCity(tinyWith((y) => y.replace("region: '990101' }", "region: '990103' }")))).toThrow(
      /region 990103 is not in regions.json/,
    )
    expect(() => loadCityConfig(tinyWith((y) => y.replace("region: '990101' }", "region: '320102' }")))).toThrow(
      /demo_accounts\.2\.region: 320102 is not within 9901/,
    )
    expect(() => loadCityConfig(tinyWith((y) => y.replace('Europe/Berlin', 'Mars/Olympus')))).toThrow(/time_zone/)
    expect(
      CityConfigSchema.safeParse({
        code: '9901',
        name: 'x',
        name_en: 'x',
        time_zone: 'UTC',
        geo: { topology: 't' },
        extra: 1,
      }).success,
    ).toBe(false)
  })

  it('takes the freshness thresholds of the header from the file, 120 s and 600 s by default', () => {
    const base = { code: '9901', name: 'x', name_en: 'x', time_zone: 'UTC', geo: { topology: 't' } }
    expect(CityConfigSchema.parse(base).freshness).toEqual({ warn_seconds: 120, alarm_seconds: 600 })
    expect(loadCityConfig(TINY).freshness).toEqual({ warn_seconds: 120, alarm_seconds: 600 })
    const given = { ...base, freshness: { warn_seconds: 30, alarm_seconds: 90 } }
    expect(CityConfigSchema.parse(given).freshness).toEqual({ warn_seconds: 30, alarm_seconds: 90 })
    const backwards = CityConfigSchema.safeParse({ ...base, freshness: { warn_seconds: 600, alarm_seconds: 60 } })
    expect(backwards.error?.issues[0]).toMatchObject({ path: ['freshness', 'alarm_seconds'] })
  })

  it("gives the city's demo accounts and the root as an alert rule's default scope", async () => {
    const users = await loadUsers({ demo: true, demoAccounts: loadCityConfig(TINY).demo_accounts })
    try {
      expect(users.lookup('leader.xuanwu')?.region).toBe('990101')
      expect(users.lookup('admin')?.region).toBe('9901')
    } finally {
      users.close()
    }
    const rule = {
      id: 'r1',
      title: { zh: '规则', en: 'Rule' },
      severity: 'info',
      query: 'SELECT 1 AS key, 1 AS region, 1 AS value',
      condition: { kind: 'threshold', op: '>=', value: 1 },
    }
    expect(alertRuleSchemaFor('9901').parse(rule).scope).toBe('9901')
    expect(alertRuleSchemaFor('9901').parse({ ...rule, scope: '990102' }).scope).toBe('990102')
  })

  it('is served to the screen before sign-in at GET /city.json', async () => {
    const res = await cityRoutes({ city: loadCity(TINY) }).request('/city.json')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ code: '9901', name: '微城市', name_en: 'Tinyburg', center: [13.4, 52.5] })
  })
})

describe("the simulator's clock is the city's", () => {
  it('reads local hours and dates in the zone, across a daylight-saving change', () => {
    const t = Date.parse('2026-11-23T16:30:00Z')
    expect(localHour(t, 'Asia/Shanghai')).toBe(0.5)
    expect(localHour(t, 'Europe/Berlin')).toBe(17.5)
    expect(localStamp(t, 'Asia/Shanghai')).toEqual({ date: '20261124', hms: '003000' })
    expect(localStamp(t, 'Europe/Berlin')).toEqual({ date: '20261123', hms: '173000' })
    // Berlin springs forward on 2026-03-29 at 02:00 CET: 08:00 that day is 06:00Z, the day before 07:00Z.
    expect(new Date(nextLocalHour(Date.parse('2026-03-28T12:00:00Z'), 8, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T06:00:00.000Z',
    )
    expect(new Date(nextLocalHour(Date.parse('2026-03-27T12:00:00Z'), 8, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-28T07:00:00.000Z',
    )
    expect(localHour(Date.parse('2026-03-29T06:00:00Z'), 'Europe/Berlin')).toBe(8)
  })

  it('runs on the tiny city: its grids, its zone in ids, busy in its office hours', () => {
    const city = simCity(loadCity(TINY))
    expect(city.timeZone).toBe('Europe/Berlin')
    const start = Date.parse('2026-11-23T00:00:00+01:00') // midnight in Berlin
    const sim = createSimulator({
      seed: 5,
      rate: 2,
      city,
      eventCatalog: loadEventCatalog(),
      hotlineCatalog: loadHotlineCatalog(),
      start,
      terminals: { communityShare: 1 },
    })
    const reported = sim.advance(start + 14 * HOUR)['grid-events'].filter((r) => r.step === 'reported')
    const grids = new Set(city.grids.map((g) => g.code))
    expect(reported.length).toBeGreaterThan(100)
    for (const r of reported) expect(grids.has(r.grid_code!)).toBe(true)
    // Ids carry the local date: every event of this Berlin day is dated 20261123.
    expect(new Set(reported.map((r) => r.event_id.slice(1, 9)))).toEqual(new Set(['20261123']))
    const inHour = (h: number) =>
      reported.filter((r) => Math.floor(localHour(Number(new Date(r.ts)), city.timeZone)) === h).length
    expect(inHour(10)).toBeGreaterThan(5 * Math.max(1, inHour(3)))
  }, 60_000)
})
