import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { Screen, ScreenList } from '#core/schemas/screen'
import { api, ApiError } from '../api'
import { router } from '../router'

/**
 * The screens (dashboards/screens/*.yaml) and the one on show, named in the URL (`?screen=…`).
 * `?carousel=1` rotates them on the wall, each for its own dwell time.
 */
export const useScreensStore = defineStore('screens', () => {
  const list = shallowRef<ScreenList['screens']>([])
  const defs = new Map<string, Screen>()
  const current = shallowRef<Screen | null>(null)
  const error = ref<ApiError | null>(null)

  const query = computed(() => router.currentRoute.value.query)
  const requested = computed(() => (typeof query.value.screen === 'string' ? query.value.screen : ''))
  const id = computed(() =>
    list.value.some((s) => s.id === requested.value) ? requested.value : (list.value[0]?.id ?? ''),
  )
  const carousel = computed(() => query.value.carousel === '1')

  async function loadList(): Promise<void> {
    try {
      list.value = (await api.screens()).screens
      error.value = null
      // The definitions are a few KB: fetch them all now, so a switch or the carousel never waits.
      for (const s of list.value)
        if (!defs.has(s.id))
          void api.screen(s.id).then(
            (d) => defs.set(s.id, d),
            () => undefined,
          )
    } catch (e) {
      error.value = e instanceof ApiError ? e : new ApiError(0, 'client', String(e))
      // A wall must come back by itself: try again until the api answers.
      setTimeout(() => void loadList(), 5_000)
    }
  }

  let seq = 0
  async function loadScreen(screenId: string): Promise<void> {
    if (!screenId) return
    const cached = defs.get(screenId)
    if (cached) {
      current.value = cached
      return
    }
    const mine = ++seq
    try {
      const s = await api.screen(screenId)
      defs.set(screenId, s)
      if (mine === seq) {
        current.value = s
        error.value = null
      }
    } catch (e) {
      if (mine !== seq) return
      error.value = e instanceof ApiError ? e : new ApiError(0, 'client', String(e))
      setTimeout(() => {
        if (id.value === screenId) void loadScreen(screenId)
      }, 5_000)
    }
  }
  watch(id, (s) => void loadScreen(s), { immediate: true })

  function show(screenId: string): void {
    const q = { ...router.currentRoute.value.query }
    if (screenId === list.value[0]?.id) delete q.screen
    else q.screen = screenId
    void router.replace({ query: q })
  }

  function step(by: 1 | -1): void {
    const n = list.value.length
    if (n < 2) return
    const i = list.value.findIndex((s) => s.id === id.value)
    show(list.value[(i + by + n) % n]!.id)
  }

  function setCarousel(on: boolean): void {
    const q = { ...router.currentRoute.value.query }
    if (on) q.carousel = '1'
    else delete q.carousel
    void router.replace({ query: q })
  }

  // The rotation: one timer for the screen on show, restarted whenever it changes.
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(
    [carousel, id, list],
    () => {
      clearTimeout(timer)
      if (!carousel.value) return
      const dwell = list.value.find((s) => s.id === id.value)?.dwell_seconds ?? 60
      timer = setTimeout(() => step(1), dwell * 1000)
    },
    { immediate: true },
  )

  return { list, current, id, error, carousel, loadList, show, step, setCarousel }
})
