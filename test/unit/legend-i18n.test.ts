import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseYamlFile } from '#api/layers/files.js'
import { AlertRuleSchema } from '#core/schemas/alert.js'
import { LayerSchema, LegendSchema, type LayerLegend, type LegendText } from '#core/schemas/layer.js'
import { i18n, loc } from '../../web/src/i18n/index.js'

// The English screen shows the legends and alert titles the files give: each text with words needs
// both languages, or the English screen shows Chinese.

const ROOT = join(import.meta.dirname, '../..')
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/
/** Text a reader must read (letters of any script), as opposed to '0%' or '≥20%'. */
const WORDS = /[\p{L}]/u

function shipped<T>(dir: string, schema: Parameters<typeof parseYamlFile>[2]): [string, T][] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const r = parseYamlFile(f, readFileSync(join(ROOT, dir, f), 'utf8'), schema)
      if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.errors)}`)
      return [f, r.value as T]
    })
}

function texts(legend: LayerLegend): LegendText[] {
  return legend.kind === 'gradient'
    ? [...legend.labels, ...(legend.unit === undefined ? [] : [legend.unit])]
    : legend.items.map((i) => i.label)
}

/** What is wrong with one text: a single string with words, or a pair whose English is Chinese. */
function problem(t: LegendText): string | null {
  if (typeof t === 'string') return WORDS.test(t) ? `"${t}" has no English` : null
  if (CJK.test(t.en)) return `"${t.en}" is not English`
  if (WORDS.test(t.zh) !== WORDS.test(t.en)) return `"${t.zh}" / "${t.en}" say different things`
  return null
}

describe('shipped files in both languages', () => {
  const layers = shipped<{ id: string; legend: LayerLegend }>('dashboards/layers', LayerSchema)
  const rules = shipped<{ id: string; title: { zh: string; en: string } }>('dashboards/alerts', AlertRuleSchema)

  it('reads every layer and rule', () => {
    expect(layers.length).toBeGreaterThanOrEqual(16)
    expect(rules.length).toBeGreaterThanOrEqual(6)
  })

  it('every legend label and unit with words has Chinese and English', () => {
    const found = layers.flatMap(([f, l]) =>
      texts(l.legend)
        .map(problem)
        .filter((p) => p !== null)
        .map((p) => `${f}: ${p}`),
    )
    expect(found).toEqual([])
  })

  it('every alert rule has a Chinese and an English title', () => {
    for (const [f, r] of rules) {
      expect(CJK.test(r.title.zh), f).toBe(true)
      expect(r.title.en, f).toMatch(/[A-Za-z]/)
      expect(CJK.test(r.title.en), f).toBe(false)
    }
  })
})

describe('legend text: a pair or, as files had it, a single string', () => {
  const categories = (label: unknown) =>
    LegendSchema.safeParse({ kind: 'categories', items: [{ label, color: '#00e676' }] })
  const gradient = (labels: unknown, unit?: unknown) =>
    LegendSchema.safeParse({ kind: 'gradient', colors: ['#000000', '#ffffff'], labels, unit })

  it('takes the old single strings', () => {
    expect(categories('在线').success).toBe(true)
    expect(gradient(['稀', '密'], '件/格')).toMatchObject({
      success: true,
      data: { labels: ['稀', '密'], unit: '件/格' },
    })
  })

  it('takes {zh, en} pairs, mixed with strings', () => {
    expect(categories({ zh: '在线', en: 'Online' })).toMatchObject({
      success: true,
      data: { items: [{ label: { zh: '在线', en: 'Online' } }] },
    })
    expect(
      gradient(['0%', { zh: '100%以上', en: 'over 100%' }], { zh: '满意率', en: 'satisfaction rate' }).success,
    ).toBe(true)
  })

  it('refuses a pair without its English, with another language, or an empty label', () => {
    expect(categories({ zh: '在线' }).success).toBe(false)
    expect(categories({ zh: '在线', en: 'Online', fr: 'En ligne' }).success).toBe(false)
    expect(categories('').success).toBe(false)
    expect(categories({ zh: '', en: 'Online' }).success).toBe(false)
    expect(gradient(['稀', '密'], { zh: '一个很长很长很长很长很长很长很长很长的单位名', en: 'unit' }).success).toBe(
      false,
    )
  })
})

describe('loc() on the screen', () => {
  afterEach(() => {
    i18n.global.locale.value = 'zh-CN'
  })

  it('shows a pair in the screen’s language and a single string as is', () => {
    const pair = { zh: '在线', en: 'Online' }
    expect([loc(pair), loc('0%'), loc('在线'), loc(undefined)]).toEqual(['在线', '0%', '在线', ''])
    i18n.global.locale.value = 'en'
    expect([loc(pair), loc('0%'), loc('在线'), loc(null)]).toEqual(['Online', '0%', '在线', ''])
  })
})
