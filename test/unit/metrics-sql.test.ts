import { describe, expect, it } from 'vitest'
import type { BreakdownBy } from '#core/schemas/api.js'
import { loadMetricCatalog } from '#api/metric-catalog.js'
import { metricSql, type Grouping } from '#api/queries/metrics.js'
import { placeholders } from '#store/bind.js'
import { DomainError } from '#store/errors.js'

/**
 * The statement and values of every metric of the catalogue, for each grouping it allows: a change
 * to the SQL a metric runs shows here as a snapshot diff to review.
 */

const catalog = loadMetricCatalog()
const scope = {
  region: '320102',
  from: Date.parse('2026-11-20T00:00:00+08:00'),
  to: Date.parse('2026-11-21T00:00:00+08:00'),
  now: Date.parse('2026-11-21T02:00:00+08:00'),
  silenceMs: 15 * 60_000,
}
const TZ = 'Asia/Shanghai'

function groupings(breakdowns: readonly BreakdownBy[], series: boolean): Array<[string, Grouping]> {
  const out: Array<[string, Grouping]> = [['total', { kind: 'total' }]]
  if (series) {
    out.push(
      ['series 1h', { kind: 'series', interval: '1h', tz: TZ }],
      ['series 1d', { kind: 'series', interval: '1d', tz: TZ }],
    )
  }
  for (const by of breakdowns) out.push([`by ${by}`, { kind: 'by', by }])
  return out
}

describe('metric SQL', () => {
  const kinds = new Set(catalog.defs.map((d) => d.kind))
  it('the catalogue has every kind', () => {
    expect([...kinds].sort()).toEqual(['cohort', 'flow', 'latest', 'runs', 'stock'])
  })

  for (const def of catalog.defs) {
    for (const [name, g] of groupings(def.breakdowns, def.series)) {
      if (name === 'total' && def.breakdowns.includes('step') && !def.series) continue
      it(`${def.id} ${name}`, () => {
        const { query, query_params } = metricSql(def, scope, g).toQuery()
        // Every value is bound, each exactly once, and none is written into the statement.
        expect(placeholders(query).map((p) => p.name)).toEqual(Object.keys(query_params))
        expect(query).not.toContain(scope.region)
        expect({ query: query.replace(/\s+/g, ' ').trim(), query_params }).toMatchSnapshot()
      })
    }
  }

  it('refuses what a metric cannot answer with a domain error, not an HTTP one', () => {
    const def = catalog.get('events.step_reached')!
    const series: Grouping = { kind: 'series', interval: '1h', tz: TZ }
    expect(() => metricSql(def, scope, series)).toThrow(DomainError)
    expect(() => metricSql(def, scope, series)).toThrow(/per-step metric with no timeseries/)
    const reported = catalog.get('events.reported')!
    expect(() => metricSql(reported, scope, { kind: 'by', by: 'channel' })).toThrow(/has no breakdown by channel/)
    expect(() => metricSql(reported, { ...scope, region: 'x' }, { kind: 'total' })).toThrow(/is not a region code/)
    const grid = '320102002001001'
    try {
      metricSql(reported, { ...scope, region: grid }, { kind: 'by', by: 'child' })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError)
      expect((e as DomainError).details).toEqual({ parameter: 'by' })
    }
  })
})
