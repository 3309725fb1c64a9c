import { mkdtempSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { City } from '#core/city.js'
import { DEFAULT_TIME_BOUNDS, timeRefusal, type TimeBounds } from '#core/time-bounds.js'
import { STREAMS, STREAM_NAMES, type StreamName } from '#core/schemas/records.js'
import type { Store } from '#store/client.js'
import {
  ingestAccepted,
  ingestLagSeconds,
  ingestReceived,
  ingestRejected,
  pendingRows,
  spoolBytes,
} from '#platform/metrics.js'
import { log } from '#platform/log.js'
import type { LocalBus } from '#platform/feed.js'
import { BackpressureError } from '../sink/backpressure.js'
import { createRejectsWriter, createTableWriter, type TableWriter, type WriteResult } from '../sink/clickhouse.js'
import { rawText } from '../sink/rejects.js'
import { TABLES, rowKey, type Row } from '#store/rows.js'
import { tableName } from '#store/schema.js'
import { Spool, type InsertAttempt } from '../sink/spool.js'
import { COLUMNS, REJECT_COLUMNS, decodeLine, encodeLine, toMs } from '../sink/tsv.js'
import { createLocator, type Placement } from './enrich.js'
import { createFastValidator, type RecordError } from './validate.js'

export interface IngestResult {
  accepted: number
  rejected: number
  errors: RecordError[]
}

export interface BatchOptions {
  /** Insert a batch once it has this many rows… */
  maxRows: number
  /** …or this long after its first row. */
  maxDelayMs: number
  /** An idle writer takes a batch of this many rows at once. */
  flushNowRows: number
}

export interface IngestPipelineOptions {
  store: Store
  city: City
  bus: LocalBus
  batch?: Partial<BatchOptions>
  /**
   * Where accepted records are spooled (fsync'd) until ClickHouse has them: `IOC_DATA_DIR/spool`
   * in the services. Without it a fresh temporary directory is used, which survives a store
   * outage but not a restart of the process.
   */
  spoolDir?: string
  /** Refuse new records (429) while this many bytes wait in the spool. */
  maxSpoolBytes?: number
  /** Answer once records are in ClickHouse ('stored', the default) or once fsync'd in the spool ('spooled'). */
  ack?: 'stored' | 'spooled'
  /** Names this process's staging tables; several ingest processes on one server need distinct ones. */
  instance?: string
  /** The times a record may carry (IOC_MAX_FUTURE_MINUTES, IOC_RETENTION_DAYS). */
  timeBounds?: Partial<TimeBounds>
  /** The server's clock, which those bounds are measured from; tests pass a fixed one. */
  now?: () => number
}

/**
 * Where a batch comes from: the source named in `rejects`, and for a sender confined to a region
 * (an ingest user) that region: a record placed outside it is refused. A bare string is a source
 * that may send for the whole city.
 */
export type Origin = string | { source: string; region?: string }

type Target = StreamName | 'rejects'

/** A batch validated and encoded, waiting to be made durable. */
export interface Prepared {
  stream: StreamName
  tsv: string
  accepted: number
  rejectTsv: string
  errors: RecordError[]
}

/** One record's verdict: what to encode, or why not (and the metric's reason label). */
type Checked =
  | { ok: true; record: Readonly<Record<string, unknown>>; placement: Placement }
  | { ok: false; path: string; message: string; reason: 'parse' | 'validate' | 'time' | 'enrich' | 'region' }

/** source → validate → enrich → spool (fsync) → ClickHouse, with every invalid record kept in `rejects`. */
export function createIngestPipeline({
  store,
  city,
  bus,
  batch,
  spoolDir,
  maxSpoolBytes = 1 << 30,
  instance,
  ack = 'stored',
  timeBounds,
  now = Date.now,
}: IngestPipelineOptions) {
  const locate = createLocator(city)
  const bounds: TimeBounds = { ...DEFAULT_TIME_BOUNDS, ...timeBounds }
  const opts: BatchOptions = { maxRows: 100_000, maxDelayMs: 250, flushNowRows: 2_000, ...batch }
  const dir = spoolDir ?? mkdtempSync(join(tmpdir(), 'ioc-spool-'))
  const suffix = (instance ?? `${hostname()}_${process.pid}`).toLowerCase().replace(/[^a-z0-9_]/g, '_')
  const validators = Object.fromEntries(STREAM_NAMES.map((s) => [s, createFastValidator(STREAMS[s].schema)])) as Record<
    StreamName,
    ReturnType<typeof createFastValidator>
  >
  const writers: TableWriter[] = []
  const depth = new Map<Target, { bytes: number; oldest?: number }>()

  function spoolFor(target: Target): Spool {
    const table = target === 'rejects' ? tableName.rejects : TABLES[target].table
    let write: (tsv: string, rows: number, attempt: InsertAttempt) => Promise<WriteResult>
    if (target === 'rejects') write = createRejectsWriter(store)
    else {
      const w = createTableWriter(store, target, suffix)
      writers.push(w)
      write = w.write
    }
    // Declared first: the spool reports its depth from its constructor on (replayed files).
    let spool: Spool | undefined = undefined
    spool = new Spool({
      ...opts,
      dir: join(dir, table),
      name: table,
      maxMemoryBytes: 64 << 20,
      ack,
      write: async (tsv, rows, attempt) => {
        const result = await write(tsv, rows, attempt)
        if (target !== 'rejects') ingestAccepted.inc({ stream: target }, result.inserted)
        return result
      },
      onStored: target === 'rejects' ? undefined : (tsv, result) => publish(target, tsv, result as WriteResult),
      onDepth: (bytes, _segments, oldest) => {
        depth.set(target, { bytes, oldest })
        spoolBytes.set({ table }, bytes)
        pendingRows.set({ table }, spool?.rows ?? 0)
        const first = Math.min(...[...depth.values()].map((d) => d.oldest ?? Infinity))
        ingestLagSeconds.set(Number.isFinite(first) ? (Date.now() - first) / 1000 : 0)
      },
    })
    return spool
  }

  /** Stored rows to the live bus, only when someone listens (decoding costs). */
  function publish(stream: StreamName, tsv: string, result: WriteResult): void {
    if (!bus.listening) return
    const seen = new Set(result.duplicateKeys)
    const rows: Row[] = []
    for (const line of tsv.split('\n')) {
      if (!line) continue
      const row = decodeLine(COLUMNS[stream], line)
      const key = rowKey(stream, row)
      if (seen.has(key)) continue
      seen.add(key)
      rows.push(row)
    }
    bus.publish(stream, rows)
  }

  const spools = Object.fromEntries((['rejects', ...STREAM_NAMES] as Target[]).map((t) => [t, spoolFor(t)])) as Record<
    Target,
    Spool
  >
  for (const s of Object.values(spools)) s.start()
  const spooledBytes = () => Object.values(spools).reduce((n, s) => n + s.bytes, 0)

  /**
   * Validate, enrich and encode a batch, synchronously: the parsed records are garbage as soon as
   * this returns, so they never outlive a young-generation GC while the answer waits on the store.
   * `unreadable` marks entries the source could not parse (an NDJSON line that is not JSON), by index.
   */
  function prepare(
    stream: StreamName,
    items: readonly unknown[],
    origin: Origin = 'http',
    unreadable: ReadonlyMap<number, string> = new Map(),
  ): Prepared {
    const batch = startBatch(stream, origin)
    for (let index = 0; index < items.length; index++) batch.add(index, items[index], unreadable.get(index))
    return batch.done()
  }

  /**
   * An NDJSON body, parsed one line at a time so that only one record is alive at once (a line that
   * is not JSON is rejected with the parser's reason; blank lines are skipped and not counted).
   */
  function prepareNdjson(stream: StreamName, text: string, origin: Origin = 'http'): Prepared {
    const batch = startBatch(stream, origin)
    let index = 0
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start)
      if (end < 0) end = text.length
      const line = text.slice(start, end)
      start = end + 1
      if (!line.trim()) continue
      let raw: unknown
      let parseError: string | undefined
      try {
        raw = JSON.parse(line)
      } catch (e) {
        raw = line
        parseError = `not JSON: ${(e as Error).message}`
      }
      // The line as sent is the faithful raw text for `rejects`, whatever it parsed into.
      batch.add(index++, raw, parseError, line)
    }
    return batch.done()
  }

  function startBatch(stream: StreamName, origin: Origin) {
    if (spooledBytes() > maxSpoolBytes) throw new BackpressureError(spools[stream].degraded ? 5 : 1)
    const { source, region } = typeof origin === 'string' ? { source: origin, region: undefined } : origin
    const validate = validators[stream]
    const columns = COLUMNS[stream]
    // One clock reading per batch: every record of it is judged against the same instant.
    const at = now()
    let tsv = ''
    let accepted = 0
    let rejectTsv = ''
    const errors: RecordError[] = []
    return {
      add(index: number, raw: unknown, parseError?: string, text?: string): void {
        const step = check(raw, parseError)
        if (step.ok) {
          tsv += encodeLine(columns, step.record, step.placement)
          accepted++
          return
        }
        errors.push({ index, path: step.path, message: step.message })
        rejectTsv += encodeLine(REJECT_COLUMNS, {
          stream,
          source,
          record_index: index,
          path: step.path,
          reason: step.message,
          raw: rawText(text ?? raw),
        })
        ingestRejected.inc({ stream, reason: step.reason })
      },
      done(): Prepared {
        ingestReceived.inc({ stream }, accepted + errors.length)
        return { stream, tsv, accepted, rejectTsv, errors }
      },
    }

    /** Validate, bound the time, place, and keep to the sender's region: the first refusal wins. */
    function check(raw: unknown, parseError: string | undefined): Checked {
      if (parseError !== undefined) return { ok: false, path: '', message: parseError, reason: 'parse' }
      const valid = validate(raw)
      if (!valid.ok) return { ...valid, reason: 'validate' }
      const late = timeRefusal(toMs(valid.value.ts), at, bounds)
      if (late) return { ok: false, path: 'ts', message: late, reason: 'time' }
      const placed = locate(valid.value)
      if (!placed.ok) return { ...placed, reason: 'enrich' }
      if (region !== undefined && !placed.value.grid_code.startsWith(region)) {
        const byGrid = valid.value.grid_code !== undefined
        const where = byGrid
          ? `grid ${placed.value.grid_code}`
          : `position ${placed.value.lon.toFixed(5)},${placed.value.lat.toFixed(5)} (grid ${placed.value.grid_code})`
        return {
          ok: false,
          path: byGrid ? 'grid_code' : 'lon',
          message: `${where} is outside the sender's region ${region}`,
          reason: 'region',
        }
      }
      return { ok: true, record: valid.value, placement: placed.value }
    }
  }

  /**
   * Resolves when the accepted records of a prepared batch are durable: in ClickHouse, or fsync'd
   * in the spool while ClickHouse is unavailable.
   */
  async function commit(p: Prepared, ackMode: 'stored' | 'spooled' = ack): Promise<IngestResult> {
    await Promise.all([
      spools[p.stream].append(p.tsv, p.accepted, ackMode),
      spools.rejects.append(p.rejectTsv, p.errors.length, ackMode),
    ])
    return { accepted: p.accepted, rejected: p.errors.length, errors: p.errors }
  }

  /** Keep input that never reached a stream (an unknown CloudEvents type, say) in `rejects`, durably. */
  async function rejectOnly(
    label: string,
    source: string,
    entries: readonly (RecordError & { raw: unknown })[],
  ): Promise<void> {
    let tsv = ''
    for (const e of entries)
      tsv += encodeLine(REJECT_COLUMNS, {
        stream: label,
        source,
        record_index: e.index,
        path: e.path,
        reason: e.message,
        raw: rawText(e.raw),
      })
    await spools.rejects.append(tsv, entries.length)
  }

  /** Store the valid records of a batch and keep each invalid one with its reason (prepare, then commit). */
  function ingest(
    stream: StreamName,
    items: readonly unknown[],
    origin: Origin = 'http',
    unreadable?: ReadonlyMap<number, string>,
  ): Promise<IngestResult> {
    try {
      return commit(prepare(stream, items, origin, unreadable))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Wait until everything accepted so far is in ClickHouse. */
  async function flush(): Promise<void> {
    await Promise.all(Object.values(spools).map((s) => s.flush()))
  }

  /** Stop: give the store `graceMs` to take what is spooled; the rest is replayed at the next start. */
  async function close(graceMs = 5_000): Promise<void> {
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref())
    if ((await Promise.race([flush().then(() => 'done' as const), timer])) === 'timeout') {
      log.warn(
        { bytes: spooledBytes() },
        'store did not take every spooled record: they are replayed at the next start',
      )
    }
    await Promise.all(Object.values(spools).map((s) => s.close()))
    await Promise.all(writers.map((w) => w.close().catch(() => {})))
  }

  return {
    ingest,
    prepare,
    prepareNdjson,
    commit,
    rejectOnly,
    flush,
    close,
    pending: () => Object.values(spools).reduce((n, s) => n + s.rows, 0),
    spooledBytes,
    spoolDir: dir,
  }
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>
