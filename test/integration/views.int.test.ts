import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, DEPRECATED_TABLES, Sandbox, VIEWS, type BoundValues } from '#api/layers/sandbox.js'
import { AlertRuleSchema } from '#core/schemas/alert.js'
import { LayerSchema } from '#core/schemas/layer.js'
import { NEW_LAYER, NEW_RULE } from '../../web/src/pages/studio/templates.js'
import { city, gridsIn, startHarness, type Harness } from '../support/harness.js'

// The views of store/migrations/035_views.sql as the interface of dashboards/: documented column
// by column in docs/layers.md, scoped by the sandbox as tables are, read by every shipped file;
// the folded views answer as the state tables folded by hand; the old names warn.

const ROOT = join(import.meta.dirname, '../..')
const now = Date.now()
const at = (region: string): BoundValues => ({ region, from: now - 86_400_000, to: now + 60_000, now })
let h: Harness
let sandbox: Sandbox

async function rows<T>(query: string): Promise<T[]> {
  return (await h.store.query({ query, format: 'JSONEachRow' })).json<T>()
}

beforeAll(async () => {
  h = await startHarness()
  sandbox = new Sandbox(h.store, DEFAULT_LIMITS, city().root.code)
  const [xw] = gridsIn('320102')
  const [qh] = gridsIn('320104')
  const ts = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString()
  const due = new Date(now - 30 * 60_000).toISOString()
  const sent = await Promise.all([
    h.send('grid-events', [
      {
        event_id: 'VW-XW',
        step: 'reported',
        ts: ts(90),
        category: 'appearance.garbage',
        grid_code: xw,
        priority: 3,
        deadline: due,
      },
      { event_id: 'VW-XW', step: 'verified', ts: ts(80), category: 'appearance.garbage', grid_code: xw },
      { event_id: 'VW-QH', step: 'reported', ts: ts(90), category: 'order.parking', grid_code: qh, priority: 1 },
      {
        event_id: 'VW-QH',
        step: 'evaluated',
        ts: ts(10),
        category: 'order.parking',
        grid_code: qh,
        priority: 1,
        evaluation: 'satisfied',
      },
    ]),
    h.send('hotline-tickets', [
      { ticket_id: 'VW-T-XW', step: 'created', ts: ts(60), category: 'traffic', channel: 'phone', grid_code: xw },
      { ticket_id: 'VW-T-QH', step: 'created', ts: ts(60), category: 'traffic', channel: 'web', grid_code: qh },
      { ticket_id: 'VW-T-QH', step: 'closed', ts: ts(5), category: 'traffic', grid_code: qh },
    ]),
    h.send('terminal-status', [
      { terminal_id: 'VW-K-XW', ts: ts(20), status: 'online', grid_code: xw, site: 'XW' },
      { terminal_id: 'VW-K-XW', ts: ts(2), status: 'fault', grid_code: xw, site: 'XW', fault_code: 'paper' },
      { terminal_id: 'VW-K-QH', ts: ts(2), status: 'online', grid_code: qh, site: 'QH' },
    ]),
  ])
  for (const r of sent) expect(r.body.rejected).toBe(0)
  await h.pipeline.flush()
})
afterAll(async () => h.close())

/** docs/layers.md, "The views": each `### \`name\`` heading and its table's column and type. */
function documented(): Map<string, [string, string][]> {
  const doc = readFileSync(join(ROOT, 'docs/layers.md'), 'utf8')
  const section = doc.slice(doc.indexOf('\n## The views\n'), doc.indexOf('\n## The SQL sandbox\n'))
  const out = new Map<string, [string, string][]>()
  for (const part of section.split('\n### ').slice(1)) {
    const name = /^`(\w+)`/.exec(part)![1]
    const cols = [...part.matchAll(/^\| `(\w+)` \| ([^|]+?) \|/gm)].map((m): [string, string] => [m[1], m[2]])
    out.set(name, cols)
  }
  return out
}

