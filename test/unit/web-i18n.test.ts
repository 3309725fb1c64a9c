import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { i18n } from '../../web/src/i18n/index.js'
import en from '../../web/src/i18n/locales/en.js'
import zhCN from '../../web/src/i18n/locales/zh-CN.js'
import { formatDuration, formatHour, setCityTimeZone } from '../../web/src/util/time.js'

const SRC = join(import.meta.dirname, '../../web/src')
const LOCALES = join(SRC, 'i18n/locales')

/** `a.b.c` → message, for every leaf of a message tree. */
function leaves(tree: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else if (v && typeof v === 'object') for (const [kk, vv] of leaves(v as object, key)) out.set(kk, vv)
    else throw new Error(`${key} is neither a message nor a group`)
  }
  return out
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.(ts|vue)$/.test(f) ? [p] : []
  })
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/
const zh = leaves(zhCN)
const english = leaves(en)
const sources = files(SRC).filter((f) => !f.startsWith(LOCALES))

describe('screen text', () => {
  it('has the same keys in zh-CN and en', () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort())
  })

  it('fills the same named placeholders in both languages', () => {
    const names = (m: string) => [...new Set([...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1]))].sort()
    for (const [key, text] of zh) expect(names(english.get(key) ?? ''), key).toEqual(names(text))
  })

  it('has no Chinese outside the message files', () => {
    const found: string[] = []
    for (const f of sources) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (CJK.test(line)) found.push(`${relative(SRC, f)}:${i + 1}: ${line.trim()}`)
        })
    }
    expect(found).toEqual([])
  })

  it('has no language test in code: the words come from the messages', () => {
    // i18n/index.ts is where the language is chosen; everywhere else only asks for messages.
    const code = sources.filter((f) => relative(SRC, f) !== join('i18n', 'index.ts'))
    const found = code.filter((f) => /\bisEn\b|locale(\.value)? === 'en' \?/.test(readFileSync(f, 'utf8')))
    expect(found.map((f) => relative(SRC, f))).toEqual([])
  })

  it('asks only for messages that exist', () => {
    const missing: string[] = []
    const asked = /\bt\(\s*'([\w.-]+)'|keypath="([\w.-]+)"|both\('([\w.-]+)'\)/g
    for (const f of sources) {
      for (const m of readFileSync(f, 'utf8').matchAll(asked)) {
        const key = m[1] ?? m[2] ?? m[3]!
        if (!zh.has(key)) missing.push(`${relative(SRC, f)}: ${key}`)
      }
    }
    expect(missing).toEqual([])
  })
})

describe('words that change with the language', () => {
  afterEach(() => {
    i18n.global.locale.value = 'zh-CN'
  })

  it('counts durations in each language, with English plurals', () => {
    expect([0, 5, 61, 49 * 60, 72 * 60].map(formatDuration)).toEqual(['刚刚', '5分钟', '1小时', '2天', '3天'])
    i18n.global.locale.value = 'en'
    const english = ['just now', '5 min', '1 h', '2 days', '3 days']
    expect([0, 5, 61, 24 * 60 * 2 + 60, 72 * 60].map(formatDuration)).toEqual(english)
  })

  it('labels the trend hours in each language', () => {
    // The screen has no zone of its own (the city's comes from the server): set one as the server would.
    setCityTimeZone('Asia/Shanghai')
    const t = Date.parse('2026-11-23T06:00:00Z') // 14:00 in Asia/Shanghai
    expect(formatHour(t)).toBe('14时')
    i18n.global.locale.value = 'en'
    expect(formatHour(t)).toBe('14:00')
  })
})
