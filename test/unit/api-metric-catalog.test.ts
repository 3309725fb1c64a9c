import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadMetricCatalog } from '#api/metric-catalog.js'
import { METRICS } from '#core/schemas/api.js'

const dir = mkdtempSync(join(tmpdir(), 'ioc-metrics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function load(yaml: string) {
  const file = join(dir, 'metrics.yaml')
  writeFileSync(file, yaml)
  return () => loadMetricCatalog(file)
}
const head = 'kind: metric-catalog\nschemaVersion: 1\nmetrics:\n'
const metric = (extra: string) =>
  `${head}  - id: events.x\n    title: { zh: 甲, en: X }\n    unit: count\n    description: d\n    breakdowns: [child]\n${extra}`

describe('the metric catalogue', () => {
  it('ships every metric id of the contract, each with both titles', () => {
    const cat = loadMetricCatalog()
    for (const id of METRICS) expect(cat.get(id), id).toBeDefined()
    for (const m of cat.list()) expect(m.title.zh && m.title.en, m.id).toBeTruthy()
  })

  it('accepts a new metric made of existing names', () => {
    const cat = load(metric('    kind: cohort\n    source: events\n    where: overdue\n    measure: count\n'))()
    expect(cat.get('events.x')).toMatchObject({ kind: 'cohort', where: 'overdue', series: true })
  })

  it('names the entry and the problem of a bad one', () => {
    expect(load(metric('    kind: cohort\n    source: events\n    where: sideways\n    measure: count\n'))).toThrow(
      /events\.x: no predicate sideways/,
    )
    expect(load(metric('    kind: cohort\n    source: events\n    measure: rate\n'))).toThrow(
      /a rate needs a numerator/,
    )
    expect(load(metric('    kind: flow\n    source: tickets\n    measure: count\n'))).toThrow(
      /must start with its source tickets/,
    )
    expect(
      load(
        metric(
          '    kind: cohort\n    source: events\n    measure: avg_minutes\n    duration: { from: reported_at, to: lunch }\n',
        ),
      ),
    ).toThrow(/no time lunch/)
    expect(load(`${head}  - id: events.x\n    kind: sql\n`)).toThrow(/metrics\.0/)
  })
})
