import { randomUUID } from 'node:crypto'
import type { WSContext } from 'hono/ws'
import {
  ClientMessageSchema,
  type LiveEvent,
  type LiveTerminal,
  type LiveTicket,
  type Overview,
  type ServerMessage,
  type Topic,
  type User,
} from '#core/schemas/api.js'
import { ancestry } from '#core/regions.js'
import { deidentify } from '#core/personal.js'
import { PERSONAL_FIELDS, STREAMS, type StreamName } from '#core/schemas/records.js'
import { startOfDay } from '#core/time.js'
import { LIVE_WINDOW_MS, type StoredFeed } from '#platform/feed.js'
import type { Row } from '#store/rows.js'
import { log } from '#platform/log.js'
import { liveClients } from '#platform/metrics.js'
import type { AppContext } from '../context.js'
import { mayUseLive } from '../auth/roles.js'
import { judgeSession, verifySession, type SessionRefusal } from '#platform/auth/sessions.js'
import type { Session } from '#platform/auth/tokens.js'
import { overviewByRegion } from '../queries/overview.js'
import { iso } from '../queries/run.js'

interface Client {
  ws: WSContext
  user?: User
  /** The session the client authenticated with: swept for expiry and for changes of its user. */
  session?: Session
  /** Closes the socket if it has not authenticated in time. */
  authTimer?: NodeJS.Timeout
  region?: string
  topics: Set<Topic>
  /** Messages not sent to this client since it last caught up. */
  dropped: number
  /** Messages are handled one after another: a subscribe must see the auth sent before it. */
  queue: Promise<void>
}

/** A pushed record or alert kept for resuming clients. */
interface Entry {
  seq: number
  topic: Topic
  /** The grid of a record, the region of an alert. */
  place: string
  data: unknown
}

/** A bounded ring of recent entries of one district (or of the city for city-wide alerts). */
interface Ring {
  entries: Entry[]
  /** The highest seq pushed out of the ring: a client that saw less cannot be replayed from it. */
  evicted: number
}

export interface HubOptions {
  kpiIntervalMs?: number
  heartbeatMs?: number
  /** Records older than this are history (a backfill, a replay), not news: they are not pushed. */
  liveWindowMs?: number
  /** At most this many records per stored batch go to one client (the newest); the rest are counted as dropped. */
  maxPerBatch?: number
  /** A client whose socket has this many bytes unsent is skipped until it drains. */
  maxBufferedBytes?: number
  /** Entries kept per district for resuming clients. */
  ringSize?: number
  /** A socket that has not authenticated this long after opening is closed (4001). */
  authTimeoutMs?: number
  /** How often sessions are checked for expiry and for their user's removal or change. */
  sessionSweepMs?: number
}

/**
 * The `/api/v1/live` socket: each client subscribes to topics for one region in its scope and
 * receives stored records of that region as they arrive, and a KPI snapshot every few seconds.
 * Records and alerts are numbered (`seq`, per process `epoch`) and kept in a bounded ring per
 * district, so a client that reconnects is replayed what it missed or told to resync.
 */
export class LiveHub {
  readonly epoch = randomUUID()
  private seq = 0
  private readonly clients = new Set<Client>()
  /** Subscribed clients by their region: a record reaches the clients of its five ancestor codes. */
  private readonly byRegion = new Map<string, Set<Client>>()
  private readonly rings = new Map<string, Ring>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly unsubscribe: () => void
  private readonly unwatchUsers: () => void
  private readonly opts: Required<HubOptions>
  private kpiRunning = false
  /** The last KPI snapshot of each subscribed region, from the periodic round or a subscribe round. */
  private readonly kpiCache = new Map<string, { at: number; data: Overview }>()
  /** Regions whose first snapshot new subscribers wait for, answered together in one round. */
  private kpiWaiting = new Map<string, Array<(data: Overview | undefined) => void>>()
  private kpiRound: Promise<void> | undefined

