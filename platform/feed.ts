import { EventEmitter } from 'node:events'
import type { StreamName } from '#core/schemas/records.js'
import type { Row } from '#store/rows.js'

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

  publish(stream: StreamName, rows: Row[]): void {
    if (rows.length) this.emitter.emit('stored', stream, rows)
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
