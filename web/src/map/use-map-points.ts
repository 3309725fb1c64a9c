import { onScopeDispose, shallowRef, watch, type Ref } from 'vue'
import type { EventSummary, LiveEvent, LiveTerminal, TerminalSummary } from '#core/schemas/api'
import { api } from '../api'
import { usePolling } from '../composables/usePolling'
import { useLiveStore } from '../stores/live'
import { toMs } from '../util/time'
import type { EventStatus, TerminalState } from './colors'
import type { EventPoint } from './layers/event-points'
import type { TerminalPoint } from './layers/terminal-points'

const MAX_EVENTS = 1500
const CLOSED = new Set(['closed', 'evaluated', 'rejected'])
const TERMINAL_STATES = new Set<TerminalState>(['online', 'offline', 'fault', 'maintenance'])

function summaryStatus(e: EventSummary): EventStatus {
  if (e.closed_at || CLOSED.has(e.status)) return 'closed'
  return e.overdue ? 'overdue' : 'open'
}

function liveStatus(e: LiveEvent, now: number): EventStatus {
  if (e.step === 'evaluated') return 'closed'
  const deadline = toMs(e.deadline)
  return Number.isFinite(deadline) && deadline < now ? 'overdue' : 'open'
}

const valid = (lon: unknown, lat: unknown) => typeof lon === 'number' && typeof lat === 'number' && Number.isFinite(lon) && Number.isFinite(lat)

/**
 * The event points of the current region: the newest 500 from the API, then every pushed step
 * moves or recolours its event. Re-read every few minutes to reconcile.
 */
export function useEventPoints(region: Ref<string>) {
  const live = useLiveStore()
  const points = shallowRef<EventPoint[]>([])
  const byId = new Map<string, EventPoint>()
  let seq = 0

  function publish(): void {
    while (byId.size > MAX_EVENTS) byId.delete(byId.keys().next().value as string)
    // Closed first so open and overdue ones draw on top.
    const rank: Record<EventStatus, number> = { closed: 0, open: 1, overdue: 2 }
    points.value = [...byId.values()].sort((a, b) => rank[a.status] - rank[b.status])
  }

  async function load(): Promise<void> {
    const mine = ++seq
    const code = region.value
    try {
      const page = await api.events(code, { limit: 500 })
      if (mine !== seq) return
      byId.clear()
      const items = [...page.items].sort((a, b) => toMs(a.reported_at) - toMs(b.reported_at))
      for (const e of items) {
        if (!valid(e.lon, e.lat)) continue
        byId.set(e.event_id, { id: e.event_id, position: [e.lon, e.lat], status: summaryStatus(e), category: e.category, ts: toMs(e.reported_at), step: e.status })
      }
      publish()
    } catch {
      /* the map keeps what it has; the next poll retries */
    }
  }

  const off = live.onRecord((msg) => {
    if (msg.type !== 'events') return
    const e = msg.data
    if (!valid(e.lon, e.lat) || (e.grid_code && !e.grid_code.startsWith(region.value))) return
    byId.delete(e.event_id)
    byId.set(e.event_id, { id: e.event_id, position: [e.lon, e.lat], status: liveStatus(e, Date.now()), category: e.category, ts: toMs(e.ts), step: e.step })
    scheduleRepublish()
  })

  // Pushes can arrive dozens a second; rebuild the layer data at most twice a second.
  let pending: ReturnType<typeof setTimeout> | undefined
  function scheduleRepublish(): void {
    if (pending) return
    pending = setTimeout(() => {
      pending = undefined
      publish()
    }, 500)
  }

  watch(region, () => {
    byId.clear()
    points.value = []
    void load()
  }, { immediate: true })
  usePolling(() => void load(), 180_000)
  onScopeDispose(() => {
    off()
    clearTimeout(pending)
  })

  return points
}

/** Terminals of the current region with their latest status, kept current by pushes. */
export function useTerminalPoints(region: Ref<string>) {
  const live = useLiveStore()
  const points = shallowRef<TerminalPoint[]>([])
  const byId = new Map<string, TerminalPoint>()
  let seq = 0

  const toState = (s: string): TerminalState => (TERMINAL_STATES.has(s as TerminalState) ? (s as TerminalState) : 'offline')
  const publish = () => (points.value = [...byId.values()].sort((a, b) => Number(a.status !== 'online') - Number(b.status !== 'online')))

  async function load(): Promise<void> {
    const mine = ++seq
    try {
      const page = await api.terminals(region.value, { limit: 1000 })
      if (mine !== seq) return
      byId.clear()
      for (const t of page.items as TerminalSummary[]) {
        if (!valid(t.lon, t.lat)) continue
        byId.set(t.terminal_id, { id: t.terminal_id, position: [t.lon, t.lat], status: toState(t.status), site: t.site })
      }
      publish()
    } catch {
      /* keep the last known picture */
    }
  }

  const off = live.onRecord((msg) => {
    if (msg.type !== 'terminals') return
    const t: LiveTerminal = msg.data
    if (!valid(t.lon, t.lat) || (t.grid_code && !t.grid_code.startsWith(region.value))) return
    const prev = byId.get(t.terminal_id)
    byId.set(t.terminal_id, { id: t.terminal_id, position: [t.lon, t.lat], status: toState(t.status), site: t.site ?? prev?.site ?? '' })
    if (!prev || prev.status !== t.status) publish()
  })

  watch(region, () => {
    byId.clear()
    points.value = []
    void load()
  }, { immediate: true })
  usePolling(() => void load(), 120_000)
  onScopeDispose(off)

  return points
}
