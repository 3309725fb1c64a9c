import type { Point } from '#core/schemas/api'

/** A series as the chart draws it: null is a gap, never a zero. */
export interface Drawn {
  /** Bucket starts (ms), the server's. */
  starts: number[]
  /** Values of the buckets that are over; null for a bucket not begun (or not known). */
  values: (number | null)[]
  /** The bucket still running, whose figure is still rising; -1 when none is. */
  partial: number
}

/**
 * The server's points as drawn: a bucket that starts after `now` has no value yet (the server says
 * so with null; a server older than that said 0, which is not a figure either).
 */
export function drawn(points: readonly Point[], now: number): Drawn {
  const starts = points.map((p) => Date.parse(p.t))
  const values = points.map((p, i) => (p.v === null || starts[i]! > now ? null : p.v))
  return { starts, values, partial: points.findIndex((p, i) => p.partial === true && values[i] !== null) }
}

/** The sum over the range of what has happened: nulls are nothing yet, not zeros that count. */
export function total(points: readonly Point[]): number | null {
  const known = points.filter((p): p is Point & { v: number } => p.v !== null)
  return known.length ? known.reduce((s, p) => s + p.v, 0) : null
}

/**
 * The values split for drawing: `solid` has the buckets that are over, `running` only the segment from
 * the last one over to the running bucket (drawn dashed, its point hollow).
 */
export function split(d: Drawn): { solid: (number | null)[]; running: (number | null)[] } {
  if (d.partial < 0) return { solid: d.values, running: d.values.map(() => null) }
  const solid = d.values.map((v, i) => (i === d.partial ? null : v))
  const running = d.values.map((v, i) => (i === d.partial || i === d.partial - 1 ? v : null))
  return { solid, running }
}
