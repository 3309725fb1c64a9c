import { AlertSchema, type Alert } from '#core/schemas/alert'

/**
 * A socket of its own on /api/v1/live subscribed to the `alerts` topic of one region: the screen's
 * main socket carries records and KPIs, and alerts must arrive even when it is busy. Reconnects with
 * a growing delay; `close()` ends it.
 */
export function openAlertSocket(token: string, region: string, onAlert: (a: Alert) => void): { close: () => void } {
  let ws: WebSocket | null = null
  let stopped = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  function connect(): void {
    if (stopped) return
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    const sock = new WebSocket(`${proto}://${location.host}/api/v1/live?token=${encodeURIComponent(token)}`)
    ws = sock
    sock.onopen = () => {
      attempt = 0
      sock.send(JSON.stringify({ type: 'subscribe', topics: ['alerts'], region }))
    }
    sock.onmessage = (ev: MessageEvent) => {
      let msg: { type?: string; data?: unknown }
      try {
        msg = JSON.parse(String(ev.data)) as { type?: string; data?: unknown }
      } catch {
        return
      }
      if (msg.type !== 'alerts') return
      const parsed = AlertSchema.safeParse(msg.data)
      if (parsed.success) onAlert(parsed.data)
    }
    sock.onclose = () => {
      if (stopped) return
      const delay = Math.min(30_000, 1000 * 2 ** attempt++) * (0.5 + Math.random() / 2)
      timer = setTimeout(connect, delay)
    }
  }
  connect()
  return {
    close() {
      stopped = true
      clearTimeout(timer)
      ws?.close()
    },
  }
}
