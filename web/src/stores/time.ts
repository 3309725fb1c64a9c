import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { TimeRange } from '../api'
import { nextCityDay, startOfCityDay } from '../util/time'

/** The panels' time range: today in the city's time zone, rolling over at midnight. */
export const useTimeStore = defineStore('time', () => {
  const now = ref(Date.now())
  const dayStart = ref(startOfCityDay(now.value))

  /** `now` to the minute / hour: for views that must not re-render every second. */
  const minute = computed(() => Math.floor(now.value / 60_000) * 60_000)
  const hourOfDay = computed(() => Math.floor((now.value - dayStart.value) / 3600_000))

  const range = computed<TimeRange>(() => ({ from: new Date(dayStart.value).toISOString(), to: new Date(nextCityDay(dayStart.value)).toISOString() }))

  /** Called by the page's clock each second; moves the range when the day changes. */
  function tick(ms = Date.now()): void {
    now.value = ms
    const start = startOfCityDay(ms)
    if (start !== dayStart.value) dayStart.value = start
  }

  return { now, minute, hourOfDay, dayStart, range, tick }
})
