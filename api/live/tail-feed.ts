import type { StreamName } from '../../core/schemas/records.js'
import type { StoredFeed } from '../../ingest/bus.js'
import { TABLES, type Row } from '../../ingest/sink/rows.js'
import { log } from '../../server/log.js'
import type { Store } from '../../store/client.js'

/**
 * Live records for an api process that does not share a process with ingest: each api node reads
 * what was stored since its own watermark (by `ingested_at`), so every node delivers every record
 * to its own clients with no bus between them. Only recent records (by `ts`) are read: the live
 * socket pushes news, not history, and the `ts` bound lets ClickHouse skip old partitions.
 */
export class TailFeed implements StoredFeed {
  private readonly listeners = new Set<(stream: StreamName, rows: Row[]) => void>()
  private readonly watermarks = new Map<StreamName, number>()
  private timer: NodeJS.Timeout | undefined
  private running = false

  constructor(
    private readonly store: Store,
    private readonly intervalMs = 1000,
    private readonly windowMs = 15 * 60_000,
  ) {}

  on(listener: (stream: StreamName, rows: Row[]) => void): () => void {
    this.listeners.add(listener)
    if (!this.timer) {
      const start = Date.now()
      for (const s of Object.keys(TABLES) as StreamName[]) this.watermarks.set(s, start)
      this.timer = setInterval(() => void this.poll(), this.intervalMs)
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && this.timer) clearInterval(this.timer)
      if (this.listeners.size === 0) this.timer = undefined
    }
  }

  private async poll(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (const stream of Object.keys(TABLES) as StreamName[]) {
        const { table } = TABLES[stream]
        const rs = await this.store.query({
          query: `SELECT * EXCEPT (ingested_at), toUnixTimestamp64Milli(ts) AS ts_ms, toUnixTimestamp64Milli(ingested_at) AS at_ms
                  FROM ${table}
                  WHERE ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND ingested_at > fromUnixTimestamp64Milli({wm:Int64}, 'UTC')
                  ORDER BY ingested_at LIMIT 10000`,
          query_params: { since: Date.now() - this.windowMs, wm: this.watermarks.get(stream) ?? Date.now() },
          format: 'JSONEachRow',
        })
        // The aliases must not reuse a column name: ClickHouse would read the alias in WHERE.
        const got = await rs.json<Row & { at_ms: string; ts_ms: string }>()
        if (got.length === 0) continue
        this.watermarks.set(stream, Number(got[got.length - 1].at_ms))
        const rows = got.map(({ at_ms: _a, ts_ms, ...r }) => ({ ...r, ts: Number(ts_ms) }))
        for (const l of this.listeners) l(stream, rows)
      }
    } catch (err) {
      log.warn({ err }, 'live tail failed; retrying')
    } finally {
      this.running = false
    }
  }
}
