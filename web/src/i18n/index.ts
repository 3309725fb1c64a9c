import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import type { Localized } from '#core/schemas/screen'
import en from './locales/en'
import zhCN, { type Messages } from './locales/zh-CN'

/** The two languages of the switch; screen files carry `{zh, en}` pairs under the same names. */
export type Locale = 'zh' | 'en'
type Tag = 'zh-CN' | 'en'
const TAG: Record<Locale, Tag> = { zh: 'zh-CN', en: 'en' }

const KEY = 'ioc.locale'

function initial(): Locale {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'
  } catch {
    return 'zh'
  }
}

// Numbers read the same in both languages today; each has its own entry so a city may differ.
const numbers = {
  integer: { maximumFractionDigits: 0 },
  /** Rates and short durations: one decimal, no grouping (the unit sits beside it). */
  fixed1: { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false },
} as const
const dates = {
  /** The header's date, in the city's zone (time zone given at the call). */
  day: { year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' },
  monthDay: { month: '2-digit', day: '2-digit' },
  deadline: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
} as const

/** zh-CN by default; the English switch is remembered per browser. */
export const i18n = createI18n<[Messages], Tag, false>({
  legacy: false,
  locale: TAG[initial()],
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  numberFormats: { 'zh-CN': numbers, en: numbers },
  datetimeFormats: { 'zh-CN': dates, en: dates },
})

const g = i18n.global
if (typeof document !== 'undefined') document.documentElement.lang = TAG[initial()]

/** The switch's language, as screen files name it (`zh` / `en`). */
export const locale = computed<Locale>(() => (g.locale.value === 'en' ? 'en' : 'zh'))

export function setLocale(l: Locale): void {
  g.locale.value = TAG[l]
  document.documentElement.lang = TAG[l]
  try {
    localStorage.setItem(KEY, l)
  } catch {
    /* a kiosk without storage keeps the choice for this page only */
  }
}

/** Screen text outside components (stores, chart options, utilities); components may use it too. */
export const t = g.t
export const n = g.n
export const d = g.d
/** Whether a message exists. */
export const te = g.te

/**
 * A coded value (step, status, fault) in words: the message `prefix.code`, else the code itself,
 * since a sender may be newer than the screen; '—' when there is no code.
 */
export function named(prefix: string, code: unknown): string {
  const c = typeof code === 'string' || typeof code === 'number' ? String(code) : ''
  if (!c) return '—'
  return g.te(`${prefix}.${c}`) ? g.t(`${prefix}.${c}`) : c
}

/** The same message in both languages, for text that is stored as a `{zh, en}` pair (screen files). */
export function both(key: string): Localized {
  return { zh: g.t(key, {}, { locale: 'zh-CN' }), en: g.t(key, {}, { locale: 'en' }) }
}

/** A `{zh, en}` pair from a screen or layer file; a plain string (a file without the pair) as is. */
export const loc = (l: Localized | string | undefined | null): string =>
  typeof l === 'string' ? l : l ? l[locale.value] : ''
