import { onScopeDispose, watch, type Ref } from 'vue'
import type { ServerMessage as LiveMessage, Topic } from '#core/schemas/api'
import { renewSession } from '../api'
import { useLiveStore } from '../stores/live'

const TOPICS: Topic[] = ['events', 'tickets', 'terminals', 'kpi']
/** The server sends heartbeats; this long without any message means the link is dead. */
const SILENCE_MS = 30_000
const PING_MS = 15_000
const MAX_BACKOFF_MS = 30_000
/** A socket refused for its session asks for a renewal at most this often (a refusal loop must not hammer the api). */
const RENEW_AFTER_REFUSAL_MS = 60_000

/**
 * Keeps one WebSocket to /api/v1/live open for as long as the calling component lives:
 * subscribes for the current region (again when it changes), reconnects with jittered exponential
 * backoff when the socket closes or falls silent, and closes everything on unmount.
 */
export function useLiveSocket(token: Ref<string | null>, region: Ref<string>): void {
  const live = useLiveStore()
  let ws: WebSocket | null = null
  let attempt = 0
  let lastMessage = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  let lastRenewal = 0

  function url(t: string): string {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    return `${proto}://${location.host}/api/v1/live?token=${encodeURIComponent(t)}`
  }

  function send(msg: object): void {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg))
  }

  function subscribe(): void {
    send({ type: 'subscribe', topics: TOPICS, region: region.value })
  }

  function connect(): void {
    clearTimeout(reconnectTimer)
    const t = token.value
    if (stopped || !t) return
    live.setStatus(attempt === 0 ? 'connecting' : 'reconnecting')
    const sock = new WebSocket(url(t))
    ws = sock
    lastMessage = Date.now()
    sock.onopen = () => {
      lastMessage = Date.now()
      subscribe()
    }
    sock.onmessage = (ev: MessageEvent) => {
      lastMessage = Date.now()
      let msg: LiveMessage
      try {
        msg = JSON.parse(String(ev.data)) as LiveMessage
      } catch {
        return
      }
      if (msg.type === 'subscribed' || msg.type === 'heartbeat' || msg.type === 'kpi') {
        if (live.status !== 'live') live.setStatus('live')
        attempt = 0
      }
      if (isForCurrentRegion(msg, region.value)) live.handle(msg)
    }
    sock.onclose = (ev: CloseEvent) => {
      // 4001: the server refused the session (expired, account removed or changed). Reconnecting
      // with the same token will not help: renew it (a new token reconnects through the watcher
      // below; a refused renewal signs out) and meanwhile back off.
      if (ev.code === 4001) {
        attempt = 10
        if (Date.now() - lastRenewal > RENEW_AFTER_REFUSAL_MS) {
          lastRenewal = Date.now()
          renewSession().catch(() => undefined)
        }
      }
      if (ws === sock) drop()
    }
  }

  /** Forget the current socket (without waiting for a dead TCP link to time out) and retry later. */
  function drop(): void {
    const sock = ws
    ws = null
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = null
      try {
        sock.close()
      } catch {
        /* already closed */
      }
    }
    if (stopped) return
    live.setStatus('reconnecting')
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt)
    attempt = Math.min(attempt + 1, 10)
    reconnectTimer = setTimeout(connect, base / 2 + Math.random() * (base / 2))
  }

  const watchdog = setInterval(() => {
    if (ws && Date.now() - lastMessage > SILENCE_MS) drop()
  }, 5_000)
  const pinger = setInterval(() => send({ type: 'ping' }), PING_MS)

  watch(region, () => subscribe())
  watch(token, () => {
    attempt = 0
    // A renewed token is sent on the open socket, which then lives as long as the new session.
    if (token.value && ws?.readyState === WebSocket.OPEN) {
      send({ type: 'auth', token: token.value })
      return
    }
    drop()
    if (token.value) connect()
  })

  connect()

  onScopeDispose(() => {
    stopped = true
    clearTimeout(reconnectTimer)
    clearInterval(watchdog)
    clearInterval(pinger)
    const sock = ws
    ws = null
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = null
      sock.close(1000)
    }
    live.setStatus('idle')
  })
}

/** Messages for a region we have just left may still be in flight after a re-subscribe. */
function isForCurrentRegion(msg: LiveMessage, region: string): boolean {
  switch (msg.type) {
    case 'kpi':
      return msg.region === region
    case 'events':
    case 'tickets':
    case 'terminals': {
      const grid = (msg.data as { grid_code?: string } | null)?.grid_code
      return !grid || grid.startsWith(region)
    }
    default:
      return true
  }
}
