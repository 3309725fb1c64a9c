import { describe, expect, it } from 'vitest'
import { catalogNames } from '../../core/catalog.js'
import type { Overview, Point } from '../../core/schemas/api.js'
import { KPI_METRICS, ScreenSchema } from '../../core/schemas/screen.js'
import { loadEventCatalog, loadHotlineCatalog } from '../../platform/config/catalog.js'
import en from '../../web/src/i18n/locales/en.js'
import zhCN from '../../web/src/i18n/locales/zh-CN.js'
import { computedAt, oldest } from '../../web/src/composables/useResource.js'
import { compareKey, KPI_DEFS, kpiDelta, type Figures } from '../../web/src/panels/kpi/kpi-metrics.js'
import { drawn, split, total } from '../../web/src/panels/trend/series.js'
import { lookupName } from '../../web/src/stores/catalog.js'
import { metricDefinition, metricTitle, type MetricEntry } from '../../web/src/stores/metrics.js'
import { rangeKey } from '../../web/src/util/range.js'

/** The time store's modes (its module needs a browser's router). */
const RANGE_MODES = ['today', '24h', '7d', '30d', 'custom'] as const

/** An overview with every figure given, the rest zero. */
function figures(p: {
  events?: Partial<Overview['events']>
  tickets?: Partial<Overview['tickets']>
  terminals?: Partial<Overview['terminals']>
}): Figures {
  return {
    events: { reported: 0, open: 0, closed: 0, overdue: 0, closure_rate: 0, avg_handle_minutes: 0, ...p.events },
    tickets: {
      created: 0,
      open: 0,
      closed: 0,
      satisfaction_rate: 0,
      avg_response_minutes: 0,
      rated: 0,
      replied: 0,
      ...p.tickets,
    },
    terminals: { total: 0, online: 0, offline: 0, fault: 0, ...p.terminals },
  }
}

describe('KPI cards: a change only where an honest one exists', () => {
  const reported = KPI_DEFS['events.reported']
  const open = KPI_DEFS['events.open']
  const rate = KPI_DEFS['events.closure_rate']

  it('shows none without a previous answer (a socket snapshot before any REST answer)', () => {
    expect(kpiDelta(reported, figures({ events: { reported: 10 } }), null)).toBeNull()
    expect(kpiDelta(reported, figures({ events: { reported: 10 } }), undefined)).toBeNull()
  })

  it('shows none against a count of 0: there is no percent change from nothing', () => {
    expect(kpiDelta(reported, figures({ events: { reported: 10 } }), figures({}))).toBeNull()
  })

  it('shows none for a ratio whose base is empty, now or then', () => {
    const now = figures({ events: { reported: 10, closure_rate: 0.5 } })
    expect(kpiDelta(rate, now, figures({ events: { reported: 0, closure_rate: 0 } }))).toBeNull()
    expect(kpiDelta(rate, figures({}), now)).toBeNull()
    const nobodyRated = figures({ tickets: { rated: 0, satisfaction_rate: 0 } })
    const rated = figures({ tickets: { rated: 4, satisfaction_rate: 0.75 } })
    expect(kpiDelta(KPI_DEFS['tickets.satisfaction_rate'], rated, nobodyRated)).toBeNull()
    const noTerminals = figures({})
    expect(
      kpiDelta(KPI_DEFS['terminals.online_rate'], figures({ terminals: { total: 2, online: 1 } }), noTerminals),
    ).toBeNull()
  })

  it('counts in percent, rates in points, and says whether the change is good news', () => {
    const before = figures({ events: { reported: 80, open: 40, closure_rate: 0.5 } })
    const now = figures({ events: { reported: 100, open: 30, closure_rate: 0.62 } })
    expect(kpiDelta(reported, now, before)).toEqual({ text: '+25.0%', good: null, before: 80 })
    expect(kpiDelta(open, now, before)).toEqual({ text: '−25.0%', good: true, before: 40 })
    expect(kpiDelta(rate, now, before)).toEqual({ text: '+12.0pt', good: true, before: 0.5 })
    expect(kpiDelta(open, before, before)).toEqual({ text: '+0.0%', good: null, before: 40 })
  })

  it('gives the difference, not a percentage, against a small count', () => {
    const before = figures({ tickets: { closed: 1 }, events: { open: 9 } })
    const now = figures({ tickets: { closed: 0 }, events: { open: 12 } })
    expect(kpiDelta(KPI_DEFS['tickets.closed'], now, before)).toEqual({ text: '−1', good: false, before: 1 })
    expect(kpiDelta(open, now, before)).toEqual({ text: '+3', good: false, before: 9 })
  })

  it('compares terminals (a stock) too, now that previous judges them at the same instant', () => {
    const before = figures({ terminals: { total: 10, online: 8, fault: 1 } })
    const now = figures({ terminals: { total: 10, online: 9, fault: 2 } })
    expect(kpiDelta(KPI_DEFS['terminals.fault'], now, before)).toEqual({ text: '+1', good: false, before: 1 })
    expect(kpiDelta(KPI_DEFS['terminals.online_rate'], now, before)).toEqual({
      text: '+10.0pt',
      good: true,
      before: 0.8,
    })
  })

  it('says what it compares with: the same time yesterday for today, the previous period otherwise', () => {
    expect(compareKey('today')).toBe('kpi.vsYesterday')
    for (const m of ['24h', '7d', '30d', 'custom']) expect(compareKey(m)).toBe('kpi.vsPrev')
    expect(zhCN.kpi.vsYesterday).toBe('较昨日同时段')
    expect(en.kpi.vsYesterday).toBe('vs same time yesterday')
  })
})

