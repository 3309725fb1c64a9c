import type { WSContext } from 'hono/ws'
import {
  ClientMessageSchema,
  type LiveEvent,
  type LiveTerminal,
  type LiveTicket,
  type ServerMessage,
  type Topic,
  type User,
} from '../../core/schemas/api.js'
import { STREAMS, type StreamName } from '../../core/schemas/records.js'
import { startOfDay } from '../../core/time.js'
import type { StoredFeed } from '../../ingest/bus.js'
import type { Row } from '../../ingest/sink/rows.js'
import { log } from '../../server/log.js'
import { liveClients } from '../../server/metrics.js'
import type { AppContext } from '../context.js'
import { overview } from '../queries/overview.js'
import { mayUseLive } from '../auth/roles.js'
import { iso } from '../queries/run.js'

interface Client {
  ws: WSContext
  user?: User
  region?: string
  topics: Set<Topic>
  dropped: number
  /** Messages are handled one after another: a subscribe must see the auth sent before it. */
  queue: Promise<void>
}

export interface HubOptions {
  kpiIntervalMs?: number
  heartbeatMs?: number
  /** Records older than this are history (a backfill, a replay), not news: they are not pushed. */
  liveWindowMs?: number
  /** At most this many records per topic per stored batch go to one client; the rest are counted as dropped. */
  maxPerBatch?: number
  /** A client whose socket has this many bytes unsent is skipped until it drains. */
  maxBufferedBytes?: number
}

/**
 * The `/api/v1/live` socket: each client subscribes to topics for one region in its scope and
 * receives stored records of that region as they arrive, and a KPI snapshot every few seconds.
 */
export class LiveHub {
  private readonly clients = new Set<Client>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly unsubscribe: () => void
  private readonly opts: Required<HubOptions>

  constructor(
    private readonly ctx: AppContext,
    feed: StoredFeed,
    opts: HubOptions = {},
  ) {
    this.opts = { kpiIntervalMs: 5000, heartbeatMs: 15000, liveWindowMs: 15 * 60_000, maxPerBatch: 200, maxBufferedBytes: 4 << 20, ...opts }
    this.unsubscribe = feed.on((stream, rows) => this.onStored(stream, rows))
    this.timers.push(setInterval(() => void this.pushKpis(), this.opts.kpiIntervalMs))
    this.timers.push(setInterval(() => this.broadcast({ type: 'heartbeat', ts: new Date().toISOString() }), this.opts.heartbeatMs))
  }

  /** Handlers for hono's upgradeWebSocket. `tokenFromQuery` authenticates at once when given. */
  handlers(tokenFromQuery: string | undefined) {
    const client: Client = { ws: undefined as unknown as WSContext, topics: new Set(), dropped: 0, queue: Promise.resolve() }
    return {
      onOpen: async (_evt: Event, ws: WSContext) => {
        client.ws = ws
        this.clients.add(client)
        liveClients.set(this.clients.size)
        if (tokenFromQuery) this.enqueue(client, () => this.authenticate(client, tokenFromQuery))
      },
      onMessage: (evt: MessageEvent, ws: WSContext) => {
        client.ws = ws
        this.enqueue(client, () => this.onMessage(client, evt.data))
      },
      onClose: () => {
        this.clients.delete(client)
        liveClients.set(this.clients.size)
      },
    }
  }

  close(): void {
    this.unsubscribe()
    for (const t of this.timers) clearInterval(t)
    for (const c of this.clients) c.ws.close(1001, 'server shutting down')
    this.clients.clear()
  }

  private enqueue(client: Client, work: () => Promise<unknown>): void {
    client.queue = client.queue.then(work).then(
      () => undefined,
      (err) => log.warn({ err }, 'live message failed'),
    )
  }

  private async authenticate(client: Client, token: string): Promise<boolean> {
    const user = await this.ctx.tokens.verify(token)
    if (!user) {
      this.send(client, { type: 'error', code: 'unauthorized', message: 'the token is not valid or has expired' })
      client.ws.close(4001, 'unauthorized')
      return false
    }
    if (!mayUseLive(user.role)) {
      this.send(client, { type: 'error', code: 'forbidden', message: `role ${user.role} may not use the live socket` })
      client.ws.close(4003, 'forbidden')
      return false
    }
    client.user = user
    return true
  }