  constructor(
    private readonly ctx: AppContext,
    feed: StoredFeed,
    opts: HubOptions = {},
  ) {
    this.opts = {
      kpiIntervalMs: 5000,
      heartbeatMs: 15000,
      liveWindowMs: LIVE_WINDOW_MS,
      maxPerBatch: 200,
      maxBufferedBytes: 4 << 20,
      ringSize: 2000,
      authTimeoutMs: 5000,
      sessionSweepMs: 5000,
      ...opts,
    }
    this.unsubscribe = feed.on((stream, rows) => this.onStored(stream, rows))
    this.timers.push(setInterval(() => void this.pushKpis(), this.opts.kpiIntervalMs))
    this.timers.push(
      setInterval(() => this.broadcast({ type: 'heartbeat', ts: new Date().toISOString() }), this.opts.heartbeatMs),
    )
    // Sessions end on the socket as they do on HTTP: at expiry, and when the users file drops or changes the user.
    this.timers.push(setInterval(() => this.sweepSessions(), this.opts.sessionSweepMs))
    this.unwatchUsers = ctx.users.onChange(() => this.sweepSessions())
  }

  /** Handlers for hono's upgradeWebSocket. `tokenFromQuery` authenticates at once when given. */
  handlers(tokenFromQuery: string | undefined) {
    const client: Client = {
      ws: undefined as unknown as WSContext,
      topics: new Set(),
      dropped: 0,
      queue: Promise.resolve(),
    }
    return {
      onOpen: async (_evt: Event, ws: WSContext) => {
        client.ws = ws
        this.clients.add(client)
        liveClients.set(this.clients.size)
        client.authTimer = setTimeout(() => {
          if (!client.user)
            this.refuse(client, {
              code: 'unauthorized',
              message: `authenticate within ${this.opts.authTimeoutMs / 1000} s: {"type":"auth","token":…}`,
            })
        }, this.opts.authTimeoutMs)
        if (tokenFromQuery) this.enqueue(client, () => this.authenticate(client, tokenFromQuery))
      },
      onMessage: (evt: MessageEvent, ws: WSContext) => {
        client.ws = ws
        this.enqueue(client, () => this.onMessage(client, evt.data))
      },
      onClose: () => {
        clearTimeout(client.authTimer)
        this.leave(client)
        this.clients.delete(client)
        liveClients.set(this.clients.size)
      },
    }
  }

  /** Connected clients and the memory the rings hold, for /metrics and the benchmark. */
  stats() {
    let entries = 0
    for (const r of this.rings.values()) entries += r.entries.length
    return { clients: this.clients.size, seq: this.seq, ringEntries: entries }
  }

  close(): void {
    this.unsubscribe()
    this.unwatchUsers()
    for (const t of this.timers) clearInterval(t)
    for (const c of this.clients) {
      clearTimeout(c.authTimer)
      c.ws.close(1001, 'server shutting down')
    }
    this.clients.clear()
    this.byRegion.clear()
  }

  private enqueue(client: Client, work: () => Promise<unknown>): void {
    client.queue = client.queue.then(work).then(
      () => undefined,
      (err) => log.warn({ err }, 'live message failed'),
    )
  }

  /** A first `auth`, or a later one with a renewed token: the socket then lives as long as the new session. */
  private async authenticate(client: Client, token: string): Promise<boolean> {
    const verdict = await verifySession(this.ctx, token)
    if (!verdict.ok) {
      this.refuse(client, verdict)
      return false
    }
    const { user } = verdict.session
    if (!mayUseLive(user.role)) {
      this.send(client, { type: 'error', code: 'forbidden', message: `role ${user.role} may not use the live socket` })
      client.ws.close(4003, 'forbidden')
      return false
    }
    clearTimeout(client.authTimer)
    client.user = user
    client.session = verdict.session
    // A new token may carry a narrower region: a subscription outside it ends.
    if (client.region && !client.region.startsWith(user.region)) {
      this.send(client, {
        type: 'error',
        code: 'forbidden',
        message: `region ${client.region} is outside your scope ${user.region}`,
      })
      this.leave(client)
      client.topics.clear()
    }
    return true
  }

