import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { TimeRange } from '../api'
import { isoShanghai, startOfDayShanghai } from '../util/time'

const DAY_MS = 24 * 3600_000

/** The panels' time range: today in Beijing time, rolling over at midnight. */
export const useTimeStore = defineStore('time', () => {
  const now = ref(Date.now())
  const dayStart = ref(startOfDayShanghai(now.value))

  /** `now` to the minute / hour: for views that must not re-render every second. */
  const minute = computed(() => Math.floor(now.value / 60_000) * 60_000)
  const hourOfDay = computed(() => Math.floor((now.value - dayStart.value) / 3600_000))

  const range = computed<TimeRange>(() => ({ from: isoShanghai(dayStart.value), to: isoShanghai(dayStart.value + DAY_MS) }))

  /** Called by the page's clock each second; moves the range when the day changes. */
  function tick(ms = Date.now()): void {
    now.value = ms
    const start = startOfDayShanghai(ms)
    if (start !== dayStart.value) dayStart.value = start
  }

  return { now, minute, hourOfDay, dayStart, range, tick }
})