describe('the views', () => {
  it('are documented column by column in docs/layers.md, as the sandbox shows them', async () => {
    const docs = documented()
    expect([...docs.keys()].sort()).toEqual(Object.keys(VIEWS).sort())
    // LowCardinality is how a column is stored, not what it holds.
    const plain = (t: string) => t.replace(/^LowCardinality\((.*)\)$/, '$1')
    for (const view of Object.keys(VIEWS)) {
      // What a file reads: the stored view's columns, with those the sandbox computes (terminals' silence).
      const { meta } = await sandbox.run(`SELECT * FROM ${view} LIMIT 0`, at('3201'))
      expect(docs.get(view), view).toEqual(meta.map((c): [string, string] => [c.name, plain(c.type)]))
    }
    // The stored views hold every documented column the sandbox does not compute.
    const stored = await rows<{ table: string; name: string }>(
      `SELECT table, name FROM system.columns WHERE database = currentDatabase()`,
    )
    for (const [view, cols] of docs) {
      const names = stored.filter((c) => c.table === view).map((c) => c.name)
      expect(
        cols.map(([c]) => c).filter((c) => !names.includes(c)),
        view,
      ).toEqual(view === 'terminals' ? ['silent_since'] : [])
    }
  })

  it('hold no personal text, and every deprecated name points at a view', () => {
    const personal = ['reporter', 'description', 'address']
    for (const [view, cols] of documented())
      expect(
        cols.map(([c]) => c).filter((c) => personal.includes(c)),
        view,
      ).toEqual([])
    for (const [table, { use }] of Object.entries(DEPRECATED_TABLES)) {
      expect(Object.keys(VIEWS), table).toContain(use)
      expect(Object.keys(VIEWS)).not.toContain(table)
    }
  })

  it('fold each record to one row in its current state', async () => {
    const events = await sandbox.run(
      "SELECT event_id, status, closed_at IS NULL, overdue, priority, evaluation FROM events WHERE startsWith(event_id, 'VW-') ORDER BY event_id",
      at('3201'),
    )
    expect(events.data).toEqual([
      ['VW-QH', 'evaluated', 0, 0, 1, 'satisfied'],
      ['VW-XW', 'verified', 1, 1, 3, ''],
    ])
    const tickets = await sandbox.run(
      "SELECT ticket_id, status, closed_at IS NOT NULL, channel FROM tickets WHERE startsWith(ticket_id, 'VW-') ORDER BY ticket_id",
      at('3201'),
    )
    expect(tickets.data).toEqual([
      ['VW-T-QH', 'closed', 1, 'web'],
      ['VW-T-XW', 'created', 0, 'phone'],
    ])
    const terminals = await sandbox.run(
      "SELECT terminal_id, status, fault_code, district FROM terminals WHERE startsWith(terminal_id, 'VW-') ORDER BY terminal_id",
      at('3201'),
    )
    expect(terminals.data).toEqual([
      ['VW-K-QH', 'online', '', '320104'],
      ['VW-K-XW', 'fault', 'paper', '320102'],
    ])
    // Silence at the query's clock: 16 minutes after their last reports, past the default 15, both are offline.
    const later = { ...at('3201'), now: now + 14 * 60_000 }
    const silent = await sandbox.run(
      "SELECT terminal_id, status, fault_code, silent_since = last_report_at FROM terminals WHERE startsWith(terminal_id, 'VW-') ORDER BY terminal_id",
      later,
    )
    expect(silent.data).toEqual([
      ['VW-K-QH', 'offline', '', 1],
      ['VW-K-XW', 'offline', 'paper', 1],
    ])
    const heard = await sandbox.run(
      "SELECT count() FROM terminals WHERE startsWith(terminal_id, 'VW-') AND silent_since IS NULL",
      at('3201'),
    )
    expect(heard.data).toEqual([[2]])
  })

  it('answer as the tables under them, folded by hand', async () => {
    const folded = await sandbox.run(
      `SELECT event_id, anyLast(grid_code), min(reported_at), max(evaluated_at), max(deadline), max(step_rank)
       FROM event_state GROUP BY event_id ORDER BY event_id`,
      at('3201'),
    )
    const view = await sandbox.run(
      `SELECT event_id, grid_code, reported_at, closed_at, deadline,
         indexOf(['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'], status)
       FROM events ORDER BY event_id`,
      at('3201'),
    )
    expect(view.rows).toBeGreaterThan(0)
    expect(view.data).toEqual(folded.data)
    const counts = await sandbox.run(
      'SELECT depth, region, step, sum(n) FROM event_counts GROUP BY ALL ORDER BY ALL',
      at('3201'),
    )
    const rollup = await sandbox.run(
      'SELECT depth, region, step, sum(n) FROM events_rollup GROUP BY ALL ORDER BY ALL',
      at('3201'),
    )
    expect(counts.rows).toBeGreaterThan(0)
    expect(counts.data).toEqual(rollup.data)
  })

  it('are cut to the region in scope by the sandbox, as tables are', async () => {
    for (const [view, { scope }] of Object.entries(VIEWS)) {
      const all = await sandbox.run(`SELECT DISTINCT ${scope} FROM ${view}`, at('3201'))
      const xuanwu = await sandbox.run(`SELECT DISTINCT ${scope} FROM ${view}`, at('320102'))
      expect(xuanwu.rows, view).toBeGreaterThan(0)
      expect(all.rows, view).toBeGreaterThan(xuanwu.rows)
      expect(
        xuanwu.data.every(([code]) => String(code).startsWith('320102')),
        view,
      ).toBe(true)
    }
    const other = await sandbox.run("SELECT count() FROM events WHERE district = '320104'", at('320102'))
    expect(Number(other.data[0][0])).toBe(0)
  })
})

