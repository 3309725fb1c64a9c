import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { routes } from '#core/contract/index'
import type { Status } from '#core/schemas/api'
import { call } from '../api/call'

/** How often the header asks; the server answers from a 2 s cache, so every screen may ask this often. */
export const STATUS_POLL_MS = 5_000

/** A change of the measured offset smaller than this is noise of the round trip. */
const OFFSET_STEP_MS = 1_000

export type LagLevel = 'ok' | 'warn' | 'alarm'

/**
 * GET /api/v1/status, polled while a header is on show: the ingest lag against the city's
 * thresholds, whether the history is still loading, and the server's clock. The screen's clock
 * (stores/time.ts) is Date.now() + `offset`, so "today" is the server's today even when the wall
 * PC's clock is wrong.
 */
export const useStatusStore = defineStore('status', () => {
  const status = shallowRef<Status | null>(null)
  /** Server clock − this browser's clock, in ms. */
  const offset = ref(0)
  /** The last poll failed (the answer shown is older). */
  const stale = ref(false)
  let timer: ReturnType<typeof setInterval> | undefined
  let users = 0

  /** The server's time now, as well as this browser can tell. */
  const serverNow = () => Date.now() + offset.value

  async function refresh(): Promise<void> {
    const sent = Date.now()
    try {
      const s = await call(routes.status, {})
      const received = Date.now()
      // The server read its clock about half-way through the round trip. Jitter of a round trip
      // is not a correction: the clock on show would step back and forth.
      const measured = Date.parse(s.now) - (sent + received) / 2
      if (!status.value || Math.abs(measured - offset.value) > OFFSET_STEP_MS) offset.value = measured
      status.value = s
      stale.value = false
    } catch {
      stale.value = true
    }
  }

  /** Poll while at least one caller wants it (each start has its stop). */
  function start(): void {
    if (users++ > 0) return
    void refresh()
    timer = setInterval(() => void refresh(), STATUS_POLL_MS)
  }

  function stop(): void {
    if (--users > 0) return
    users = 0
    clearInterval(timer)
    timer = undefined
  }

  const lagSeconds = computed(() => status.value?.lag_seconds ?? null)
  const lagLevel = computed<LagLevel | null>(() => {
    const s = status.value
    if (!s || s.lag_seconds === null) return null
    if (s.lag_seconds > s.freshness.alarm_seconds) return 'alarm'
    if (s.lag_seconds > s.freshness.warn_seconds) return 'warn'
    return 'ok'
  })
  const historyLoading = computed(() => status.value?.history.loading ?? false)
  /** Whole percent of the history written, never 100 while it is still loading. */
  const historyPercent = computed(() => {
    const h = status.value?.history
    if (!h) return 0
    return h.loading ? Math.min(99, Math.floor(h.progress * 100)) : 100
  })

  return {
    status,
    offset,
    stale,
    serverNow,
    refresh,
    start,
    stop,
    lagSeconds,
    lagLevel,
    historyLoading,
    historyPercent,
  }
})
