import type { StreamName } from '#core/schemas/records.js'
import { LIVE_WINDOW_MS, type StoredFeed } from '#platform/feed.js'
import { TABLES, rowKey, type Row } from '#store/rows.js'
import { sql } from '#store/sql.js'
import { log } from '#platform/log.js'
import type { Store } from '#store/client.js'

export interface TailFeedOptions {
  intervalMs?: number
  /** Only records newer than this (by `ts`) are news. */
  windowMs?: number
  /**
   * How far behind its watermark each poll reads again. `ingested_at` is set when an insert starts,
   * and an insert can become visible after a later one: a row stamped before the watermark but
   * committed after the last poll would be missed. Rows re-read in the overlap are recognised by
   * their key and sent once. A commit later than this overlap is the one case still missed; the
   * cost is re-reading the overlap's rows each poll (about 6,000 at 2,000 records per second).
   */
  overlapMs?: number
  /** At most this many rows per stream per poll. */
  maxRows?: number
}

/**
 * Live records for an api process that does not share a process with ingest: each api node reads
 * what was stored since its own watermark (by `ingested_at`), so every node delivers every record
 * to its own clients with no bus between them. Only recent records (by `ts`) are read: the live
 * socket pushes news, not history, and the `ts` bound lets ClickHouse skip old partitions.
 */
export class TailFeed implements StoredFeed {
  private readonly listeners = new Set<(stream: StreamName, rows: Row[]) => void>()
  private readonly watermarks = new Map<StreamName, number>()
  /** Keys sent within the overlap, with their ingested_at: a re-read row is not sent twice. */
  private readonly seen = new Map<StreamName, Map<string, number>>()
  private timer: NodeJS.Timeout | undefined
  private running = false
  private startedAt = 0
  private readonly opts: Required<TailFeedOptions>

  constructor(
    private readonly store: Store,
    intervalMs: number | TailFeedOptions = 1000,
    windowMs = LIVE_WINDOW_MS,
  ) {
    const o = typeof intervalMs === 'number' ? { intervalMs, windowMs } : intervalMs
    this.opts = { intervalMs: 1000, windowMs: LIVE_WINDOW_MS, overlapMs: 3000, maxRows: 50_000, ...o }
  }

  on(listener: (stream: StreamName, rows: Row[]) => void): () => void {
    this.listeners.add(listener)
    if (!this.timer) {
      const start = Date.now()
      this.startedAt = start
      for (const s of Object.keys(TABLES) as StreamName[]) {
        this.watermarks.set(s, start)
        this.seen.set(s, new Map())
      }
      this.timer = setInterval(() => void this.poll(), this.opts.intervalMs)
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && this.timer) clearInterval(this.timer)
      if (this.listeners.size === 0) this.timer = undefined
    }
  }

  /** One read of every stream; exposed for tests and benchmarks that drive the feed themselves. */
  async poll(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (const stream of Object.keys(TABLES) as StreamName[]) {
        // Stopped while reading (the last listener left, the process is closing the store): read no more.
        if (this.listeners.size === 0) return
        await this.pollStream(stream)
      }
    } catch (err) {
      log.warn({ err }, 'live tail failed; retrying')
    } finally {
      this.running = false
    }
  }

  private async pollStream(stream: StreamName): Promise<void> {
    const { table } = TABLES[stream]
    const wm = this.watermarks.get(stream) ?? Date.now()
    const seen = this.seen.get(stream) ?? new Map<string, number>()
    // The aliases must not reuse a column name: ClickHouse would read the alias in WHERE.
    const q = sql`SELECT * EXCEPT (ingested_at), toUnixTimestamp64Milli(ts) AS ts_ms, toUnixTimestamp64Milli(ingested_at) AS at_ms
              FROM ${sql.identifier(table)}
              WHERE ts >= ${sql.ms(Date.now() - this.opts.windowMs)} AND ingested_at > ${sql.ms(wm - this.opts.overlapMs)}
              ORDER BY ingested_at LIMIT ${sql.uint32(this.opts.maxRows)}`
    const rs = await this.store.query({ ...q.toQuery(), format: 'JSONEachRow' })
    const got = await rs.json<Row & { at_ms: string; ts_ms: string }>()
    if (got.length === this.opts.maxRows)
      log.warn({ stream, rows: got.length }, 'live tail read its row limit: records may be late')
    let watermark = wm
    const fresh: Row[] = []
    for (const { at_ms, ts_ms, ...r } of got) {
      const row = { ...r, ts: Number(ts_ms) }
      const at = Number(at_ms)
      if (at > watermark) watermark = at
      // Stored before this feed started: not news for it.
      if (at <= this.startedAt) continue
      const key = rowKey(stream, row)
      if (seen.has(key)) continue
      seen.set(key, at)
      fresh.push(row)
    }
    this.watermarks.set(stream, watermark)
    // Forget keys that no later poll can read again: memory stays bounded by the overlap.
    for (const [key, at] of seen) if (at <= watermark - this.opts.overlapMs) seen.delete(key)
    if (fresh.length === 0) return
    for (const l of this.listeners) l(stream, fresh)
  }
}
