import { setTimeout as sleep } from 'node:timers/promises'

export class BackpressureError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('ingest is behind; retry later')
  }
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

export interface BatcherOptions {
  /** Flush as soon as this many rows are waiting. */
  maxRows: number
  /** …or this long after the first row of a batch arrived. */
  maxDelayMs: number
  /** A batch this big is worth an insert of its own: write it now rather than wait for company. */
  flushNowRows: number
  /** Refuse new rows (backpressure) beyond this many waiting. */
  maxPendingRows: number
}

/**
 * Gathers rows from many callers into few large inserts (ClickHouse wants thousands of rows about
 * once a second, not one insert per record). `add` resolves once the caller's rows are written, so
 * an acknowledgement sent after it is durable. One flush runs at a time per batcher.
 */
export class Batcher<T> {
  private rows: T[] = []
  private waiters: Waiter[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private inFlight = 0

  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly opts: BatcherOptions,
    private readonly onDepth: (rows: number) => void = () => {},
  ) {}

  get pending(): number {
    return this.rows.length + this.inFlight
  }

  add(rows: T[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve()
    if (this.pending + rows.length > this.opts.maxPendingRows) throw new BackpressureError(1)
    for (const r of rows) this.rows.push(r)
    this.onDepth(this.pending)
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (this.rows.length >= this.opts.maxRows || (this.inFlight === 0 && this.rows.length >= this.opts.flushNowRows)) this.schedule(0)
    else if (!this.timer) this.schedule(this.opts.maxDelayMs)
    return done
  }

  /** Write whatever is waiting now and wait for it. */
  async flush(): Promise<void> {
    this.schedule(0)
    await this.flushing
    if (this.rows.length) await this.flush()
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.flushing = this.flushing.then(() => this.drain())
    }, delay)
  }

  private async drain(): Promise<void> {
    if (this.rows.length === 0) return
    const rows = this.rows
    const waiters = this.waiters
    this.rows = []
    this.waiters = []
    this.inFlight = rows.length
    try {
      await this.write(rows)
      for (const w of waiters) w.resolve()
    } catch (e) {
      for (const w of waiters) w.reject(e)
      // A failed store should not turn into a hot retry loop of callers.
      await sleep(100)
    } finally {
      this.inFlight = 0
      this.onDepth(this.pending)
      if (this.rows.length) this.schedule(this.rows.length >= this.opts.flushNowRows ? 0 : this.opts.maxDelayMs)
    }
  }
}
