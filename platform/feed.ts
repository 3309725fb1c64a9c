import { EventEmitter } from 'node:events'
import type { StreamName } from '#core/schemas/records.js'
import type { Row } from '#store/rows.js'

/**
 * The live socket pushes news: a record stamped more than this before it is stored (a sender's
 * backlog, a replay, history written behind the live records) is stored but not pushed. A few
 * minutes: a terminal that was offline for a while still shows its catch-up, a day-old record
 * never scrolls by as if it were happening now. The hub and the tail feed (split deployments) use it.
 */
export const LIVE_WINDOW_MS = 5 * 60_000

/**
 * Stored records as they leave the sink, for the live socket. In the embedded default ingest and
 * api share a process and this in-process emitter; separate processes need a feed that crosses
 * processes (see docs/architecture.md).
 */
export interface StoredFeed {
  on(listener: (stream: StreamName, rows: Row[]) => void): () => void
}

export class LocalBus implements StoredFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0)
  private floor = -Infinity

  /**
   * Records stamped at or before `ts` are history from now on: stored, but not published. `npm start`
   * sets it to the instant its live simulation starts, so the history written behind the live
   * records (the same sink, the same spool batches) never reaches the live socket as news.
   */
  historyUntil(ts: number): void {
    this.floor = ts
  }

  publish(stream: StreamName, rows: Row[]): void {
    const news = this.floor === -Infinity ? rows : rows.filter((r) => (r.ts as number) > this.floor)
    if (news.length) this.emitter.emit('stored', stream, news)
  }

  /** Whether anyone listens: the sink decodes stored rows for the bus only then. */
  get listening(): boolean {
    return this.emitter.listenerCount('stored') > 0
  }

  on(listener: (stream: StreamName, rows: Row[]) => void): () => void {
    this.emitter.on('stored', listener)
    return () => this.emitter.off('stored', listener)
  }
}
