import { computed, inject, provide, watch, type ComputedRef, type InjectionKey } from 'vue'
import type { Breakdown, Overview } from '#core/schemas/api'
import { childLevel, levelOf } from '#core/regions'
import { t } from '../i18n'
import { api } from '../api'
import { useLiveStore } from '../stores/live'
import { useScopeStore } from '../stores/scope'
import { useTimeStore } from '../stores/time'
import { useResource, type Resource } from './useResource'

/** Data that several panels and the map share, fetched once per screen. */
export interface ScreenData {
  overview: Resource<Overview>
  /** The same figures for the span just before (day-over-day for today). */
  previous: Resource<Overview>
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

  const overview = useResource<Overview>(
    () => `${scope.region}|${time.key}`,
    () => api.overview(scope.region, time.range),
    { intervalMs: 60_000 },
  )
  // The socket pushes today's KPI snapshot every few seconds; polling above is the fallback.
  watch(
    () => live.kpi,
    (k) => {
      if (k && k.region === scope.region && time.isToday) overview.set(k)
    },
  )
  const previous = useResource<Overview>(
    () => `${scope.region}|${time.key}`,
    () => api.overview(scope.region, time.previous),
    { intervalMs: 300_000 },
  )

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
