import { computed, ref, shallowRef, watch, type ComputedRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from '../api'
import { usePolling } from './usePolling'

export type PanelState = 'loading' | 'error' | 'empty' | 'ready'

export interface Resource<T> {
  data: ShallowRef<T | null>
  error: Ref<ApiError | null>
  /** loading: nothing to show yet; error: nothing to show and the last try failed. */
  state: ComputedRef<PanelState>
  /** Data is shown but the latest refresh failed. */
  stale: ComputedRef<boolean>
  reload: () => Promise<void>
  /**
   * When the shown numbers were computed (ms): the answer's `computed_at` when it has one, else when it
   * arrived; null while nothing is shown.
   */
  updatedAt: Ref<number | null>
  /** Replace the data in place (e.g. from a socket push, computed at `at`, default now). */
  set: (d: T, at?: number) => void
}

interface Options<T> {
  /** Refresh period; the data is kept on screen while refreshing. */
  intervalMs?: number
  isEmpty?: (d: T) => boolean
}

/**
 * The instant an answer's numbers were computed: its `computed_at`, or the oldest of a tuple's
 * (a panel is only as fresh as its oldest source); null when the answer does not say.
 */
export function computedAt(d: unknown): number | null {
  if (Array.isArray(d)) {
    return oldest(...d.map(computedAt))
  }
  if (d && typeof d === 'object' && 'computed_at' in d && typeof d.computed_at === 'string') {
    const ms = Date.parse(d.computed_at)
    return Number.isFinite(ms) ? ms : null
  }
  return null
}

/** The time of the oldest of a panel's sources (it is only as fresh as that); null until all have answered. */
export function oldest(...at: (number | null)[]): number | null {
  return at.every((x): x is number => x !== null) && at.length ? Math.min(...at) : null
}

/**
 * A panel's data: fetched again whenever `key` changes (the scope or the day) and every
 * `intervalMs`. A new key clears the data, so a drilled-in panel never shows the parent's numbers.
 */
export function useResource<T>(
  key: () => string | null,
  fetcher: () => Promise<T>,
  opts: Options<T> = {},
): Resource<T> {
  const data = shallowRef<T | null>(null)
  const error = ref<ApiError | null>(null)
  const loading = ref(false)
  const updatedAt = ref<number | null>(null)
  let seq = 0

  async function reload(): Promise<void> {
    if (key() === null) return
    const mine = ++seq
    loading.value = true
    try {
      const d = await fetcher()
      if (mine !== seq) return
      data.value = d
      updatedAt.value = computedAt(d) ?? Date.now()
      error.value = null
    } catch (e) {
      if (mine !== seq) return
      error.value = e instanceof ApiError ? e : new ApiError(0, 'client', e instanceof Error ? e.message : String(e))
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch(
    key,
    (k, old) => {
      if (k === old) return
      data.value = null
      updatedAt.value = null
      error.value = null
      void reload()
    },
    { immediate: true },
  )

  if (opts.intervalMs) usePolling(() => void reload(), opts.intervalMs)

  const state = computed<PanelState>(() => {
    const d = data.value
    if (d === null) return error.value ? 'error' : 'loading'
    return opts.isEmpty?.(d) ? 'empty' : 'ready'
  })
  const stale = computed(() => data.value !== null && error.value !== null)

  function set(d: T, at = Date.now()): void {
    data.value = d
    updatedAt.value = at
  }

  return { data, error, state, stale, updatedAt, reload, set }
}
