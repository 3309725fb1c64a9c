import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, Sandbox, SandboxError, type BoundValues } from '#api/layers/sandbox.js'
import { city, gridsIn, startHarness, type Harness } from '../support/harness.js'

// The SQL sandbox refuses what a layer must not do: write, reach system or other tables, use table
// functions, read another region, override its limits or run away.

let h: Harness
let sandbox: Sandbox
const now = Date.now()
const at = (region: string): BoundValues => ({ region, from: now - 86_400_000, to: now + 60_000, now })

async function refused(sql: string, region = '320102', sb = sandbox): Promise<SandboxError> {
  try {
    await sb.run(sql, at(region))
  } catch (e) {
    expect(e).toBeInstanceOf(SandboxError)
    return e as SandboxError
  }
  throw new Error(`not refused: ${sql}`)
}

beforeAll(async () => {
  h = await startHarness()
  sandbox = new Sandbox(h.store, DEFAULT_LIMITS, city().root.code)
  const [xuanwu] = gridsIn('320102')
  const [qinhuai] = gridsIn('320104')
  const ts = new Date(now - 3_600_000).toISOString()
  const r = await h.send('grid-events', [
    { event_id: 'SBX-XW', step: 'reported', ts, category: 'appearance.garbage', grid_code: xuanwu },
    { event_id: 'SBX-QH', step: 'reported', ts, category: 'appearance.garbage', grid_code: qinhuai },
  ])
  expect(r.body.accepted).toBe(2)
  await h.pipeline.flush()
})
afterAll(async () => h.close())

describe('the SQL sandbox', () => {
  it('runs a read of allow-listed tables with bound parameters', async () => {
    const r = await sandbox.run(
      'SELECT event_id FROM grid_events WHERE ts >= {from:DateTime64(3)} AND startsWith(grid_code, {region:String})',
      at('3201'),
    )
    expect(r.data.map((x) => x[0]).sort()).toEqual(['SBX-QH', 'SBX-XW'])
  })

  it('refuses writes and DDL, and never runs a second statement', async () => {
    expect((await refused("INSERT INTO regions (code) VALUES ('x')")).reason).toBe('not_select')
    expect((await refused('DROP TABLE grid_events')).reason).toBe('not_select')
    expect((await refused('ALTER TABLE grid_events DELETE WHERE 1')).reason).toBe('not_select')
    expect((await refused('SELECT 1; DROP TABLE regions')).reason).toBe('syntax')
    expect((await refused("SELECT 1 FROM regions WHERE name = ';'")).reason).toBe('syntax')
    const rs = await h.store.query({
      query:
        "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name IN ('regions', 'grid_events')",
      format: 'JSONEachRow',
    })
    const [{ n }] = await rs.json<{ n: string | number }>()
    expect(Number(n)).toBe(2)
  })

  it('refuses system tables and tables that are not allow-listed, at any depth', async () => {
    expect((await refused('SELECT name FROM system.tables')).reason).toBe('table')
    expect(
      (await refused('SELECT event_id FROM grid_events WHERE category IN (SELECT name FROM system.users)')).reason,
    ).toBe('table')
    expect((await refused('SELECT version FROM schema_migrations')).reason).toBe('table')
    expect((await refused('SELECT * FROM alerts')).reason).toBe('table')
    expect((await refused('WITH x AS (SELECT * FROM studio_audit) SELECT count() FROM x')).reason).toBe('table')
    expect((await refused('SELECT * FROM ioc.grid_events')).reason).toBe('table')
  })

  it('refuses table functions and functions that reach outside', async () => {
    for (const sql of [
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM url('http://127.0.0.1/', 'LineAsString')",
      'SELECT * FROM numbers(10)',
      "SELECT * FROM remote('127.0.0.1', system.one)",
    ]) {
      expect((await refused(sql)).reason, sql).toBe('function')
    }
    expect((await refused("SELECT file('/etc/passwd') AS x FROM regions")).reason).toBe('function')
    expect((await refused("SELECT dictGet('d', 'a', 1) AS x FROM regions")).reason).toBe('function')
  })

  it('refuses SETTINGS and FORMAT of its own', async () => {
    expect((await refused('SELECT 1 FROM regions SETTINGS readonly = 0')).reason).toBe('settings')
    expect((await refused('SELECT 1 FROM regions FORMAT JSON')).reason).toBe('settings')
  })

  it('cannot read another region: every table is cut to the region in scope', async () => {
    const all = await sandbox.run(
      "SELECT event_id FROM grid_events WHERE startsWith(grid_code, '320104')",
      at('320102'),
    )
    expect(all.rows).toBe(0)
    const unfiltered = await sandbox.run('SELECT event_id FROM grid_events', at('320102'))
    expect(unfiltered.data.map((x) => x[0])).toEqual(['SBX-XW'])
    const viaCte = await sandbox.run(
      'WITH x AS (SELECT event_id FROM grid_events) SELECT count() AS n FROM x',
      at('320102'),
    )
    expect(Number(viaCte.data[0][0])).toBe(1)
    const sub = await sandbox.run('SELECT (SELECT count() FROM grid_events) AS n FROM regions LIMIT 1', at('320102'))
    expect(Number(sub.data[0][0])).toBe(1)
    // A CTE of the same name, or a recursive one, still reads the scoped rows.
    for (const sql of [
      'WITH grid_events AS (SELECT * FROM grid_events) SELECT count() AS n FROM grid_events',
      'WITH RECURSIVE grid_events AS (SELECT * FROM grid_events) SELECT count() AS n FROM grid_events',
    ]) {
      const r = await sandbox.run(sql, at('320102'))
      expect(Number(r.data[0][0]), sql).toBe(1)
    }
    const regions = await sandbox.run('SELECT code FROM regions', at('320102'))
    expect(regions.data.every((x) => String(x[0]).startsWith('320102'))).toBe(true)
  })

  it('stops a runaway query and cuts a large result', async () => {
    const strict = new Sandbox(
      h.store,
      { ...DEFAULT_LIMITS, maxExecutionSeconds: 1, maxResultRows: 100, maxRowsToRead: 1e12 },
      city().root.code,
    )
    const t0 = Date.now()
    const e = await refused(
      'SELECT count() FROM regions AS a, regions AS b, regions AS c WHERE a.lon + b.lon > c.lat',
      '3201',
      strict,
    )
    expect(e.reason).toBe('limit')
    expect(Date.now() - t0).toBeLessThan(10_000)
    // The session is clean after the timeout (chDB would hand the next query the failed one's output).
    const big = await strict.run('SELECT code FROM regions', at('3201'))
    expect(big.truncated).toBe(true)
    expect(big.rows).toBe(100)
  })

  it('says which parameter is missing', async () => {
    expect((await refused('SELECT {days:UInt32} AS d FROM regions')).reason).toBe('params')
  })
})
