/**
 * Where the in-process simulator of `npm start` picks up its story after a restart: the anchor (its
 * seed and the start of its story, kept in IOC_DATA_DIR) and the time from which it sends again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { timeWindow, type TimeBounds } from '#core/time-bounds.js'
import type { Store } from '#store/client.js'
import { tables } from '#store/schema.js'
import { sql } from '#store/sql.js'
import type { Span } from './runner.js'

export interface Anchor {
  seed: number
  start: number
}

/**
 * The saved anchor when it is for this seed and not in the future (a clock that was wrong once must
 * not stop the story); otherwise a new story beginning `backfillHours` ago.
 */
export function anchorFor(saved: Anchor | undefined, seed: number, now: number, backfillHours: number): Anchor {
  if (saved && saved.seed === seed && saved.start <= now) return saved
  return { seed, start: Math.floor((now - backfillHours * 3_600_000) / 60_000) * 60_000 }
}

/**
 * The newest grid event's time (epoch ms) that may be stored at `now`; 0 when there is none.
 * Rows from the future (written before ingest bounded time, or by another writer) are ignored.
 */
export async function newestStored(store: Store, now: number, bounds: TimeBounds): Promise<number> {
  const q = sql`SELECT toUnixTimestamp64Milli(max(ts)) AS last FROM ${tables.gridEvents}
    WHERE ts <= ${sql.ms(timeWindow(now, bounds).to)}`
  const rs = await store.query({ ...q.toQuery(), format: 'JSONEachRow' })
  const [{ last }] = await rs.json<{ last: string }>()
  return Number(last)
}

/**
 * Where sending starts again: a little before the newest stored record (ingest drops the
 * duplicates), or the anchor's start for a store that holds nothing of this story; never before
 * what the store still takes (its retention), never after now.
 */
export async function resumeFrom(
  store: Store,
  anchor: Anchor,
  { now, bounds }: { now: number; bounds: TimeBounds },
): Promise<number> {
  const stored = await newestStored(store, now, bounds)
  const from = stored > anchor.start ? Math.max(anchor.start, stored - 5 * 60_000) : anchor.start
  return Math.min(now, Math.max(from, timeWindow(now, bounds).from))
}

/** What `npm start` keeps in IOC_DATA_DIR/simulator.json: the anchor, and the history still to write. */
export interface SimulatorState extends Anchor {
  /** Spans (ts in (from, to]) of the history not yet stored; absent in files of older versions. */
  history?: Span[]
}

export function readState(file: string): SimulatorState | undefined {
  if (!existsSync(file)) return undefined
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<SimulatorState>
    if (typeof raw.seed !== 'number' || typeof raw.start !== 'number') return undefined
    const history = Array.isArray(raw.history)
      ? raw.history.filter((s): s is Span => Number.isFinite(s?.from) && Number.isFinite(s?.to))
      : undefined
    return { seed: raw.seed, start: raw.start, ...(history ? { history } : {}) }
  } catch {
    // A torn or hand-edited file: a new story is better than no start.
    return undefined
  }
}

/** Written to a temporary file and renamed, so a crash mid-write leaves the previous state whole. */
export function writeState(file: string, state: SimulatorState): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, JSON.stringify(state))
  renameSync(tmp, file)
}

/**
 * The history to write behind the live run, in the order to write it: what an earlier run left
 * unwritten (`pending`) and the gap since the store's newest record (`gapFrom`, from resumeFrom)
 * up to where the live run starts; spans joined where they overlap, never before `floor` (what
 * the store still takes), cut at each instant of `cuts` (the city's midnight), newest first — so
 * today's overview fills before yesterday's hours are written.
 */
export function planHistory({
  pending = [],
  gapFrom,
  liveFrom,
  floor,
  cuts = [],
}: {
  pending?: readonly Span[]
  gapFrom: number
  liveFrom: number
  floor: number
  cuts?: readonly number[]
}): Span[] {
  const spans = [...pending, { from: gapFrom, to: liveFrom }]
    .map((s) => ({ from: Math.max(s.from, floor), to: Math.min(s.to, liveFrom) }))
    .filter((s) => s.to > s.from)
    .sort((a, b) => a.from - b.from)
  const joined: Span[] = []
  for (const s of spans) {
    const last = joined.at(-1)
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to)
    else joined.push({ ...s })
  }
  const cut: Span[] = []
  for (const s of joined) {
    let from = s.from
    for (const c of [...cuts].sort((a, b) => a - b)) {
      if (c <= from || c >= s.to) continue
      cut.push({ from, to: c })
      from = c
    }
    cut.push({ from, to: s.to })
  }
  return cut.sort((a, b) => b.to - a.to)
}