describe('KPI cards: one measure, one label', () => {
  it('maps each card to the catalogue metric it shows, no two cards to the same', () => {
    const ids = KPI_METRICS.map((m) => KPI_DEFS[m].catalog)
    expect(new Set(ids).size).toBe(ids.length)
    expect(KPI_DEFS['events.closed'].catalog).toBe('events.closed_of_reported')
    expect(KPI_DEFS['tickets.closed'].catalog).toBe('tickets.closed_of_created')
    expect(KPI_DEFS['terminals.online_rate'].catalog).toBe('terminals.online_rate')
  })

  it('reads online / total for terminals.online_rate, and none without terminals', () => {
    const def = KPI_DEFS['terminals.online_rate']
    expect(def.value(figures({ terminals: { total: 8, online: 6 } }))).toBe(0.75)
    expect(def.value(figures({}))).toBeNull()
  })

  it('reads an older screen file: terminals.availability is the online_rate card', () => {
    const file = {
      id: 'old',
      title: { zh: '旧', en: 'Old' },
      panels: [{ type: 'kpi', slot: 'top', metrics: ['terminals.online', 'terminals.availability'] }],
    }
    const s = ScreenSchema.parse(file)
    expect(s.panels[0]!.metrics).toEqual(['terminals.online', 'terminals.online_rate'])
    const bad = ScreenSchema.safeParse({ ...file, panels: [{ ...file.panels[0], metrics: ['terminals.nope'] }] })
    expect(bad.success).toBe(false)
  })

  it('takes the title and definition from the catalogue, in the language asked', () => {
    const m: MetricEntry = {
      id: 'events.open',
      title: { zh: '未办结事件', en: 'Open events' },
      unit: 'count',
      kind: 'stock',
      compute: 'stock',
      description: 'Events not closed',
      definition: { zh: '尚未办结的事件', en: 'Events not closed yet' },
      breakdowns: [],
      series: true,
    }
    expect(metricTitle(m, 'zh')).toBe('未办结事件')
    expect(metricDefinition(m, 'en')).toBe('Events not closed yet')
    expect(metricDefinition(m, 'zh')).toBe('尚未办结的事件')
    // A server without `definition` yet: its English description, rather than nothing.
    const older: MetricEntry = { ...m, definition: undefined }
    expect(metricDefinition(older, 'zh')).toBe('Events not closed')
    expect(metricTitle(undefined, 'zh')).toBeNull()
    expect(metricDefinition(undefined, 'en')).toBeNull()
  })
})

describe('trend: no invented zeros', () => {
  const now = Date.parse('2026-12-07T06:30:00Z')
  const pts: Point[] = [
    { t: '2026-12-07T04:00:00Z', v: 3 },
    { t: '2026-12-07T05:00:00Z', v: 0 },
    { t: '2026-12-07T06:00:00Z', v: 2, partial: true },
    { t: '2026-12-07T07:00:00Z', v: null },
    { t: '2026-12-07T08:00:00Z', v: null },
  ]

  it('draws null as a gap and marks the running bucket', () => {
    const d = drawn(pts, now)
    expect(d.values).toEqual([3, 0, 2, null, null])
    expect(d.partial).toBe(2)
    expect(split(d)).toEqual({ solid: [3, 0, null, null, null], running: [null, 0, 2, null, null] })
  })

  it('does not draw a bucket after now, even when an older server says 0', () => {
    const older: Point[] = pts.map((p) => ({ t: p.t, v: p.v ?? 0 }))
    const d = drawn(older, now)
    expect(d.values).toEqual([3, 0, 2, null, null])
    expect(d.partial).toBe(-1)
    expect(split(d).solid).toEqual(d.values)
  })

  it('totals what has happened, and nothing when nothing is known', () => {
    expect(total(pts)).toBe(5)
    expect(total([{ t: pts[0]!.t, v: null }])).toBeNull()
    expect(total([])).toBeNull()
  })
})

