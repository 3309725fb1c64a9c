import { computed, ref } from 'vue'
import { MESSAGES, type MessageKey } from './messages'
import type { Localized } from '#core/schemas/screen'

export type Locale = 'zh' | 'en'

const KEY = 'ioc.locale'

function initial(): Locale {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'
  } catch {
    return 'zh'
  }
}

/** zh-CN by default; the English switch is remembered per browser. */
export const locale = ref<Locale>(initial())

export function setLocale(l: Locale): void {
  locale.value = l
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
  try {
    localStorage.setItem(KEY, l)
  } catch {
    /* a kiosk without storage keeps the choice for this page only */
  }
}

/** The text of `key` in the current locale; `{name}` placeholders are filled from `vars`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = MESSAGES[locale.value][key] ?? MESSAGES.zh[key]
  return vars ? text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? '')) : text
}

/** A `{zh, en}` pair from a screen file. */
export const loc = (l: Localized | undefined | null): string => (l ? l[locale.value] : '')

export const isEn = computed(() => locale.value === 'en')
