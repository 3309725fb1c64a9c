import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Alert } from '#core/schemas/alert'
import type { LayerSummary } from '#core/schemas/layer'
import { FRAME_MEDIA_TYPE } from '#core/schemas/layer'
import { routes } from '#core/contract/index'
import { call, pathOf } from '../api/call'
import { ApiError, buildUrl, type Query } from '../api/http'
import { decodeFrame, type Frame } from '../map/thematic/frame'
import { useSessionStore } from './session'

const ENABLED_KEY = 'ioc.thematic.enabled'
/** Alerts are a layer of their own in the switcher, on by default. */
export const ALERTS_LAYER_ID = 'alerts'

function readEnabled(): string[] {
  try {
    const raw = localStorage.getItem(ENABLED_KEY)
    return raw ? (JSON.parse(raw) as string[]).filter((s) => typeof s === 'string') : [ALERTS_LAYER_ID]
  } catch {
    return [ALERTS_LAYER_ID]
  }
}

/** A layer's columnar data (application/vnd.ioc.columns), decoded into typed arrays. */
export async function fetchFrame(
  path: string,
  query: Query,
  token: string | null,
  init: RequestInit = {},
): Promise<Frame> {
  const res = await fetch(buildUrl(path, query), {
    ...init,
    headers: {
      Accept: FRAME_MEDIA_TYPE,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(init.headers ?? {}),
    },
  })
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } }
    throw new ApiError(res.status, body.error?.code ?? `http_${res.status}`, body.error?.message ?? res.statusText)
  }
  return decodeFrame(await res.arrayBuffer())
}

/** Thematic layers: the catalogue the caller may use, which are on, their data, and the alerts. */
export const useThematicStore = defineStore('thematic', () => {
  const session = useSessionStore()
  const catalog = shallowRef<LayerSummary[]>([])
  const enabled = ref<string[]>(readEnabled())
  const frames = shallowRef<Record<string, Frame>>({})
  const errors = shallowRef<Record<string, string>>({})
  const alerts = shallowRef<Alert[]>([])
  let catalogLoad: Promise<void> | undefined

  function loadCatalog(force = false): Promise<void> {
    if (force) catalogLoad = undefined
    catalogLoad ??= call(routes.layers, {}).then(
      (l) => {
        catalog.value = l.layers
      },
      () => {
        catalogLoad = undefined
      },
    )
    return catalogLoad
  }

  function toggle(id: string): void {
    enabled.value = enabled.value.includes(id) ? enabled.value.filter((e) => e !== id) : [...enabled.value, id]
    localStorage.setItem(ENABLED_KEY, JSON.stringify(enabled.value))
  }

  async function loadLayer(id: string, region: string, range: { from: string; to: string }): Promise<void> {
    try {
      const frame = await fetchFrame(pathOf(routes.layerData, { id }), { region, ...range }, session.token)
      frames.value = { ...frames.value, [id]: frame }
      const { [id]: _gone, ...rest } = errors.value
      errors.value = rest
    } catch (e) {
      // A layer that does not apply at this level, or failed, is drawn with no data and says why.
      const { [id]: _gone, ...rest } = frames.value
      frames.value = rest
      errors.value = { ...errors.value, [id]: (e as Error).message }
    }
  }

  async function loadAlerts(region: string): Promise<void> {
    try {
      const r = await call(routes.alerts, { query: { region, status: 'active' } })
      alerts.value = r.alerts
    } catch {
      // Kept as they were; the next poll tries again.
    }
  }

  /** An alert pushed on the `alerts` topic of the live socket. */
  function pushAlert(a: Alert): void {
    const rest = alerts.value.filter((x) => x.alert_id !== a.alert_id)
    alerts.value = a.status === 'resolved' ? rest : [a, ...rest]
  }

  return { catalog, enabled, frames, errors, alerts, loadCatalog, toggle, loadLayer, loadAlerts, pushAlert }
})
