/**
 * Drives a simulator in real time: first catches up from its clock to now (backfill), then every
 * `tickMs` advances to the wall clock and hands over what came out.
 * The sink decides where records go: the ingest pipeline in-process, or HTTP (see http-sink.ts).
 *
 * The backfill shares the process with everything else (`npm start` serves the screen and ingest
 * from the same event loop), so no synchronous stretch of it is long: the clock moves in steps
 * sized to give about `sliceRecords` records, the sink gets at most that many at a time, and the
 * event loop turns (setImmediate) between slices. Slices are handed over without waiting for each
 * to be stored, up to `maxPendingRecords`, so the store still takes large inserts; a slow store
 * slows the backfill down instead of filling memory.
 */
import { setImmediate as turn } from 'node:timers/promises'
import { STREAM_NAMES, type StreamName } from '#core/schemas/records.js'
import { HOUR_MS, MINUTE_MS } from './rhythm.js'
import type { Batch, Simulator } from './model.js'

export type Sink = (stream: StreamName, records: object[]) => Promise<unknown>

/** Records the sink gets at once during the backfill (the HTTP sink's batch is the same size). */
export const DEFAULT_SLICE_RECORDS = 2_000

export interface RunnerOptions {
  sim: Simulator
  sink: Sink
  /** Live step. Default 1 s. */
  tickMs?: number
  /**
   * Where the records sent should begin. The simulator's `start` is where its story begins; if
   * `backfillFrom` is later, the records before it are generated (so the story is the same) but
   * not sunk. Either way everything from there to now is sent. Never later than now: the runner
   * does not chase a time from the future.
   */
  backfillFrom?: number
  /** The longest step of the simulator's clock during the backfill. Default 1 hour. */
  chunkMs?: number
  /** Records the sink gets at once during the backfill, and what each step of the clock aims at. */
  sliceRecords?: number
  /** Records handed to the sink and not yet stored, at most. Default 100,000 (a spool segment). */
  maxPendingRecords?: number
  /** The wall clock; tests pass a fake one. */
  now?: () => number
  /** Called when the sink throws; the runner counts the batch as failed and carries on. */
  onError?: (err: unknown, stream: StreamName, records: number) => void
}

export interface RunnerStats {
  /** The simulator's clock (epoch ms). */
  position: number
  backfilling: boolean
  ticks: number
  sent: Record<StreamName, number>
  failed: Record<StreamName, number>
  sinkErrors: number
  lastError?: string
}

export interface Simulation {
  /** Resolves when the backfill is done and the runner is live (or stopped). */
  readonly live: Promise<void>
  /** Stops after the batch in flight has been sunk. */
  stop(): Promise<void>
  stats(): RunnerStats
}

const zero = (): Record<StreamName, number> => ({ 'grid-events': 0, 'terminal-status': 0, 'hotline-tickets': 0 })

export function startSimulation(opts: RunnerOptions): Simulation {
  const {
    sim,
    sink,
    tickMs = 1000,
    chunkMs = HOUR_MS,
    sliceRecords = DEFAULT_SLICE_RECORDS,
    maxPendingRecords = 100_000,
    now = Date.now,
    onError,
  } = opts
  const stats: RunnerStats = {
    position: sim.position,
    backfilling: true,
    ticks: 0,
    sent: zero(),
    failed: zero(),
    sinkErrors: 0,
  }
  let stopped = false
  let wake: (() => void) | undefined
  let markLive: () => void = () => {}
  const live = new Promise<void>((resolve) => (markLive = resolve))
  const pending = new Set<Promise<void>>()
  let pendingRecords = 0

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  /** One slice into the sink; a failure is counted and reported, not thrown. */
  const deliver = async (stream: StreamName, records: object[]) => {
    try {
      await sink(stream, records)
      stats.sent[stream] += records.length
    } catch (err) {
      stats.failed[stream] += records.length
      stats.sinkErrors++
      stats.lastError = err instanceof Error ? err.message : String(err)
      onError?.(err, stream, records.length)
    }
  }

  /** A batch to the sink in slices, the event loop turning before each; returns once all are handed over. */
  const handOver = async (batch: Batch) => {
    for (const stream of STREAM_NAMES) {
      const records = batch[stream]
      for (let i = 0; i < records.length; i += sliceRecords) {
        await turn()
        while (pendingRecords >= maxPendingRecords) await Promise.race(pending)
        const slice = records.slice(i, i + sliceRecords)
        pendingRecords += slice.length
        const delivered: Promise<void> = deliver(stream, slice).finally(() => {
          pendingRecords -= slice.length
          pending.delete(delivered)
        })
        pending.add(delivered)
      }
    }
  }

  // The simulator draws a minute at a time; a step aims at `sliceRecords` records from what the last one gave.
  let step = MINUTE_MS
  const advanceTowards = (target: number): Batch => {
    const from = sim.position
    const batch = sim.advance(Math.min(target, from + step))
    const n = STREAM_NAMES.reduce((a, s) => a + batch[s].length, 0)
    const span = sim.position - from
    step = Math.min(chunkMs, Math.max(MINUTE_MS, n > 0 ? Math.floor((span * sliceRecords) / n) : 2 * step))
    stats.position = sim.position
    return batch
  }

  const run = async () => {
    // Fast-forward without sinking, never past now (a stored time from the future must not be chased).
    if (opts.backfillFrom !== undefined) {
      const until = Math.min(opts.backfillFrom, now())
      while (!stopped && sim.position < until) {
        advanceTowards(until)
        await turn()
      }
    }
    // Catch up with the wall clock, which keeps moving while we do.
    while (!stopped && now() - sim.position > tickMs) {
      const batch = advanceTowards(now())
      if (STREAM_NAMES.some((s) => batch[s].length > 0)) await handOver(batch)
      else await turn()
    }
    await Promise.all(pending)
    stats.backfilling = false
    markLive()
    while (!stopped) {
      const began = now()
      const batch = sim.advance(now())
      stats.position = sim.position
      await handOver(batch)
      await Promise.all(pending)
      stats.ticks++
      if (!stopped) await sleep(Math.max(0, tickMs - (now() - began)))
    }
  }

  // The simulator does not throw in normal use; if it ever does, the runner stops and says why
  // rather than leaving an unhandled rejection behind.
  const done = run()
    .catch((err: unknown) => {
      stopped = true
      stats.lastError = `runner stopped: ${err instanceof Error ? err.message : String(err)}`
    })
    .finally(markLive)
  return {
    live,
    stats: () => ({ ...stats, sent: { ...stats.sent }, failed: { ...stats.failed } }),
    async stop() {
      stopped = true
      wake?.()
      await done
    },
  }
}
