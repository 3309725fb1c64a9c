/** The centre runs on Beijing time whatever the wall PC's clock zone is. */
export const TZ = 'Asia/Shanghai'
const OFFSET_MS = 8 * 3600_000 // Asia/Shanghai has had no DST since 1991.

/** Midnight (00:00 Beijing time) of the day containing `ms`, as epoch ms. */
export function startOfDayShanghai(ms: number): number {
  const d = new Date(ms + OFFSET_MS)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - OFFSET_MS
}

/** ISO 8601 with the +08:00 offset, e.g. 2026-11-23T00:00:00+08:00. */
export function isoShanghai(ms: number): string {
  const d = new Date(ms + OFFSET_MS)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+08:00`
}

const hms = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
const date = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' })

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
