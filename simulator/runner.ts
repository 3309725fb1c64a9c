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

/**
 * What moves one simulator and hands its records to the sink in slices (see the file's comment): the
 * live runner and each history pass have one each, with their own budget of records in flight.
 */
function createPump(
  sim: Simulator,
  sink: Sink,
  stats: RunnerStats,
  o: { chunkMs: number; sliceRecords: number; maxPendingRecords: number; onError?: RunnerOptions['onError'] },
) {
  const pending = new Set<Promise<void>>()
  let pendingRecords = 0

  /** One slice into the sink; a failure is counted and reported, not thrown. */
  const deliver = async (stream: StreamName, records: object[]) => {
    try {
      await sink(stream, records)
      stats.sent[stream] += records.length
    } catch (err) {
      stats.failed[stream] += records.length
      stats.sinkErrors++
      stats.lastError = err instanceof Error ? err.message : String(err)
      o.onError?.(err, stream, records.length)
    }
  }

  /** A batch to the sink in slices, the event loop turning before each; returns once all are handed over. */
  const handOver = async (batch: Batch) => {
    for (const stream of STREAM_NAMES) {
      const records = batch[stream]
      for (let i = 0; i < records.length; i += o.sliceRecords) {
        await turn()
        while (pendingRecords >= o.maxPendingRecords) await Promise.race(pending)
        const slice = records.slice(i, i + o.sliceRecords)
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
    step = Math.min(o.chunkMs, Math.max(MINUTE_MS, n > 0 ? Math.floor((span * o.sliceRecords) / n) : 2 * step))
    stats.position = sim.position
    return batch
  }

  return {
    handOver,
    advanceTowards,
    /** Resolves when everything handed over so far has been stored (or has failed). */
    settled: () => Promise.all(pending).then(() => undefined),
    /** Generate up to `until` without sinking (the story before it is the same either way). */
    async fastForward(until: number, stopped: () => boolean) {
      while (!stopped() && sim.position < until) {
        advanceTowards(until)
        await turn()
      }
    },
  }
}

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
  const pump = createPump(sim, sink, stats, { chunkMs, sliceRecords, maxPendingRecords, onError })

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const run = async () => {
    // Fast-forward without sinking, never past now (a stored time from the future must not be chased).
    if (opts.backfillFrom !== undefined) await pump.fastForward(Math.min(opts.backfillFrom, now()), () => stopped)
    // Catch up with the wall clock, which keeps moving while we do.
    while (!stopped && now() - sim.position > tickMs) {
      const batch = pump.advanceTowards(now())
      if (STREAM_NAMES.some((s) => batch[s].length > 0)) await pump.handOver(batch)
      else await turn()
    }
    await pump.settled()
    stats.backfilling = false
    markLive()
    while (!stopped) {
      const began = now()
      const batch = sim.advance(now())
      stats.position = sim.position
      await pump.handOver(batch)
      await pump.settled()
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

/** Records with ts in (from, to], epoch ms. */
export interface Span {
  from: number
  to: number
}

/** How far the history behind the live records has been written. */
export interface HistoryProgress {
  loading: boolean
  /** The whole history's span (oldest start, newest end); null when there is none. */
  from: number | null
  to: number | null
  /** Where the pass in progress has written to; null when none is running. */
  until: number | null
  /** The share of the history's time written, 0–1 (1 when there is none). */
  progress: number
  /** What is still to write, in the order it will be written. */
  remaining: Span[]
}

export interface LiveFirstOptions extends Omit<RunnerOptions, 'sim' | 'backfillFrom'> {
  /** A fresh simulator at the start of its story; one is made for the live run and one per history pass. */
  createSim: () => Simulator
  /** The live run sends every record after this instant (usually now at startup). */
  liveFrom: number
  /** The history to write behind it, pass by pass in this order (see resume.ts planHistory). */
  history: readonly Span[]
  /** Called when a part of the history is stored, with what is left: persisted, so a restart finishes it. */
  onHistory?: (remaining: Span[]) => void
}

export interface LiveFirstSimulation extends Simulation {
  /** Resolves when the whole history is written (or the runner stopped). */
  readonly historyDone: Promise<void>
  history(): HistoryProgress
}

/**
 * Live first, history behind: one simulator fast-forwards (generates without sinking) from the
 * start of its story to `liveFrom` and runs live from there at once; then each span of `history`
 * is written by a fresh simulator of the same seed, fast-forwarded to the span's start. The
 * simulator is deterministic, so every pass tells the same story; exactly-once ingest keeps a
 * resent record once. Fast-forwarding 36 hours takes about a second (docs/performance.md), so live
 * records flow within seconds of startup whatever the length of the history.
 */
export function startLiveFirst(opts: LiveFirstOptions): LiveFirstSimulation {
  const { createSim, sink, history, liveFrom, onHistory } = opts
  const tuning = {
    chunkMs: opts.chunkMs ?? HOUR_MS,
    sliceRecords: opts.sliceRecords ?? DEFAULT_SLICE_RECORDS,
    maxPendingRecords: opts.maxPendingRecords ?? 100_000,
    onError: opts.onError,
  }
  const liveRun = startSimulation({ ...opts, sim: createSim(), backfillFrom: liveFrom })
  const remaining: Span[] = history.filter((s) => s.to > s.from).map((s) => ({ ...s }))
  const total = remaining.reduce((a, s) => a + (s.to - s.from), 0)
  const bounds = {
    from: remaining.length ? Math.min(...remaining.map((s) => s.from)) : null,
    to: remaining.length ? Math.max(...remaining.map((s) => s.to)) : null,
  }
  const stats: RunnerStats = {
    position: liveFrom,
    backfilling: remaining.length > 0,
    ticks: 0,
    sent: zero(),
    failed: zero(),
    sinkErrors: 0,
  }
  let stopped = false
  let until: number | null = null

  const writeHistory = async () => {
    // The live run first: nothing of the history competes with its fast-forward.
    await liveRun.live
    while (!stopped && remaining.length > 0) {
      const span = remaining[0]
      const sim = createSim()
      const pump = createPump(sim, sink, stats, tuning)
      await pump.fastForward(span.from, () => stopped)
      until = sim.position
      // Progress is what is stored, not what is handed over: marks settle in order.
      let marks: Promise<void> = Promise.resolve()
      while (!stopped && sim.position < span.to) {
        const batch = pump.advanceTowards(span.to)
        if (STREAM_NAMES.some((s) => batch[s].length > 0)) await pump.handOver(batch)
        else await turn()
        const reached = sim.position
        until = reached
        marks = Promise.all([marks, pump.settled()]).then(() => {
          if (span.from < reached) span.from = reached
          onHistory?.(remaining.map((s) => ({ ...s })))
        })
      }
      await pump.settled()
      await marks
      if (stopped) break
      remaining.shift()
      until = null
      onHistory?.(remaining.map((s) => ({ ...s })))
    }
    stats.backfilling = remaining.length > 0
  }
  const historyDone = writeHistory().catch((err: unknown) => {
    stopped = true
    stats.lastError = `history stopped: ${err instanceof Error ? err.message : String(err)}`
  })

  return {
    live: liveRun.live,
    historyDone,
    stats: () => {
      const l = liveRun.stats()
      const add = (a: Record<StreamName, number>, b: Record<StreamName, number>) =>
        Object.fromEntries(STREAM_NAMES.map((s) => [s, a[s] + b[s]])) as Record<StreamName, number>
      return {
        ...l,
        backfilling: l.backfilling || stats.backfilling,
        sent: add(l.sent, stats.sent),
        failed: add(l.failed, stats.failed),
        sinkErrors: l.sinkErrors + stats.sinkErrors,
        lastError: stats.lastError ?? l.lastError,
      }
    },
    history: () => {
      const left = remaining.reduce((a, s) => a + (s.to - s.from), 0)
      return {
        loading: remaining.length > 0 && !stopped,
        ...bounds,
        until,
        progress: total > 0 ? Math.min(1, Math.max(0, 1 - left / total)) : 1,
        remaining: remaining.map((s) => ({ ...s })),
      }
    },
    async stop() {
      stopped = true
      await Promise.all([liveRun.stop(), historyDone])
    },
  }
}