describe('freshness: when the numbers were computed', () => {
  it("takes the answer's computed_at, the oldest of several, none when one does not say", () => {
    expect(computedAt({ computed_at: '2026-12-07T06:00:00Z' })).toBe(Date.parse('2026-12-07T06:00:00Z'))
    expect(computedAt([{ computed_at: '2026-12-07T06:00:00Z' }, { computed_at: '2026-12-07T05:00:00Z' }])).toBe(
      Date.parse('2026-12-07T05:00:00Z'),
    )
    expect(computedAt([{ computed_at: '2026-12-07T06:00:00Z' }, { points: [] }])).toBeNull()
    expect(computedAt({ computed_at: 'not a time' })).toBeNull()
    expect(oldest(3, 1, 2)).toBe(1)
    expect(oldest(3, null)).toBeNull()
  })
})

describe('words follow the range and the language', () => {
  it('names every range in both languages, and 今日 / today only for today', () => {
    for (const m of RANGE_MODES) {
      const [group, key] = rangeKey(m).split('.') as ['range', keyof typeof zhCN.range]
      expect(group).toBe('range')
      expect(zhCN.range[key], m).toBeTruthy()
      expect(en.range[key], m).toBeTruthy()
      if (m !== 'today') expect(`${zhCN.range[key]} ${en.range[key]}`).not.toMatch(/今日|today/i)
    }
  })

  it('has no 今日 / today left in a title that the range decides', () => {
    const titles = [
      zhCN.hotline.created,
      zhCN.hotline.empty,
      zhCN.ranking.reported,
      zhCN.ranking.empty,
      zhCN.categories.empty,
      zhCN.categories.today,
      zhCN.map.hoverReported,
      en.hotline.created,
      en.ranking.reported,
      en.categories.today,
      en.map.hoverReported,
    ]
    for (const m of titles) {
      expect(m).toContain('{range}')
      expect(m).not.toMatch(/今日|today/i)
    }
  })

  it('names catalogue ids in English from the catalogue files, Chinese as before', () => {
    const names = catalogNames(loadEventCatalog(), loadHotlineCatalog())
    const body = {
      events: Object.fromEntries(names.events),
      tickets: Object.fromEntries(names.tickets),
      en: { events: Object.fromEntries(names.en.events), tickets: Object.fromEntries(names.en.tickets) },
    }
    const [id, zhName] = [...names.events.entries()].find(([k]) => k.includes('.'))!
    const enName = names.en.events.get(id)!
    expect(enName).toBeTruthy()
    expect(enName).not.toMatch(/[\u3400-\u9fff]/)
    expect(lookupName(body, 'events', id, 'zh')).toBe(zhName)
    expect(lookupName(body, 'events', id, 'en')).toBe(enName)
    // A matter the catalogue does not know is named by its class.
    const cls = id.split('.')[0]!
    expect(lookupName(body, 'events', `${cls}.newer_than_the_files`, 'en')).toBe(names.en.events.get(cls))
    expect(lookupName(body, 'events', 'nothing.known', 'en')).toBeNull()
    // An older server sends no English: the Chinese name rather than an id.
    expect(lookupName({ events: body.events, tickets: body.tickets }, 'events', id, 'en')).toBe(zhName)
    // Every channel has an English name.
    for (const [k] of names.tickets) expect(names.en.tickets.get(k), k).toBeTruthy()
  })
})

describe('silent terminals: since when', () => {
  it('gives the time on the same city day, the date before it', async () => {
    const { formatClock, setCityTimeZone } = await import('../../web/src/util/time.js')
    setCityTimeZone('Asia/Shanghai')
    const now = Date.parse('2026-12-07T06:30:00Z') // 14:30 in Shanghai
    expect(formatClock('2026-12-07T05:02:00Z', now)).toBe('13:02')
    expect(formatClock('2026-12-06T15:40:00Z', now)).toBe('12-06 23:40')
    expect(formatClock('2026-12-06T15:40:00Z', now, true)).toBe('12-06')
    expect(formatClock('not a time', now)).toBe('--:--')
  })
})

describe('KPI cards: what they compare with', () => {
  it("keeps the api's previous through the socket's snapshots, and drops it with the scope or range", async () => {
    const { keepPrevious } = await import('../../web/src/panels/kpi/kpi-metrics.js')
    const body = { region: '3201', from: 'a', to: 'b', ...figures({ events: { reported: 5 } }) }
    const previous = { ...body, at: '2026-12-06T06:30:00Z' }
    const rest = { ...body, previous }
    expect(keepPrevious(null, rest)).toBe(previous)
    expect(keepPrevious(previous, body)).toBe(previous) // a socket snapshot has none
    expect(keepPrevious(previous, null)).toBeNull()
    expect(keepPrevious(null, body)).toBeNull()
  })
})
