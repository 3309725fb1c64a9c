import type { Layer, PickingInfo } from '@deck.gl/core'
import { ScatterplotLayer } from '@deck.gl/layers'
import type { FeatureCollection } from 'geojson'
import { storeToRefs } from 'pinia'
import { computed, onScopeDispose, shallowRef, watch, type ComputedRef, type Ref } from 'vue'
import type { Alert } from '#core/schemas/alert'
import type { LayerLegend } from '#core/schemas/layer'
import { levelOf } from '#core/regions'
import { api } from '../../api'
import { both, loc, t } from '../../i18n'
import { useScopeStore } from '../../stores/scope'
import { useLiveStore } from '../../stores/live'
import { useSessionStore } from '../../stores/session'
import { ALERTS_LAYER_ID, useThematicStore } from '../../stores/thematic'
import { useTimeStore } from '../../stores/time'
import { openAlertSocket } from './alert-socket'
import type { Frame } from './frame'
import { buildDeckLayer, rowOfKey, tooltipText } from './deck'
import { DRAW_ORDER } from './kinds'
import { mergeLive, type LiveRecord } from './live'
import { hexToRgba } from './scales'

export interface ThematicEntry {
  id: string
  title: { zh: string; en: string }
  legend: LayerLegend
  /** Whether the layer applies at the current level. */
  available: boolean
}

export interface ThematicLegend {
  id: string
  title: { zh: string; en: string }
  legend: LayerLegend
  rows: number | null
  error: string | null
}

export const SEVERITY_COLORS: Record<Alert['severity'], string> = {
  critical: '#ff1744',
  warning: '#ffab00',
  info: '#40c4ff',
}
/** An alert's title in the screen's language; an alert stored before it had English keeps its Chinese. */
export const alertTitle = (a: Alert): string => loc({ zh: a.title, en: a.title_en || a.title })
/** An alert's message in the screen's language, the same way. */
export const alertMessage = (a: Alert): string => loc({ zh: a.message, en: a.message_en || a.message })

/** The alerts' own entry, in the screen's language (called inside computeds, so it follows the switch). */
const alertsEntry = () => ({
  id: ALERTS_LAYER_ID,
  title: both('alerts.title'),
  legend: {
    kind: 'categories' as const,
    items: (['critical', 'warning', 'info'] as const).map((s) => ({
      label: t(`alerts.severity.${s}`),
      color: SEVERITY_COLORS[s],
    })),
  },
})

export interface ThematicOptions {
  /** Layers the screen has switched on (its file's `map.layers`, then the operator's switches). */
  screenLayers?: Ref<readonly string[]>
  /** Bounding box [w, s, e, n] of the region in view, for `radius: auto` hexagons. */
  bbox?: Ref<readonly number[] | null>
}

/**
 * The map's layers (dashboards/layers/*.yaml): the catalogue the user may use, which are on (the
 * screen's and the user's own), and their deck.gl layers for the region in scope and the time
 * range, reloaded at each layer's refresh interval and, for a layer with `live`, updated by every
 * pushed record in between. Alerts are one more entry (on by default).
 */
