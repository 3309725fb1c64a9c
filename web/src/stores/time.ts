import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { TimeRange } from '../api'
import { router } from '../router'
import { nextCityDay, startOfCityDay } from '../util/time'
import { useStatusStore } from './status'

export const RANGE_MODES = ['today', '24h', '7d', '30d', 'custom'] as const
export type RangeMode = (typeof RANGE_MODES)[number]

const HOUR = 3600_000
const DAY = 24 * HOUR

/**
 * The panels' time range, in the URL (`?range=7d`, or `range=custom&from=…&to=…`): today in the
 * city's time zone (rolling over at midnight by itself), the last 24 hours (following the clock),
 * the last 7 or 30 days, or a custom range.
 */
export const useTimeStore = defineStore('time', () => {
  // The server's clock, not the wall PC's: "today" is the server's today (GET /api/v1/status gives the offset).
  const status = useStatusStore()
  const now = ref(status.serverNow())
  const dayStart = ref(startOfCityDay(now.value))

  /** `now` to the minute / hour: for views that must not re-render every second. */
  const minute = computed(() => Math.floor(now.value / 60_000) * 60_000)
  const hourOfDay = computed(() => Math.floor((now.value - dayStart.value) / HOUR))

  const query = computed(() => router.currentRoute.value.query)
  const custom = computed<TimeRange | null>(() => {
    const { from, to } = query.value
    if (typeof from !== 'string' || typeof to !== 'string') return null
    const f = Date.parse(from)
    const t = Date.parse(to)
    return Number.isFinite(f) && Number.isFinite(t) && t > f
      ? { from: new Date(f).toISOString(), to: new Date(t).toISOString() }
      : null
  })
  const mode = computed<RangeMode>(() => {
    const r = query.value.range
    if (r === 'custom') return custom.value ? 'custom' : 'today'
    return (RANGE_MODES as readonly unknown[]).includes(r) ? (r as RangeMode) : 'today'
  })

  const range = computed<TimeRange>(() => {
    const iso = (ms: number) => new Date(ms).toISOString()
    switch (mode.value) {
      case '24h':
        return { from: iso(minute.value - DAY), to: iso(minute.value) }
      case '7d':
        return { from: iso(startOfCityDay(dayStart.value - 6 * DAY + HOUR * 12)), to: iso(nextCityDay(dayStart.value)) }
      case '30d':
        return {
          from: iso(startOfCityDay(dayStart.value - 29 * DAY + HOUR * 12)),
          to: iso(nextCityDay(dayStart.value)),
        }
      case 'custom':
        return custom.value!
      default:
        return { from: iso(dayStart.value), to: iso(nextCityDay(dayStart.value)) }
    }
  })

  /**
   * What a panel's data depends on. A rolling range (24 h) keeps one key and is refreshed by
   * polling, so the panels do not blank every minute; a day-based range changes key at midnight.
   */
  const key = computed(() => {
    if (mode.value === '24h') return '24h'
    if (mode.value === 'custom') return `custom|${range.value.from}|${range.value.to}`
    return `${mode.value}|${dayStart.value}`
  })

  /** Hourly buckets up to two days, daily beyond. */
  const interval = computed<'1h' | '1d'>(() =>
    Date.parse(range.value.to) - Date.parse(range.value.from) <= 2 * DAY ? '1h' : '1d',
  )

  /** Whether the live socket's KPI snapshot (always "today") stands for this range. */
  const isToday = computed(() => mode.value === 'today')

  /** Called by the page's clock each second; moves the range when the day changes. */
  function tick(ms = status.serverNow()): void {
    now.value = ms
    const start = startOfCityDay(ms)
    if (start !== dayStart.value) dayStart.value = start
  }

  // A new offset (the first status answer, a corrected PC clock) moves the clock and the day at once.
  watch(
    () => status.offset,
    () => tick(),
  )

  function setMode(m: RangeMode, customRange?: TimeRange): void {
    const q = { ...router.currentRoute.value.query }
    delete q.from
    delete q.to
    if (m === 'today') delete q.range
    else q.range = m
    if (m === 'custom' && customRange) {
      q.from = customRange.from
      q.to = customRange.to
    }
    void router.replace({ query: q })
  }

  return { now, minute, hourOfDay, dayStart, mode, range, key, interval, isToday, tick, setMode }
})
