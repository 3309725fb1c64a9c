import { startOfDay } from '../../../core/time'

/**
 * The city's time zone (IOC_TZ on the server), whatever the wall PC's clock zone is: the server
 * tells it before the app mounts (see main.ts); until then the browser's own. "Today" and the clock follow it.
 */
let cityTz = Intl.DateTimeFormat().resolvedOptions().timeZone
let hms = clockFormat(cityTz)
let date = dateFormat(cityTz)

function clockFormat(timeZone: string) {
  return new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}
function dateFormat(timeZone: string) {
  return new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' })
}

/** Use the server's zone; an unknown name keeps the current one. */
export function setCityTimeZone(tz: string): void {
  try {
    hms = clockFormat(tz)
    date = dateFormat(tz)
    cityTz = tz
  } catch {
    /* not a zone this browser knows */
  }
}

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
export const formatDate = (ms: number) => date.format(ms)

/** "3小时前" style durations for terminals that are down. */
export function formatSince(t: string | number, now = Date.now()): string {
  const ms = toMs(t)
  if (!Number.isFinite(ms)) return '—'
  const min = Math.max(0, Math.round((now - ms) / 60_000))
  if (min < 1) return '刚刚'
  if (min < 60) return `${min}分钟`
  const h = Math.floor(min / 60)
  if (h < 48) return `${h}小时`
  return `${Math.floor(h / 24)}天`
}

/** "14时" / "11-23": the trend's axis labels in the city's zone. */
export function formatHour(ms: number): string {
  const h = new Intl.DateTimeFormat('en-GB', { timeZone: cityTz, hour: '2-digit', hour12: false }).format(ms)
  return `${h}时`
}
export function formatDay(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: cityTz, month: '2-digit', day: '2-digit' }).formatToParts(ms)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('month')}-${get('day')}`
}
