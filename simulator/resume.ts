/**
 * Where the in-process simulator of `npm start` picks up its story after a restart: the anchor (its
 * seed and the start of its story, kept in IOC_DATA_DIR) and the time from which it sends again.
 */
import { timeWindow, type TimeBounds } from '#core/time-bounds.js'
import type { Store } from '#store/client.js'
import { tables } from '#store/schema.js'
import { sql } from '#store/sql.js'

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
