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

const STREAM_TABLES = {
  events: tables.gridEvents,
  tickets: tables.hotlineTickets,
  terminals: tables.terminalStatus,
} as const

// max() of no rows is the epoch: an empty stream.
const msOf = (v: string | number | null | undefined) =>
  v === null || v === undefined || Number(v) <= 0 ? null : Number(v)

/**
 * The newest `ts` of each stream. A plain max(ts) is answered from the parts' min/max of the
 * partition key (3 ms on 20 million rows, docs/performance.md); a bound on ts makes ClickHouse read
 * the column (300 ms). So the bound is applied only to a stream whose newest row is past what ingest
 * takes at `now` (written before time was bounded, or by another writer): one such row would hide
 * any lag.
 */
export async function newestStored(
  store: Store,
  now: number,
  bounds: TimeBounds = DEFAULT_TIME_BOUNDS,
): Promise<Newest> {
  const limit = timeWindow(now, bounds).to
  const [r] = await rows<Record<keyof Newest, string | number | null>>(
    store,
    sql`SELECT
    (SELECT toUnixTimestamp64Milli(max(ts)) FROM ${STREAM_TABLES.events}) AS events,
    (SELECT toUnixTimestamp64Milli(max(ts)) FROM ${STREAM_TABLES.tickets}) AS tickets,
    (SELECT toUnixTimestamp64Milli(max(ts)) FROM ${STREAM_TABLES.terminals}) AS terminals`,
  )
  const out: Newest = { events: msOf(r.events), tickets: msOf(r.tickets), terminals: msOf(r.terminals) }
  for (const key of Object.keys(STREAM_TABLES) as (keyof Newest)[]) {
    if ((out[key] ?? 0) <= limit) continue
    const [b] = await rows<{ last: string | number | null }>(
      store,
      sql`SELECT toUnixTimestamp64Milli(max(ts)) AS last FROM ${STREAM_TABLES[key]} WHERE ts <= ${sql.ms(limit)}`,
    )
    out[key] = msOf(b?.last)
  }
  return out
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