  /** Close a client's socket with the reason its session does not stand (4001, after an `error` message). */
  private refuse(client: Client, why: SessionRefusal): void {
    client.user = undefined
    client.session = undefined
    this.send(client, { type: 'error', code: why.code, message: why.message })
    client.ws.close(4001, why.code)
  }

  /** Close the sockets whose session expired or whose user was removed or changed in the directory. */
  private sweepSessions(): void {
    const now = this.ctx.now()
    for (const client of this.clients) {
      if (!client.session) continue
      const verdict = judgeSession(client.session, this.ctx.users, now)
      if (!verdict.ok) this.refuse(client, verdict)
    }
  }

  private leave(client: Client): void {
    if (!client.region) return
    const set = this.byRegion.get(client.region)
    set?.delete(client)
    if (set?.size === 0) this.byRegion.delete(client.region)
    client.region = undefined
  }

  private async onMessage(client: Client, data: unknown): Promise<void> {
    let parsed
    try {
      parsed = ClientMessageSchema.safeParse(JSON.parse(String(data)))
    } catch {
      return this.send(client, { type: 'error', code: 'bad_message', message: 'messages are JSON' })
    }
    if (!parsed.success) {
      return this.send(client, {
        type: 'error',
        code: 'bad_message',
        message: `${parsed.error.issues[0].path.join('.') || 'message'}: ${parsed.error.issues[0].message}`,
      })
    }
    const msg = parsed.data
    if (msg.type === 'auth') {
      await this.authenticate(client, msg.token)
      return
    }
    if (msg.type === 'ping') return this.send(client, { type: 'heartbeat', ts: new Date().toISOString() })
    if (!client.user)
      return this.send(client, {
        type: 'error',
        code: 'unauthorized',
        message: 'authenticate first: {"type":"auth","token":…}',
      })
    if (msg.type === 'unsubscribe') {
      this.leave(client)
      client.topics.clear()
      return
    }
    if (!this.ctx.city.get(msg.region))
      return this.send(client, { type: 'error', code: 'not_found', message: `no region ${msg.region}` })
    if (!msg.region.startsWith(client.user.region)) {
      return this.send(client, {
        type: 'error',
        code: 'forbidden',
        message: `region ${msg.region} is outside your scope ${client.user.region}`,
      })
    }
    this.leave(client)
    client.region = msg.region
    client.topics = new Set(msg.topics)
    client.dropped = 0
    let set = this.byRegion.get(msg.region)
    if (!set) this.byRegion.set(msg.region, (set = new Set()))
    set.add(client)

    const missed = msg.since === undefined ? undefined : this.missed(msg.region, client.topics, msg.since, msg.epoch)
    this.send(client, {
      type: 'subscribed',
      region: msg.region,
      topics: [...client.topics],
      epoch: this.epoch,
      seq: this.seq,
      ...(missed ? { replayed: missed.length } : {}),
    })
    if (msg.since !== undefined) {
      if (missed) {
        this.sendRaw(
          client,
          missed.map((e) => JSON.stringify({ type: e.topic, region: msg.region, seq: e.seq, data: e.data })),
        )
      } else {
        const reason =
          msg.epoch !== this.epoch
            ? 'another server process, or this one restarted'
            : 'older than what this server keeps'
        this.send(client, { type: 'resync', region: msg.region, reason, epoch: this.epoch, seq: this.seq })
      }
    }
    if (client.topics.has('kpi')) {
      const data = await this.firstKpi(msg.region)
      if (data && client.region === msg.region) this.send(client, { type: 'kpi', region: msg.region, data })
    }
  }

  /** What a client of `region` missed after `since`, or undefined when the rings no longer hold all of it. */
  private missed(region: string, topics: Set<Topic>, since: number, epoch: string | undefined): Entry[] | undefined {
    if (epoch !== this.epoch || since > this.seq) return undefined
    const rings =
      region.length <= 4
        ? [...this.rings.entries()].filter(([k]) => k.startsWith(region)).map(([, r]) => r)
        : [this.rings.get(region.slice(0, 6))]
    const out: Entry[] = []
    for (const ring of rings) {
      if (!ring) continue
      if (ring.evicted > since) return undefined
      for (const e of ring.entries) if (e.seq > since && topics.has(e.topic) && e.place.startsWith(region)) out.push(e)
    }
    return out.sort((a, b) => a.seq - b.seq)
  }

