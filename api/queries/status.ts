/**
 * The store's freshness: the newest stored `ts` of each stream, for GET /api/v1/status. Every
 * screen polls it, so one answer serves all of them for a couple of seconds.
 */
import { timeWindow, DEFAULT_TIME_BOUNDS, type TimeBounds } from '#core/time-bounds.js'
import type { Store } from '#store/client.js'
import { tables } from '#store/schema.js'
import { sql } from '#store/sql.js'
import { rows } from './run.js'

export interface Newest {
  events: number | null
  tickets: number | null
  terminals: number | null
}

/**
 * One statement over the three raw tables. Rows stamped after what ingest takes at `now` (written
 * before time was bounded, or by another writer) are left out: one of them would hide any lag.
 */
export async function newestStored(
  store: Store,
  now: number,
  bounds: TimeBounds = DEFAULT_TIME_BOUNDS,
): Promise<Newest> {
  const to = sql.ms(timeWindow(now, bounds).to)
  const q = sql`SELECT
    (SELECT toUnixTimestamp64Milli(max(ts)) FROM ${tables.gridEvents} WHERE ts <= ${to}) AS events,
    (SELECT toUnixTimestamp64Milli(max(ts)) FROM ${tables.hotlineTickets} WHERE ts <= ${to}) AS tickets,
    (SELECT toUnixTimestamp64Milli(max(ts)) FROM ${tables.terminalStatus} WHERE ts <= ${to}) AS terminals`
  const [r] = await rows<Record<keyof Newest, string | number | null>>(store, q)
  // max() of no rows is the epoch: an empty stream.
  const ms = (v: string | number | null) => (v === null || Number(v) <= 0 ? null : Number(v))
  return { events: ms(r.events), tickets: ms(r.tickets), terminals: ms(r.terminals) }
}

/** `newestStored` asked at most once per `ttlMs`; callers in between share the answer (and its question in flight). */
export function cachedNewest(store: Store, bounds: TimeBounds | undefined, ttlMs = 2000) {
  let hit: { at: number; value: Promise<Newest> } | undefined
  return (now: number): Promise<Newest> => {
    if (hit && now - hit.at < ttlMs && now >= hit.at) return hit.value
    const value = newestStored(store, now, bounds)
    hit = { at: now, value }
    // A failed question is not kept: the next caller asks again.
    value.catch(() => {
      if (hit?.value === value) hit = undefined
    })
    return value
  }
}