export function useThematicLayers(opts: ThematicOptions = {}): {
  catalog: Ref<ThematicEntry[]>
  enabled: ComputedRef<string[]>
  /** The layers the user switched on beyond the screen's (remembered in this browser). */
  userEnabled: Ref<string[]>
  toggle: (id: string) => void
  deckLayers: ComputedRef<Layer[]>
  legends: ComputedRef<ThematicLegend[]>
  tooltip: (info: PickingInfo) => string | null
} {
  const store = useThematicStore()
  const scope = useScopeStore()
  const time = useTimeStore()
  const { frames, errors, alerts, enabled: userEnabled } = storeToRefs(store)
  const enabled = computed(() => [...new Set([...(opts.screenLayers?.value ?? []), ...userEnabled.value])])
  const children = shallowRef<FeatureCollection | null>(null)
  const level = computed(() => levelOf(scope.region))
  const timers = new Map<string, ReturnType<typeof setInterval>>()

  void store.loadCatalog()
  // A layer file added or changed on the server shows up without reloading the screen.
  const catalogTimer = setInterval(() => void store.loadCatalog(true), 5 * 60_000)

  const catalog = computed<ThematicEntry[]>(() => [
    { ...alertsEntry(), available: true },
    ...store.catalog.map((l) => ({
      id: l.id,
      title: l.title,
      legend: l.legend,
      available: level.value ? l.levels.includes(level.value) : false,
    })),
  ])
  const active = computed(() =>
    store.catalog.filter((l) => enabled.value.includes(l.id) && level.value && l.levels.includes(level.value)),
  )

  function clearTimers(): void {
    for (const t of timers.values()) clearInterval(t)
    timers.clear()
  }

  watch(
    [active, () => scope.region, () => time.range.from, () => time.range.to],
    ([layers, region]) => {
      clearTimers()
      for (const l of layers) {
        const load = () => store.loadLayer(l.id, region, time.range)
        void load()
        timers.set(l.id, setInterval(load, l.refresh_seconds * 1000))
      }
      if (
        layers.some((l) => l.draw.type === 'choropleth') &&
        (children.value as { region?: string } | null)?.region !== region
      ) {
        void api.children(region).then((fc) => {
          if (region === scope.region) children.value = Object.assign(fc as FeatureCollection, { region })
        })
      }
    },
    { immediate: true },
  )

  // Alerts: the list at once and every minute as a safety net, and each change as it is pushed.
  const session = useSessionStore()
  const alertsOn = computed(() => enabled.value.includes(ALERTS_LAYER_ID))
  let alertTimer: ReturnType<typeof setInterval> | undefined
  let alertSocket: { close: () => void } | undefined
  watch(
    [alertsOn, () => scope.region, () => session.token],
    ([on, region, token]) => {
      clearInterval(alertTimer)
      alertSocket?.close()
      alertSocket = undefined
      if (!on) return
      void store.loadAlerts(region)
      alertTimer = setInterval(() => void store.loadAlerts(scope.region), 60_000)
      if (token) alertSocket = openAlertSocket(token, region, store.pushAlert)
    },
    { immediate: true },
  )
  onScopeDispose(() => {
    clearInterval(catalogTimer)
    clearTimers()
    clearInterval(alertTimer)
    alertSocket?.close()
  })

  // Live: each pushed record of a layer's topic inside the region, kept per layer by key (the newest
  // last, at most `max_rows`); the frames are re-merged at most twice a second, as pushes can come
  // dozens a second.
  const live = useLiveStore()
  const pushes = new Map<string, Map<string, LiveRecord>>()
  const pushSeq = shallowRef(0)
  /** Layers with pushes not yet merged: only these get a new frame (and a new deck layer) on a tick. */
  const dirty = new Set<string>()
  let pending: ReturnType<typeof setTimeout> | undefined
  const inside = (grid: unknown) => typeof grid !== 'string' || grid.startsWith(scope.region)
  const offRecord = live.onRecord((msg) => {
    // A record is read by the column names a layer file gives: by name, not by its static type.
    const rec = msg.data as unknown as LiveRecord
    for (const l of active.value) {
      if (!l.live || l.live.topic !== msg.type || !inside(rec.grid_code)) continue
      const key = rec[l.live.key]
      if (typeof key !== 'string' || key === '') continue
      const mine = pushes.get(l.id) ?? new Map<string, LiveRecord>()
      mine.delete(key)
      mine.set(key, rec)
      while (mine.size > l.live.max_rows) mine.delete(mine.keys().next().value as string)
      pushes.set(l.id, mine)
      dirty.add(l.id)
      pending ??= setTimeout(() => {
        pending = undefined
        pushSeq.value++
      }, 500)
    }
  })
  watch(
    () => scope.region,
    () => {
      pushes.clear()
      dirty.clear()
    },
  )
  onScopeDispose(() => {
    offRecord()
    clearTimeout(pending)
  })

  /**
   * Each active layer's frame as drawn: the loaded one, with the pushes since merged in. A layer keeps
   * its frame object until it is reloaded or pushed to, so deck.gl redraws only what changed: on a
   * wall in software GL, re-uploading every layer twice a second is what would stall the screen.
   */
  const merged = new Map<string, { loaded: Frame; frame: Frame }>()
  const drawn = computed<Record<string, Frame>>(() => {
    void pushSeq.value
    const now = Date.now()
    const out: Record<string, Frame> = {}
    for (const l of active.value) {
      const loaded = frames.value[l.id]
      if (!loaded || loaded.header.region !== scope.region) continue
      if (!l.live) {
        out[l.id] = loaded
        continue
      }
      const kept = merged.get(l.id)
      if (kept && kept.loaded === loaded && !dirty.has(l.id)) {
        out[l.id] = kept.frame
        continue
      }
      const frame = mergeLive(loaded, l.live, pushes.get(l.id) ?? new Map(), now)
      merged.set(l.id, { loaded, frame })
      dirty.delete(l.id)
      out[l.id] = frame
    }
    return out
  })

  /** The deck layer built for a frame, reused while its frame, the children and the box are the same. */
  const built = new Map<string, { frame: Frame; children: unknown; bbox: unknown; layer: Layer | null }>()
  function deckLayerOf(l: (typeof active.value)[number], frame: Frame): Layer | null {
    const kids = children.value
    const bbox = opts.bbox?.value ?? null
    const kept = built.get(l.id)
    // A fresh descriptor with the same props: deck.gl finds nothing changed and keeps its buffers.
    if (kept && kept.frame === frame && kept.children === kids && kept.bbox === bbox)
      return kept.layer?.clone({}) ?? null
    const layer = buildDeckLayer(l, frame, { children: kids, bbox })
    built.set(l.id, { frame, children: kids, bbox, layer })
    return layer
  }

  const deckLayers = computed<Layer[]>(() => {
    const out: Layer[] = []
    const order = [...active.value].sort((a, b) => DRAW_ORDER[a.draw.type] - DRAW_ORDER[b.draw.type])
    for (const l of order) {
      const frame = drawn.value[l.id]
      if (!frame) continue
      try {
        const layer = deckLayerOf(l, frame)
        if (layer) out.push(layer)
      } catch (e) {
        console.warn(`thematic layer ${l.id}:`, e)
      }
    }
    if (alertsOn.value) {
      const located = alerts.value.filter((a) => a.lon !== null && a.lat !== null && a.status !== 'resolved')
      out.push(
        new ScatterplotLayer<Alert>({
          id: 'thematic:alerts',
          data: located,
          getPosition: (a) => [a.lon!, a.lat!],
          getFillColor: (a) => hexToRgba(SEVERITY_COLORS[a.severity]),
          getLineColor: [255, 255, 255, 220],
          stroked: true,
          lineWidthUnits: 'pixels',
          getLineWidth: 2,
          getRadius: (a) => (a.severity === 'critical' ? 9 : 7),
          radiusUnits: 'pixels',
          pickable: true,
          parameters: { depthCompare: 'always' },
        }),
      )
    }
    return out
  })

  const legends = computed<ThematicLegend[]>(() => [
    ...(alertsOn.value ? [{ ...alertsEntry(), rows: alerts.value.length, error: null }] : []),
    ...active.value.map((l) => ({
      id: l.id,
      title: l.title,
      legend: l.legend,
      rows: drawn.value[l.id]?.length ?? null,
      error: errors.value[l.id] ?? null,
    })),
  ])

  /** Tooltip text for a picked thematic object, or null when the pick is not one of ours. */
  function tooltip(info: PickingInfo): string | null {
    const id = info.layer?.id ?? ''
    if (id === 'thematic:alerts') {
      const a = info.object as Alert | undefined
      return a ? `${alertTitle(a)}\n${alertMessage(a)}` : null
    }
    const spec = store.catalog.find((l) => `thematic:${l.id}` === id)
    const frame = spec ? drawn.value[spec.id] : undefined
    if (!spec || !frame) return null
    if (spec.draw.type === 'choropleth') {
      const code = String((info.object as { properties?: { code?: string } } | undefined)?.properties?.code ?? '')
      const i = rowOfKey(frame, spec.draw.key, code)
      return i >= 0 ? tooltipText(spec, frame, i, loc(spec.title)) : null
    }
    // A hexagon is a cell of many rows: it tells its count.
    if (spec.draw.type === 'hexagon') {
      const count = (info.object as { count?: number } | undefined)?.count
      return count === undefined ? null : `${loc(spec.title)}\n${Number.isInteger(count) ? count : count.toFixed(1)}`
    }
    return info.index >= 0 && info.index < frame.length ? tooltipText(spec, frame, info.index, loc(spec.title)) : null
  }

  return { catalog, enabled, userEnabled, toggle: store.toggle, deckLayers, legends, tooltip }
}