  private remember(entry: Entry): void {
    const key = entry.place.slice(0, 6)
    let ring = this.rings.get(key)
    if (!ring) this.rings.set(key, (ring = { entries: [], evicted: 0 }))
    ring.entries.push(entry)
    // Drop the oldest in chunks: one splice per 10 % of the ring rather than a shift per entry.
    if (ring.entries.length > this.opts.ringSize * 1.1) {
      const cut = ring.entries.length - this.opts.ringSize
      ring.evicted = ring.entries[cut - 1].seq
      ring.entries.splice(0, cut)
    }
  }

  private onStored(stream: StreamName, rows: Row[]): void {
    const topic = STREAMS[stream].topic
    const cutoff = this.ctx.now() - this.opts.liveWindowMs
    const perClient = new Map<Client, string[]>()
    for (const r of rows) {
      if ((r.ts as number) < cutoff) continue
      const place = String(r.grid_code)
      const entry: Entry = {
        seq: ++this.seq,
        topic,
        place,
        data: liveRecord(stream, r, (grid) => this.ctx.city.get(grid)?.centroid),
      }
      this.remember(entry)
      this.deliver(entry, ancestry(place), perClient)
    }
    for (const [client, texts] of perClient) {
      // The newest records matter most to a screen: at most maxPerBatch per stored batch, the last ones.
      if (texts.length > this.opts.maxPerBatch) {
        client.dropped += texts.length - this.opts.maxPerBatch
        texts.splice(0, texts.length - this.opts.maxPerBatch)
      }
      this.sendRaw(client, texts)
    }
  }

  /** Queue an entry for the subscribers of each code, serialized once per code. */
  private deliver(entry: Entry, codes: string[], perClient: Map<Client, string[]>): void {
    for (const code of codes) {
      const set = this.byRegion.get(code)
      if (!set) continue
      let text: string | undefined
      for (const client of set) {
        if (!client.topics.has(entry.topic)) continue
        let list = perClient.get(client)
        if (!list) perClient.set(client, (list = []))
        text ??= JSON.stringify({ type: entry.topic, region: code, seq: entry.seq, data: entry.data })
        list.push(text)
      }
    }
  }

  /**
   * Push one message on `topic` about `region` to every client subscribed to that topic whose
   * region contains it (a district's alert reaches the city wall and that district's tablet).
   */
  publish(topic: 'alerts', region: string, data: unknown): void {
    const entry: Entry = { seq: ++this.seq, topic, place: region, data }
    this.remember(entry)
    const perClient = new Map<Client, string[]>()
    this.deliver(entry, ancestry(region), perClient)
    for (const [client, texts] of perClient) this.sendRaw(client, texts)
  }

  /**
   * The snapshot a new subscriber gets at once: the region's latest if it is younger than a round,
   * else one computed in a shared round with every other region asked for meanwhile. A wall of
   * screens reconnecting (thousands of subscribes in a second) then costs a few grouped queries,
   * not three per client — which queued ingest's inserts behind them for a minute (docs/performance.md).
   */
  private firstKpi(region: string): Promise<Overview | undefined> {
    const hit = this.kpiCache.get(region)
    if (hit && this.ctx.now() - hit.at < this.opts.kpiIntervalMs) return Promise.resolve(hit.data)
    return new Promise((resolve) => {
      const list = this.kpiWaiting.get(region)
      if (list) list.push(resolve)
      else this.kpiWaiting.set(region, [resolve])
      this.kpiRound ??= this.answerWaiting()
    })
  }

  private async answerWaiting(): Promise<void> {
    // Let the rest of a burst of subscribes arrive first.
    await new Promise((r) => setImmediate(r))
    while (this.kpiWaiting.size) {
      const waiting = this.kpiWaiting
      this.kpiWaiting = new Map()
      const got = await this.kpis([...waiting.keys()])
      for (const [region, resolvers] of waiting) for (const resolve of resolvers) resolve(got.get(region))
    }
    this.kpiRound = undefined
  }

