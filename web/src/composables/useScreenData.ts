import { computed, inject, provide, shallowRef, watch, type ComputedRef, type InjectionKey } from 'vue'
import type { Breakdown, Overview } from '#core/schemas/api'
import { childLevel, levelOf } from '#core/regions'
import { t } from '../i18n'
import { api } from '../api'
import { useLiveStore } from '../stores/live'
import { useScopeStore } from '../stores/scope'
import { useTimeStore } from '../stores/time'
import { keepPrevious, type PreviousOverview } from '../panels/kpi/kpi-metrics'
import { computedAt, useResource, type Resource } from './useResource'

/** Data that several panels and the map share, fetched once per screen. */
export interface ScreenData {
  overview: Resource<Overview>
  /**
   * The overview's `previous` (compare=previous): flows over the same elapsed part of the period
   * before, stocks as they stood at the same instant of it. The socket's snapshots carry none, so
   * the last one the api answered for this scope and range stays.
   */
  previous: ComputedRef<PreviousOverview | null>
  /** Events reported per child region: the ranking and the map's choropleth. */
  children: Resource<Breakdown>
  atLeaf: ComputedRef<boolean>
  childLevelName: ComputedRef<string>
}

const KEY: InjectionKey<ScreenData> = Symbol('screen-data')

export function provideScreenData(): ScreenData {
  const scope = useScopeStore()
  const time = useTimeStore()
  const live = useLiveStore()

  // One request gives the figures and what they are compared with, computed at the same instant.
  const overview = useResource<Overview>(
    () => `${scope.region}|${time.key}`,
    () => api.overview(scope.region, time.range),
    { intervalMs: 60_000 },
  )
  // The socket pushes today's KPI snapshot every few seconds; polling above is the fallback.
  watch(
    () => live.kpi,
    (k) => {
      if (k && k.region === scope.region && time.isToday) overview.set(k, computedAt(k) ?? Date.now())
    },
  )
  const lastPrevious = shallowRef<PreviousOverview | null>(null)
  watch(overview.data, (d) => (lastPrevious.value = keepPrevious(lastPrevious.value, d)))
  const previous = computed(() => lastPrevious.value)

  const atLeaf = computed(() => levelOf(scope.region) === 'grid')
  const childLevelName = computed(() => {
    const l = levelOf(scope.region)
    const c = l && childLevel(l)
    return c ? t(`level.${c}`) : t('region.below')
  })
  const children = useResource<Breakdown>(
    () => (atLeaf.value ? null : `${scope.region}|${time.key}`),
    () => api.breakdown('events.reported', 'child', scope.region, time.range),
    { intervalMs: 30_000, isEmpty: (d) => d.rows.length === 0 },
  )

  const data: ScreenData = { overview, previous, children, atLeaf, childLevelName }
  provide(KEY, data)
  return data
}

export function useScreenData(): ScreenData {
  const d = inject(KEY)
  if (!d) throw new Error('useScreenData() outside a screen page')
  return d
}
