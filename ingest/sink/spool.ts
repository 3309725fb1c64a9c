import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { log } from '#platform/log.js'

/** A promise with its resolve exposed. */
function deferred() {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

interface Segment {
  seq: number
  path: string
  file?: FileHandle
  rows: number
  bytes: number
  /** The text while it is held in memory; null once dropped (read back from the file). */
  chunks: string[] | null
  firstAt: number
  sealed: boolean
  /** The last fsync that covers what was appended so far. */
  durable: Promise<void>
  /** Resolved when the segment is in ClickHouse. */
  stored: ReturnType<typeof deferred>
  /** Resolved when stored, or when an insert attempt failed (the data is safe on disk: answer anyway). */
  settled: ReturnType<typeof deferred>
}

/** What the first attempt at a segment's insert decided, so that every retry repeats that insert. */
export interface InsertNote {
  token: string
  /** Keys the first attempt found already stored, and so left out. */
  duplicates: string[]
}

/** A segment's insert attempts: the note survives a crash beside the segment file. */
export interface InsertAttempt {
  /** The note of an earlier attempt at this segment, if one got as far as writing it. */
  recall(): Promise<InsertNote | undefined>
  /** Write the note durably; called before the insert runs. */
  note(n: InsertNote): Promise<void>
}

export interface SpoolOptions {
  dir: string
  /** Seal a segment (and insert it) at this many rows… */
  maxRows: number
  /** …or this long after its first row. */
  maxDelayMs: number
  /** An idle inserter takes a segment of at least this many rows at once rather than wait. */
  flushNowRows: number
  /** Segment text kept in memory for the insert, across queued segments; the rest is read back. */
  maxMemoryBytes: number
  /** Insert one segment's TSV text; throws when the store is unavailable. */
  write: (tsv: string, rows: number, attempt: InsertAttempt) => Promise<unknown>
  /**
   * When `append` resolves: 'stored' once the lines are in ClickHouse (or fsync'd while it is down),
   * so a reader sees a record right after its answer; 'spooled' as soon as they are fsync'd.
   */
  ack: 'stored' | 'spooled'
  /** Called after a segment is stored, with what `write` returned. */
  onStored?: (tsv: string, result: unknown) => void
  onDepth?: (bytes: number, segments: number, oldestMs: number | undefined) => void
  name: string
}

export class SpoolWriteError extends Error {
  constructor(cause: unknown) {
    super(`the local spool could not be written: ${(cause as Error)?.message ?? cause}`, { cause })
  }
}

const FILE = /^(\d{12})\.tsv$/
const NOTE = /^(\d{12})\.note\.json$/
const noteFor = (segmentPath: string) => segmentPath.replace(/\.tsv$/, '.note.json')

/**
 * A durable write-ahead spool for one table. Appended TSV is written to a segment file and
 * fdatasync'd before `append` resolves; one fsync covers every append that arrived while the
 * previous one ran (group commit). Sealed segments are inserted in order by one loop; a segment
 * file is deleted only after its insert succeeded. At start the files left by a previous process
 * (killed or stopped while ClickHouse was down) are queued first, in order.
 */
export class Spool {
  private readonly queue: Segment[] = []
  private current: Segment | undefined
  private nextSeq = 1
  private sealTimer: NodeJS.Timeout | undefined
  private toWrite: { seg: Segment; data: string }[] = []
  private commitDone: ReturnType<typeof deferred> | undefined
  private committing = false
  private wake = deferred()
  private memoryBytes = 0
  private stopped = false
  private loop: Promise<void> | undefined
  private inserting = false
  /** The open segment's time is up, but the inserter was busy: it is sealed when the inserter is free. */
  private overdue = false
  /** True while ClickHouse refuses inserts: answers then rely on the spool alone. */
  degraded = false
  bytes = 0

  constructor(private readonly opts: SpoolOptions) {
    mkdirSync(opts.dir, { recursive: true })
    for (const f of readdirSync(opts.dir).sort()) {
      // A note whose segment is gone: the process stopped between deleting the two.
      if (NOTE.test(f) && !existsSync(join(opts.dir, f.replace(/\.note\.json$/, '.tsv'))))
        rmSync(join(opts.dir, f), { force: true })
      const m = FILE.exec(f)
      if (!m) continue
      const seq = Number(m[1])
      const path = join(opts.dir, f)
      const bytes = statSync(path).size
      const seg = this.segment(seq, path)
      seg.bytes = bytes
      seg.chunks = null
      seg.sealed = true
      seg.stored.promise.then(seg.settled.resolve)
      this.queue.push(seg)
      this.bytes += bytes
      this.nextSeq = seq + 1
    }
    if (this.queue.length)
      log.info({ spool: opts.name, segments: this.queue.length, bytes: this.bytes }, 'replaying spooled records')
    this.depth()
  }

  /** Start inserting (replayed segments first). */
  start(): void {
    this.loop ??= this.run()
  }

  /** Rows not yet in ClickHouse (replayed segments count once they are read). */
  get rows(): number {
    return this.queue.reduce((n, s) => n + s.rows, 0) + (this.current?.rows ?? 0)
  }

  get segments(): number {
    return this.queue.length + (this.current ? 1 : 0)
  }

  /**
   * Append TSV lines. Resolves once they are fsync'd and, while ClickHouse takes inserts, stored
   * there too (so a reader sees them right after the answer); while it does not, once fsync'd.
   */
  async append(tsv: string, rows: number, ack: 'stored' | 'spooled' = this.opts.ack): Promise<void> {
    if (rows === 0) return
    const seg = (this.current ??= this.openSegment())
    const bytes = Buffer.byteLength(tsv)
    seg.rows += rows
    seg.bytes += bytes
    this.bytes += bytes
    seg.chunks?.push(tsv)
    this.memoryBytes += bytes
    this.toWrite.push({ seg, data: tsv })
    const durable = this.commit()
    seg.durable = durable
    if (
      seg.rows >= this.opts.maxRows ||
      (!this.inserting && this.queue.length === 0 && seg.rows >= this.opts.flushNowRows)
    )
      this.seal()
    this.depth()
    await durable
    if (ack === 'stored' && !this.degraded) await seg.settled.promise
  }

  /** Seal what is open and wait until everything spooled is in ClickHouse. */
  async flush(): Promise<void> {
    this.seal()
    await Promise.all(this.queue.map((s) => s.stored.promise))
  }

  /** Stop inserting; what is not stored stays in the files for the next start. */
  async close(): Promise<void> {
    this.seal()
    this.stopped = true
    this.wake.resolve()
    await Promise.all(this.queue.map((s) => s.durable.catch(() => {})))
    await this.loop
    for (const s of this.queue) await s.file?.close().catch(() => {})
  }

  private segment(seq: number, path: string): Segment {
    return {
      seq,
      path,
      rows: 0,
      bytes: 0,
      chunks: [],
      firstAt: Date.now(),
      sealed: false,
      durable: Promise.resolve(),
      stored: deferred(),
      settled: deferred(),
    }
  }

  private openSegment(): Segment {
    const seq = this.nextSeq++
    const seg = this.segment(seq, join(this.opts.dir, `${String(seq).padStart(12, '0')}.tsv`))
    this.sealTimer = setTimeout(() => this.sealWhenFree(), this.opts.maxDelayMs)
    return seg
  }

  /**
   * A segment's time is up. While the inserter is busy (or behind), sealing now would only queue a
   * small insert behind the running one: the segment keeps growing instead and is sealed the moment
   * the inserter is free, which starts its insert no later and makes it one large insert, not many
   * small ones (chDB pays per insert more than per row).
   */
  private sealWhenFree(): void {
    if (this.inserting || this.queue.length > 0) this.overdue = true
    else this.seal()
  }

  private seal(): void {
    const seg = this.current
    if (!seg) return
    clearTimeout(this.sealTimer)
    this.overdue = false
    this.current = undefined
    seg.sealed = true
    // Keep the text for the insert only while memory allows; later segments are read back.
    if (this.memoryBytes > this.opts.maxMemoryBytes && this.queue.length > 0 && seg.chunks) {
      this.memoryBytes -= seg.bytes
      seg.chunks = null
    }
    this.queue.push(seg)
    this.wake.resolve()
  }

  /** Group commit: one write and one fdatasync per segment for every append since the last. */
  private commit(): Promise<void> {
    this.commitDone ??= deferred()
    const done = this.commitDone.promise
    if (!this.committing) void this.commitLoop()
    return done
  }

  private async commitLoop(): Promise<void> {
    this.committing = true
    while (this.toWrite.length) {
      const batch = this.toWrite
      const done = this.commitDone!
      this.toWrite = []
      this.commitDone = undefined
      try {
        const bySeg = new Map<Segment, string[]>()
        for (const { seg, data } of batch) {
          const list = bySeg.get(seg)
          if (list) list.push(data)
          else bySeg.set(seg, [data])
        }
        await Promise.all(
          [...bySeg].map(async ([seg, data]) => {
            const created = !seg.file
            seg.file ??= await open(seg.path, 'a')
            await seg.file.write(data.length === 1 ? data[0] : data.join(''))
            await seg.file.datasync()
            // A new file's name must survive a power cut too: sync the directory entry, once per segment.
            if (created) await syncDir(this.opts.dir)
          }),
        )
        for (const seg of bySeg.keys()) {
          if (seg.sealed && seg.file && !this.toWrite.some((w) => w.seg === seg)) {
            const f = seg.file
            seg.file = undefined
            await f.close()
          }
        }
        done.resolve()
      } catch (err) {
        // Not durable (a full or failing disk): those senders get an error, never an acknowledgement.
        log.error({ err, spool: this.opts.name }, 'spool write failed')
        done.reject(new SpoolWriteError(err))
      }
    }
    this.committing = false
  }

  private async run(): Promise<void> {
    let backoff = 100
    while (!this.stopped || this.queue.length) {
      const seg = this.queue[0]
      if (!seg) {
        if (this.stopped) break
        this.wake = deferred()
        await this.wake.promise
        continue
      }
      if (this.stopped) break
      // A failed fsync was answered as an error; what is in memory may still be stored (a retry is deduplicated).
      await seg.durable.catch(() => {})
      this.inserting = true
      try {
        const tsv = seg.chunks ? seg.chunks.join('') : completeLines(await readFile(seg.path, 'utf8'))
        const rows = seg.chunks ? seg.rows : countLines(tsv)
        const result = tsv ? await this.opts.write(tsv, rows, this.attempt(seg)) : undefined
        if (seg.file) {
          await seg.file.close()
          seg.file = undefined
        }
        await unlink(seg.path).catch(() => {})
        await unlink(noteFor(seg.path)).catch(() => {})
        this.queue.shift()
        this.bytes -= seg.bytes
        if (seg.chunks) this.memoryBytes -= seg.bytes
        seg.chunks = null
        if (this.degraded) log.info({ spool: this.opts.name }, 'store back: inserting spooled records')
        this.degraded = false
        backoff = 100
        seg.stored.resolve()
        seg.settled.resolve()
        if (tsv && this.opts.onStored) this.opts.onStored(tsv, result)
      } catch (err) {
        if (!this.degraded)
          log.warn(
            { err, spool: this.opts.name, bytes: this.bytes },
            'insert failed: records stay in the spool and are retried',
          )
        this.degraded = true
        for (const s of this.queue) s.settled.resolve()
        this.current?.settled.resolve()
        await sleep(backoff)
        backoff = Math.min(backoff * 2, 2_000)
      } finally {
        this.inserting = false
        this.depth()
      }
      // An idle inserter takes a big enough open segment now rather than at its timer, and one whose time is up.
      if (this.queue.length === 0 && this.current && (this.current.rows >= this.opts.flushNowRows || this.overdue))
        this.seal()
    }
  }

  private attempt(seg: Segment): InsertAttempt {
    const path = noteFor(seg.path)
    const dir = this.opts.dir
    return {
      async recall() {
        try {
          const n = JSON.parse(await readFile(path, 'utf8')) as InsertNote
          return typeof n.token === 'string' && Array.isArray(n.duplicates) ? n : undefined
        } catch (err) {
          // None yet; or cut off while being written, before any insert could have started.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return undefined
          throw err
        }
      },
      async note(n) {
        const f = await open(path, 'w')
        try {
          await f.write(JSON.stringify(n))
          await f.datasync()
        } finally {
          await f.close()
        }
        await syncDir(dir)
      },
    }
  }

  private depth(): void {
    const oldest = this.queue[0]?.firstAt ?? this.current?.firstAt
    this.opts.onDepth?.(this.bytes, this.segments, oldest)
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}

/** A segment's complete lines: a line cut by a crash mid-write was never acknowledged. */
export function completeLines(text: string): string {
  const end = text.lastIndexOf('\n')
  return end < 0 ? '' : text.slice(0, end + 1)
}

function countLines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}
