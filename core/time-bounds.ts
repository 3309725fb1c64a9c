/**
 * The times a record may carry to enter the store: not further ahead of the server's clock than a
 * clock skew explains, and not older than the store keeps. Everything that reads "the newest stored
 * time" relies on the upper bound, and no spooled insert can touch more monthly partitions than
 * ClickHouse takes in one block (100) because of the lower one.
 */

/** A sender's clock may run this far ahead of ours (`IOC_MAX_FUTURE_MINUTES`). */
export const DEFAULT_MAX_FUTURE_MINUTES = 10
/** A year of history plus a month: last year's same month can still be loaded late (`IOC_RETENTION_DAYS`). */
export const DEFAULT_RETENTION_DAYS = 400
/**
 * Seven years: the window then spans at most 86 monthly partitions, under ClickHouse's
 * `max_partitions_per_insert_block` (100), so no batch of accepted records can be refused for it.
 */
export const MAX_RETENTION_DAYS = 2555

export interface TimeBounds {
  maxFutureMinutes: number
  retentionDays: number
}

export const DEFAULT_TIME_BOUNDS: TimeBounds = {
  maxFutureMinutes: DEFAULT_MAX_FUTURE_MINUTES,
  retentionDays: DEFAULT_RETENTION_DAYS,
}

/** The times (epoch ms, both ends included) a record may carry at `now`. */
export function timeWindow(now: number, bounds: TimeBounds): { from: number; to: number } {
  return { from: now - bounds.retentionDays * 86_400_000, to: now + bounds.maxFutureMinutes * 60_000 }
}

/** Why a record's time is refused at `now`, or undefined when it may enter. */
export function timeRefusal(ts: number, now: number, bounds: TimeBounds): string | undefined {
  const { from, to } = timeWindow(now, bounds)
  if (ts > to)
    return `${iso(ts)} is more than ${bounds.maxFutureMinutes} minutes ahead of the server's clock (${iso(now)})`
  if (ts < from) return `${iso(ts)} is older than the store's retention of ${bounds.retentionDays} days (${iso(from)})`
  return undefined
}

function iso(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
}
