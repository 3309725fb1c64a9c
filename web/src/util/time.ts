import { startOfDay } from '../../../core/time'
import { d, t } from '../i18n'

/**
 * The city's time zone (IOC_TZ on the server), whatever the wall PC's clock zone is: the server
 * tells it before the app mounts (see main.ts); until then the browser's own. "Today" and the clock follow it.
 */
let cityTz = Intl.DateTimeFormat().resolvedOptions().timeZone
let hms = clockFormat(cityTz)

function clockFormat(timeZone: string) {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  })
}

/** Use the server's zone; an unknown name keeps the current one. */
export function setCityTimeZone(tz: string): void {
  try {
    hms = clockFormat(tz)
    cityTz = tz
  } catch {
    /* not a zone this browser knows */
  }
}

/** The zone the screen shows times in. */
export const cityTimeZone = (): string => cityTz

/** Midnight of the city's day containing `ms`. */
export function startOfCityDay(ms: number): number {
  return startOfDay(ms, cityTz)
}

/** Midnight of the next day (23 or 25 hours later on a daylight-saving change). */
export function nextCityDay(dayStart: number): number {
  return startOfDay(dayStart + 36 * 3600_000, cityTz)
}

export function toMs(t: string | number | undefined | null): number {
  if (t === undefined || t === null || t === '') return NaN
  return typeof t === 'number' ? t : Date.parse(t)
}

export const formatHms = (t: string | number) => {
  const ms = toMs(t)
  return Number.isFinite(ms) ? hms.format(ms) : '--:--:--'
}
/**
 * "14:02" on the city's today, "12-06 14:02" before it (`short`: "12-06" alone, for a narrow column):
 * when a terminal fell silent.
 */
export function formatClock(t: string | number, now = Date.now(), short = false): string {
  const ms = toMs(t)
  if (!Number.isFinite(ms)) return '--:--'
  const hm = hms.format(ms).slice(0, 5)
  if (startOfCityDay(ms) === startOfCityDay(now)) return hm
  return short ? formatDay(ms) : `${formatDay(ms)} ${hm}`
}

/** The header's date in the screen's language. */
export const formatDate = (ms: number) => d(ms, { key: 'day', timeZone: cityTz })

/** "3 h" style durations for terminals that are down. */
export function formatSince(t: string | number, now = Date.now()): string {
  const ms = toMs(t)
  if (!Number.isFinite(ms)) return '—'
  const min = Math.max(0, Math.round((now - ms) / 60_000))
  return formatDuration(min)
}

/** A span of whole minutes in the largest unit that reads well: minutes, hours up to two days, days. */
export function formatDuration(min: number): string {
  if (min < 1) return t('duration.justNow')
  if (min < 60) return t('duration.minutes', { n: min }, min)
  const h = Math.floor(min / 60)
  if (h < 48) return t('duration.hours', { n: h }, h)
  const days = Math.floor(h / 24)
  return t('duration.days', { n: days }, days)
}

/** "14:00" / "11-23": the trend's axis labels in the city's zone and the screen's language. */
export function formatHour(ms: number): string {
  const h = new Intl.DateTimeFormat('en-GB', { timeZone: cityTz, hour: '2-digit', hour12: false }).format(ms)
  return t('hour', { h })
}
export function formatDay(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: cityTz, month: '2-digit', day: '2-digit' }).formatToParts(
    ms,
  )
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('month')}-${get('day')}`
}