  private async pushKpis(): Promise<void> {
    // A slow store must not pile up snapshot rounds.
    if (this.kpiRunning) return
    this.kpiRunning = true
    try {
      const regions = [...this.byRegion.entries()]
        .filter(([, set]) => [...set].some((c) => c.topics.has('kpi')))
        .map(([r]) => r)
      const subscribed = new Set(regions)
      for (const r of this.kpiCache.keys()) if (!subscribed.has(r)) this.kpiCache.delete(r)
      if (regions.length === 0) return
      const snapshots = await this.kpis(regions)
      for (const [region, data] of snapshots) {
        const text = JSON.stringify({ type: 'kpi', region, data })
        for (const c of this.byRegion.get(region) ?? []) if (c.topics.has('kpi')) this.sendRaw(c, [text])
      }
    } finally {
      this.kpiRunning = false
    }
  }

  private async kpis(regions: string[]): Promise<Map<string, Overview>> {
    const now = this.ctx.now()
    try {
      const got = await overviewByRegion(this.ctx.store, regions, {
        from: startOfDay(now, this.ctx.tz),
        to: now + 1,
        now,
        silenceMs: this.ctx.terminalSilenceMs,
      })
      for (const [region, data] of got) this.kpiCache.set(region, { at: now, data })
      return got
    } catch (err) {
      log.warn({ err, regions: regions.length }, 'kpi snapshot failed')
      return new Map()
    }
  }

  private broadcast(msg: ServerMessage): void {
    const text = JSON.stringify(msg)
    for (const c of this.clients) this.sendRaw(c, [text], true)
  }

  private send(client: Client, msg: ServerMessage): void {
    this.sendRaw(
      client,
      [JSON.stringify(msg)],
      msg.type !== 'kpi' &&
        msg.type !== 'events' &&
        msg.type !== 'tickets' &&
        msg.type !== 'terminals' &&
        msg.type !== 'alerts',
    )
  }

  /**
   * Write messages to one client in one go. A slow tablet must not grow our memory or slow the
   * wall: while its socket has more than maxBufferedBytes unsent, data is skipped and counted, and
   * once it drains it is told how many messages it missed (it can resume from its last seq).
   */
  private sendRaw(client: Client, texts: string[], control = false): void {
    if (client.ws.readyState !== 1 || texts.length === 0) return
    const raw = client.ws.raw as { bufferedAmount?: number; _socket?: { cork(): void; uncork(): void } } | undefined
    if (!control && (raw?.bufferedAmount ?? 0) > this.opts.maxBufferedBytes) {
      client.dropped += texts.length
      return
    }
    const socket = raw?._socket
    socket?.cork()
    if (client.dropped > 0 && !control) {
      client.ws.send(JSON.stringify({ type: 'dropped', count: client.dropped, seq: this.seq } satisfies ServerMessage))
      client.dropped = 0
    }
    for (const t of texts) client.ws.send(t)
    // One write for the batch: the kernel sees one segment train, not a syscall per record.
    if (socket) process.nextTick(() => socket.uncork())
  }
}

/**
 * A stored row as the socket sends it: times as ISO text (rows from the sink carry epoch ms, rows
 * read back DateTime text), and de-identified (core/personal.ts) for every role: a wall is seen by
 * the room, and a record's personal data is read on its page, where the read is audited.
 */
export function liveRecord(
  stream: StreamName,
  r: Row,
  centre: (grid: string) => readonly [number, number] | undefined,
): LiveRecord {
  const out: Record<string, unknown> = {
    ...deidentify(r, PERSONAL_FIELDS[stream], () => centre(String(r.grid_code))),
    ts: new Date(r.ts as number).toISOString(),
  }
  if (typeof r.deadline === 'number') out.deadline = new Date(r.deadline).toISOString()
  else if (typeof r.deadline === 'string') out.deadline = iso(r.deadline)
  // A row is the stored form of a record its stream's schema validated, so it has that record's fields.
  return out as unknown as LiveRecord
}
type LiveRecord = LiveEvent | LiveTicket | LiveTerminal