  private async onMessage(client: Client, data: unknown): Promise<void> {
    let parsed
    try {
      parsed = ClientMessageSchema.safeParse(JSON.parse(String(data)))
    } catch {
      return this.send(client, { type: 'error', code: 'bad_message', message: 'messages are JSON' })
    }
    if (!parsed.success) {
      return this.send(client, { type: 'error', code: 'bad_message', message: `${parsed.error.issues[0].path.join('.') || 'message'}: ${parsed.error.issues[0].message}` })
    }
    const msg = parsed.data
    if (msg.type === 'auth') {
      await this.authenticate(client, msg.token)
      return
    }
    if (msg.type === 'ping') return this.send(client, { type: 'heartbeat', ts: new Date().toISOString() })
    if (!client.user) return this.send(client, { type: 'error', code: 'unauthorized', message: 'authenticate first: {"type":"auth","token":…}' })
    if (msg.type === 'unsubscribe') {
      client.topics.clear()
      client.region = undefined
      return
    }
    if (!this.ctx.city.get(msg.region)) return this.send(client, { type: 'error', code: 'not_found', message: `no region ${msg.region}` })
    if (!msg.region.startsWith(client.user.region)) {
      return this.send(client, { type: 'error', code: 'forbidden', message: `region ${msg.region} is outside your scope ${client.user.region}` })
    }
    client.region = msg.region
    client.topics = new Set(msg.topics)
    this.send(client, { type: 'subscribed', region: msg.region, topics: [...client.topics] })
    if (client.topics.has('kpi')) {
      const data = await this.kpi(msg.region)
      if (data && client.region === msg.region) this.send(client, { type: 'kpi', region: msg.region, data })
    }
  }

  private onStored(stream: StreamName, rows: Row[]): void {
    const topic = STREAMS[stream].topic
    const cutoff = this.ctx.now() - this.opts.liveWindowMs
    const fresh = rows.filter((r) => (r.ts as number) >= cutoff)
    if (fresh.length === 0) return
    for (const client of this.clients) {
      if (!client.region || !client.topics.has(topic)) continue
      const region = client.region
      const mine = fresh.filter((r) => String(r.grid_code).startsWith(region))
      const sent = mine.slice(-this.opts.maxPerBatch)
      client.dropped += mine.length - sent.length
      // The rows are the stored form of records this stream's schema validated: the topic's record type.
      for (const r of sent) this.send(client, { type: topic, region, data: liveRecord(r) } as ServerMessage)
    }
  }

  /**
   * Push one message on `topic` about `region` to every client subscribed to that topic whose
   * region contains it (a district's alert reaches the city wall and that district's tablet).
   */
  publish(topic: 'alerts', region: string, data: unknown): void {
    for (const client of this.clients) {
      if (!client.region || !client.topics.has(topic) || !region.startsWith(client.region)) continue
      this.send(client, { type: topic, region, data })
    }
  }

  private async pushKpis(): Promise<void> {
    const regions = new Set<string>()
    for (const c of this.clients) if (c.region && c.topics.has('kpi')) regions.add(c.region)
    for (const region of regions) {
      const data = await this.kpi(region)
      if (!data) continue
      for (const c of this.clients) if (c.region === region && c.topics.has('kpi')) this.send(c, { type: 'kpi', region, data })
    }
  }

  private async kpi(region: string) {
    const now = this.ctx.now()
    try {
      return await overview(this.ctx.store, { region, from: startOfDay(now, this.ctx.tz), to: now + 1, now })
    } catch (err) {
      log.warn({ err, region }, 'kpi snapshot failed')
      return undefined
    }
  }

  private broadcast(msg: ServerMessage): void {
    for (const c of this.clients) this.send(c, msg)
  }

  private send(client: Client, msg: ServerMessage): void {
    if (client.ws.readyState !== 1) return
    const raw = client.ws.raw as { bufferedAmount?: number } | undefined
    // A slow tablet must not grow our memory or slow the wall: skip it until its socket drains.
    if ((raw?.bufferedAmount ?? 0) > this.opts.maxBufferedBytes && msg.type !== 'heartbeat') {
      client.dropped++
      return
    }
    client.ws.send(JSON.stringify(msg))
  }
}

/** A stored row as the socket sends it: times as ISO text (rows from the sink carry epoch ms, rows read back DateTime text). */
export function liveRecord(r: Row): LiveRecord {
  const out: Record<string, unknown> = { ...r, ts: new Date(r.ts as number).toISOString() }
  if (typeof r.deadline === 'number') out.deadline = new Date(r.deadline).toISOString()
  else if (typeof r.deadline === 'string') out.deadline = iso(r.deadline)
  // A row is the stored form of a record its stream's schema validated, so it has that record's fields.
  return out as unknown as LiveRecord
}
type LiveRecord = LiveEvent | LiveTicket | LiveTerminal
