import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadMetricCatalog } from '#api/metric-catalog.js'
import { METRICS } from '#core/schemas/api.js'
import { MetricCatalogSchema, migrateMetricCatalog } from '#core/schemas/metrics.js'

const dir = mkdtempSync(join(tmpdir(), 'ioc-metrics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function load(yaml: string) {
  const file = join(dir, 'metrics.yaml')
  writeFileSync(file, yaml)
  return () => loadMetricCatalog(file)
}
const head = 'kind: metric-catalog\nschemaVersion: 2\nmetrics:\n'
const metric = (extra: string) =>
  `${head}  - id: events.x\n    title: { zh: 甲, en: X }\n    unit: count\n    definition: { zh: 定义, en: d }\n    breakdowns: [child]\n${extra}`

describe('the metric catalogue', () => {
  it('ships every metric id of the contract, each with both titles', () => {
    const cat = loadMetricCatalog()
    for (const id of METRICS) expect(cat.get(id), id).toBeDefined()
    for (const m of cat.list()) expect(m.title.zh && m.title.en, m.id).toBeTruthy()
  })

  it('accepts a new metric made of existing names', () => {
    const cat = load(
      metric('    kind: flow\n    compute: cohort\n    source: events\n    where: overdue\n    measure: count\n'),
    )()
    expect(cat.get('events.x')).toMatchObject({ kind: 'flow', compute: 'cohort', where: 'overdue', series: true })
  })

  it('names the entry and the problem of a bad one', () => {
    expect(
      load(
        metric('    kind: flow\n    compute: cohort\n    source: events\n    where: sideways\n    measure: count\n'),
      ),
    ).toThrow(/events\.x: no predicate sideways/)
    expect(load(metric('    kind: flow\n    compute: cohort\n    source: events\n    measure: rate\n'))).toThrow(
      /a rate needs a numerator/,
    )
    expect(load(metric('    kind: flow\n    compute: flow\n    source: tickets\n    measure: count\n'))).toThrow(
      /must start with its source tickets/,
    )
    expect(
      load(
        metric(
          '    kind: flow\n    compute: cohort\n    source: events\n    measure: avg_minutes\n    duration: { from: reported_at, to: lunch }\n',
        ),
      ),
    ).toThrow(/no time lunch/)
    expect(load(`${head}  - id: events.x\n    kind: flow\n    compute: sql\n`)).toThrow(/metrics\.0/)
  })

  it('classifies every shipped metric as a flow or a stock, with a definition in both languages', () => {
    const cat = loadMetricCatalog()
    const stocks = cat.defs.filter((d) => d.kind === 'stock').map((d) => d.id)
    expect(stocks.sort()).toEqual([
      'events.open',
      'events.overdue',
      'terminals.fault',
      'terminals.offline',
      'terminals.online',
      'terminals.online_rate',
      'terminals.total',
      'tickets.open',
    ])
    for (const m of cat.list()) {
      expect(m.definition.zh, m.id).toMatch(/[\u4e00-\u9fff]/)
      expect(m.description, m.id).toBe(m.definition.en)
    }
    // One measure, one id: closed in the range and closed among those reported are two metrics, titled apart.
    expect(cat.get('events.closed')!.title.zh).not.toBe(cat.get('events.closed_of_reported')!.title.zh)
    expect(cat.get('terminals.online_rate')).toMatchObject({ kind: 'stock', compute: 'latest', measure: 'share' })
  })
})

describe('a schemaVersion 1 catalogue', () => {
  const v1 = {
    kind: 'metric-catalog',
    schemaVersion: 1,
    metrics: [
      {
        id: 'events.a',
        title: { zh: '甲', en: 'A' },
        unit: 'count',
        kind: 'flow',
        source: 'events',
        steps: ['reported'],
        measure: 'count',
        breakdowns: [],
        description: 'a',
      },
      {
        id: 'events.b',
        title: { zh: '乙', en: 'B' },
        unit: 'ratio',
        kind: 'cohort',
        source: 'events',
        measure: 'rate',
        numerator: 'closed',
        breakdowns: [],
        description: 'b',
      },
      {
        id: 'events.c',
        title: { zh: '丙', en: 'C' },
        unit: 'count',
        kind: 'stock',
        source: 'events',
        where: 'open',
        breakdowns: [],
        description: 'c',
      },
      {
        id: 'terminals.d',
        title: { zh: '丁', en: 'D' },
        unit: 'count',
        kind: 'latest',
        source: 'terminals',
        statuses: [],
        breakdowns: [],
        description: 'd',
      },
      {
        id: 'terminals.e',
        title: { zh: '戊', en: 'E' },
        unit: 'ratio',
        kind: 'runs',
        source: 'terminals',
        measure: 'availability',
        breakdowns: [],
        description: 'e',
      },
    ],
  }

  it('is migrated: the old kind becomes compute, states are stocks, the description the definition', () => {
    const got = MetricCatalogSchema.parse(migrateMetricCatalog(v1))
    expect(got.schemaVersion).toBe(2)
    expect(got.metrics.map((m) => [m.id, m.kind, m.compute])).toEqual([
      ['events.a', 'flow', 'flow'],
      ['events.b', 'flow', 'cohort'],
      ['events.c', 'stock', 'stock'],
      ['terminals.d', 'stock', 'latest'],
      ['terminals.e', 'flow', 'runs'],
    ])
    expect(got.metrics[1].definition).toEqual({ zh: 'b', en: 'b' })
    expect(got.metrics[0]).not.toHaveProperty('description')
  })

  it('loads from a file, and a current file passes through unchanged', () => {
    const yaml = `kind: metric-catalog\nschemaVersion: 1\nmetrics:\n  - id: events.x\n    title: { zh: 甲, en: X }\n    unit: count\n    kind: stock\n    source: events\n    where: overdue\n    description: overdue ones\n    breakdowns: [child]\n`
    const cat = load(yaml)()
    expect(cat.list()[0]).toMatchObject({ kind: 'stock', compute: 'stock', description: 'overdue ones' })
    const current = { kind: 'metric-catalog', schemaVersion: 2, metrics: [] }
    expect(migrateMetricCatalog(current)).toBe(current)
  })
})
