import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { RegionInfo, RegionRef } from '#core/schemas/api'
import { isRegionCode } from '#core/regions'
import { api, ApiError } from '../api'
import { cityInfo, regionName } from '../util/city'
import { router } from '../router'
import { useSessionStore } from './session'

/**
 * The region the whole screen shows. It lives in the URL (`?region=320102`) so a refresh or a shared
 * link keeps it and the browser's back button goes up a level.
 */
export const useScopeStore = defineStore('scope', () => {
  const session = useSessionStore()

  const home = computed(() => session.user?.region ?? cityInfo.value?.code ?? '')
  const requested = computed(() => {
    const q = router.currentRoute.value.query.region
    return typeof q === 'string' ? q : ''
  })
  /** Falls back to the user's own region when the URL names one they may not see. */
  const region = computed(() => {
    const code = requested.value
    return isRegionCode(code) && code.startsWith(home.value) ? code : home.value
  })

  const info = shallowRef<RegionInfo | null>(null)
  const error = ref<ApiError | null>(null)
  const loading = ref(false)
  let seq = 0

  async function load(code: string): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const r = await api.region(code)
      if (mine === seq) info.value = r
    } catch (e) {
      if (mine === seq) error.value = e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e))
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch(
    [region, () => session.token],
    ([code]) => {
      if (session.isLoggedIn) void load(code)
    },
    { immediate: true },
  )

  /** Info for the current region only; stale info from the previous scope is hidden. */
  const current = computed(() => (info.value?.code === region.value ? info.value : null))

  /** The breadcrumb never goes above the user's own region. */
  const breadcrumb = computed<RegionRef[]>(() => {
    const path = current.value?.path ?? []
    return path.filter((p) => p.code.length >= home.value.length && p.code.startsWith(home.value))
  })

  const cityName = computed(() => {
    const root = current.value?.path[0] ?? info.value?.path[0] ?? cityInfo.value
    return root ? regionName(root) : ''
  })

  function go(code: string): void {
    if (code === region.value) return
    const query = { ...router.currentRoute.value.query }
    if (code === home.value) delete query.region
    else query.region = code
    void router.push({ path: '/', query })
  }

  /** Name of the child of the current region that contains `code`, if known. */
  function childNameOf(code: string | undefined): string | undefined {
    if (!code) return undefined
    return current.value?.children.find((c) => code.startsWith(c.code))?.name
  }

  function reload(): void {
    void load(region.value)
  }

  return { home, requested, region, info: current, error, loading, breadcrumb, cityName, go, childNameOf, reload }
})