describe('deprecated names', () => {
  it('still run, and the check names the view to read instead', async () => {
    expect(await sandbox.check('SELECT count() FROM events')).toEqual([])
    const warnings = await sandbox.check(
      'SELECT e.event_id FROM event_state AS e JOIN grid_events AS g USING (event_id) JOIN events USING (event_id)',
    )
    expect(warnings).toEqual([
      'event_state is deprecated: read the view events (docs/layers.md, "The views")',
      'grid_events is deprecated: read the view event_steps (docs/layers.md, "The views")',
    ])
    // A check remembered from before (no second EXPLAIN) keeps its warning.
    for (let i = 0; i < 2; i++) {
      expect(await sandbox.check('SELECT count() FROM events_rollup')).toEqual([
        expect.stringMatching(/read the view event_counts/),
      ])
    }
  })

  it('are read by no shipped layer, alert rule or studio template', async () => {
    const files = ['layers', 'alerts'].flatMap((kind) =>
      readdirSync(join(ROOT, 'dashboards', kind))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => readFileSync(join(ROOT, 'dashboards', kind, f), 'utf8')),
    )
    expect(files.length).toBeGreaterThanOrEqual(17)
    for (const text of [...files, NEW_LAYER, NEW_RULE]) {
      const file = parse(text) as object
      const { id, sql, params } =
        'sql' in file ? LayerSchema.parse(file) : ((r) => ({ ...r, sql: r.query }))(AlertRuleSchema.parse(file))
      expect(await sandbox.check(sql, params), id).toEqual([])
    }
  })

  it('warn in the studio’s validation, which stays valid', async () => {
    const text = readFileSync(join(ROOT, 'dashboards/layers/terminal-status.yaml'), 'utf8').replace(
      /sql: \|[\s\S]*?\ndraw:/,
      'sql: |\n  SELECT terminal_id, anyLast(site) AS site, anyLast(lon) AS lon, anyLast(lat) AS lat\n  FROM terminal_state GROUP BY terminal_id\ndraw:',
    )
    const res = await h.app.request('/api/v1/studio/layers/validate', {
      method: 'POST',
      headers: { authorization: `Bearer ${await h.login('analyst')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      errors: unknown[]
      warnings: { line: number; field: string; message: string }[]
    }
    expect(body.errors).toEqual([])
    const sqlLine = text.split('\n').findIndex((l) => l.startsWith('sql:')) + 1
    expect(body.warnings).toEqual([
      {
        file: 'layer.yaml',
        line: sqlLine,
        field: 'sql',
        message: expect.stringMatching(/terminal_state is deprecated: read the view terminals/),
      },
    ])
  })
})
