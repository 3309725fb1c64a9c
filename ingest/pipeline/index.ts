import type { City } from '../../core/city.js'
import { STREAMS, type StreamName } from '../../core/schemas/records.js'
import type { Store } from '../../store/client.js'
import { ingestAccepted, ingestReceived, ingestRejected, pendingRows } from '../../server/metrics.js'
import type { LocalBus } from '../bus.js'
import { Batcher, BackpressureError, type BatcherOptions } from '../sink/batcher.js'
import { createTableWriter } from '../sink/clickhouse.js'
import { rawText, writeRejects, type RejectRow } from '../sink/rejects.js'
import { gridEventRow, hotlineTicketRow, terminalStatusRow, TABLES, type Row } from '../sink/rows.js'
import { createEnricher } from './enrich.js'
import { validateRecord, type RecordError } from './validate.js'

export interface IngestResult {
  accepted: number
  rejected: number
  errors: RecordError[]
}

export interface IngestPipelineOptions {
  store: Store
  city: City
  bus: LocalBus
  batch?: Partial<BatcherOptions>
}

// Each stream's enriched record → its table row; typed per stream, chosen by stream name.
const TO_ROW: Record<StreamName, (r: never) => Row> = {
  'grid-events': gridEventRow,
  'terminal-status': terminalStatusRow,
  'hotline-tickets': hotlineTicketRow,
}

/** source → validate → enrich → batch → ClickHouse, with every invalid record kept in `rejects`. */
export function createIngestPipeline({ store, city, bus, batch }: IngestPipelineOptions) {
  const enrich = createEnricher(city)
  const opts: BatcherOptions = { maxRows: 50_000, maxDelayMs: 250, flushNowRows: 2_000, maxPendingRows: 500_000, ...batch }
  const batchers = Object.fromEntries(
    (Object.keys(STREAMS) as StreamName[]).map((stream) => {
      const write = createTableWriter(store, stream)
      const batcher = new Batcher<Row>(
        async (rows) => {
          const stored = await write(rows)
          ingestAccepted.inc({ stream }, rows.length)
          bus.publish(stream, stored)
        },
        opts,
        (n) => pendingRows.set({ table: TABLES[stream].table }, n),
      )
      return [stream, batcher]
    }),
  ) as Record<StreamName, Batcher<Row>>

  /**
   * Store the valid records of a batch and keep each invalid one with its reason. `unreadable`
   * marks entries the source could not parse (an NDJSON line that is not JSON), by index.
   */
  async function ingest(
    stream: StreamName,
    items: readonly unknown[],
    source = 'http',
    unreadable: ReadonlyMap<number, string> = new Map(),
  ): Promise<IngestResult> {
    const batcher = batchers[stream]
    if (batcher.pending + items.length > opts.maxPendingRows) throw new BackpressureError(1)
    ingestReceived.inc({ stream }, items.length)
    const { schema } = STREAMS[stream]
    const toRow = TO_ROW[stream] as (r: unknown) => Row
    const rows: Row[] = []
    const errors: RecordError[] = []
    const rejects: RejectRow[] = []
    items.forEach((raw, index) => {
      const parseError = unreadable.get(index)
      const valid = parseError === undefined ? validateRecord(schema, raw) : ({ ok: false, path: '', message: parseError } as const)
      const placed = valid.ok ? enrich(valid.value) : valid
      if (placed.ok) {
        rows.push(toRow(placed.value))
        return
      }
      errors.push({ index, path: placed.path, message: placed.message })
      rejects.push({ stream, source, record_index: index, path: placed.path, reason: placed.message, raw: rawText(raw) })
      ingestRejected.inc({ stream, reason: valid.ok ? 'enrich' : parseError !== undefined ? 'parse' : 'validate' })
    })
    await Promise.all([batcher.add(rows), writeRejects(store, rejects)])
    return { accepted: rows.length, rejected: errors.length, errors }
  }

  async function flush(): Promise<void> {
    await Promise.all(Object.values(batchers).map((b) => b.flush()))
  }

  return { ingest, flush, pending: () => Object.values(batchers).reduce((n, b) => n + b.pending, 0) }
}
export type IngestPipeline = ReturnType<typeof createIngestPipeline>
