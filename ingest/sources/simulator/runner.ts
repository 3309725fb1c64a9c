/**
 * Drives a simulator in real time: first catches up from its clock to now in chunks (backfill),
 * awaiting the sink after each, so a slow store slows the backfill instead of filling memory;
 * then every `tickMs` advances to the wall clock and hands over what came out.
 * The sink decides where records go: the ingest pipeline in-process, or HTTP (see http-sink.ts).
 */
import { STREAM_NAMES, type StreamName } from '../../../core/schemas/records.js'
import { HOUR_MS } from './rhythm.js'
import type { Batch, Simulator } from './model.js'

export type Sink = (stream: StreamName, records: object[]) => Promise<unknown>

export interface RunnerOptions {
  sim: Simulator
  sink: Sink
  /** Live step. Default 1 s. */
  tickMs?: number
  /**
   * Where the records sent should begin. The simulator's `start` is where its story begins; if
   * `backfillFrom` is later, the records before it are generated (so the story is the same) but
   * not sunk. Either way everything from there to now is sent, in `chunkMs` chunks.
   */
  backfillFrom?: number
  /** Backfill chunk. Default 1 hour (≈36k records at rate 10). */
  chunkMs?: number
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
  const { sim, sink, tickMs = 1000, chunkMs = HOUR_MS, now = Date.now, onError } = opts
  const stats: RunnerStats = { position: sim.position, backfilling: true, ticks: 0, sent: zero(), failed: zero(), sinkErrors: 0 }
  let stopped = false
  let wake: (() => void) | undefined
  let markLive: () => void = () => {}
  const live = new Promise<void>((resolve) => (markLive = resolve))

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const flush = async (batch: Batch) => {
    stats.position = sim.position
    for (const stream of STREAM_NAMES) {
      const records = batch[stream]
      if (records.length === 0) continue
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
  }

  const run = async () => {
    // Fast-forward without sinking, in chunks so one huge batch never sits in memory.
    if (opts.backfillFrom !== undefined) {
      while (!stopped && sim.position < opts.backfillFrom) sim.advance(Math.min(opts.backfillFrom, sim.position + chunkMs))
    }
    // Catch up with the wall clock, which keeps moving while we do.
    while (!stopped && now() - sim.position > tickMs) await flush(sim.advance(Math.min(now(), sim.position + chunkMs)))
    stats.backfilling = false
    markLive()
    while (!stopped) {
      const began = now()
      await flush(sim.advance(now()))
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
