import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { LiveEvent, LiveTerminal, LiveTicket, Overview, ServerMessage as LiveMessage } from '#core/schemas/api'

export type LiveStatus = 'idle' | 'connecting' | 'live' | 'reconnecting'

export interface FeedItem {
  key: string
  kind: 'event' | 'ticket'
  id: string
  ts: string
  step: string
  category: string
  gridCode: string
  place: string | undefined
}

type RecordListener = (msg: Extract<LiveMessage, { type: 'events' | 'tickets' | 'terminals' }>) => void

/** Kept larger than what the feed shows so that drilling in still finds recent local items. */
const FEED_BUFFER = 300

/** What the live socket brings: connection state, the newest KPI snapshot and the record feed. */
export const useLiveStore = defineStore('live', () => {
  const status = ref<LiveStatus>('idle')
  const lastError = ref<string | null>(null)
  const kpi = shallowRef<Overview | null>(null)
  const feed = shallowRef<FeedItem[]>([])
  const listeners = new Set<RecordListener>()

  function setStatus(s: LiveStatus): void {
    status.value = s
  }

  function pushFeed(item: FeedItem): void {
    const next = [item, ...feed.value.filter((f) => f.key !== item.key)]
    if (next.length > FEED_BUFFER) next.length = FEED_BUFFER
    feed.value = next
  }

  /** Older records fetched over HTTP, so a freshly drilled-in feed is not empty; pushes stay on top. */
  function seed(items: FeedItem[]): void {
    const seen = new Set(feed.value.map((f) => f.key))
    const merged = [...feed.value, ...items.filter((i) => !seen.has(i.key))]
    merged.sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts))
    if (merged.length > FEED_BUFFER) merged.length = FEED_BUFFER
    feed.value = merged
  }

  function handle(msg: LiveMessage): void {
    switch (msg.type) {
      case 'kpi':
        kpi.value = msg.data
        break
      case 'events':
        pushFeed(eventItem(msg.data))
        emit(msg)
        break
      case 'tickets':
        pushFeed(ticketItem(msg.data))
        emit(msg)
        break
      case 'terminals':
        emit(msg)
        break
      case 'subscribed':
        lastError.value = null
        break
      case 'error':
        lastError.value = `${msg.code}: ${msg.message}`
        break
      default:
        break
    }
  }

  function emit(msg: Parameters<RecordListener>[0]): void {
    for (const l of listeners) l(msg)
  }

  /** Subscribe to pushed records; returns the unsubscribe function. */
  function onRecord(fn: RecordListener): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  }

  function reset(): void {
    kpi.value = null
    feed.value = []
    lastError.value = null
  }

  return { status, lastError, kpi, feed, setStatus, handle, seed, onRecord, reset }
})

function eventItem(e: LiveEvent): FeedItem {
  return {
    key: `e:${e.event_id}:${e.step}:${e.ts}`,
    kind: 'event',
    id: e.event_id,
    ts: String(e.ts),
    step: e.step,
    category: e.category,
    gridCode: e.grid_code ?? '',
    place: undefined,
  }
}

function ticketItem(t: LiveTicket): FeedItem {
  return {
    key: `t:${t.ticket_id}:${t.step}:${t.ts}`,
    kind: 'ticket',
    id: t.ticket_id,
    ts: String(t.ts),
    step: t.step,
    category: t.category,
    gridCode: t.grid_code ?? '',
    place: t.address || undefined,
  }
}

export type { LiveEvent, LiveTerminal, LiveTicket }
