/**
 * The city's daily rhythm, in the city's local time (city.yaml `time_zone`, not IOC_TZ: the
 * simulated people live by their own clock whatever zone the operators chose for their screen).
 */
import { tzOffsetMs } from '#core/time.js'

export const HOUR_MS = 3_600_000
export const MINUTE_MS = 60_000
export const DAY_MS = 24 * HOUR_MS
// Zones change offset on a quarter hour at the finest, so one offset per quarter hour is exact.
const SLOT_MS = 15 * MINUTE_MS
interface ZoneMemo {
  lastSlot: number
  lastOffset: number
  slots: Map<number, number>
}
const zones = new Map<string, ZoneMemo>()

/** Offset of `tz` from UTC at `ts`, memoised per quarter hour (the simulator asks millions of times). */
function offsetAt(ts: number, tz: string): number {
  let zone = zones.get(tz)
  if (!zone) zones.set(tz, (zone = { lastSlot: NaN, lastOffset: 0, slots: new Map() }))
  const slot = Math.floor(ts / SLOT_MS)
  // Most calls are near the previous one: the same quarter hour, no map lookup.
  if (slot === zone.lastSlot) return zone.lastOffset
  let off = zone.slots.get(slot)
  if (off === undefined) {
    if (zone.slots.size >= 100_000) zone.slots.clear()
    off = tzOffsetMs(slot * SLOT_MS, tz)
    zone.slots.set(slot, off)
  }
  zone.lastSlot = slot
  zone.lastOffset = off
  return off
}

const msOfDay = (local: number) => ((local % DAY_MS) + DAY_MS) % DAY_MS

/** Hours since local midnight, fractional (0 ≤ h < 24). */
export function localHour(ts: number, tz: string): number {
  return msOfDay(ts + offsetAt(ts, tz)) / HOUR_MS
}

/** The first time after `ts` at which the local clock reads `hour`:00 (skipped by a DST jump: the hour after). */
export function nextLocalHour(ts: number, hour: number, tz: string): number {
  const local = ts + offsetAt(ts, tz)
  let wall = local - msOfDay(local) + hour * HOUR_MS
  for (;;) {
    const t = wall - offsetAt(wall - offsetAt(ts, tz), tz)
    if (t > ts) return t
    wall += DAY_MS
  }
}

/** Is the local time in [from, to) hours, where the span may wrap past midnight (22 → 8)? */
export function inLocalHours(ts: number, from: number, to: number, tz: string): boolean {
  const h = localHour(ts, tz)
  return from <= to ? h >= from && h < to : h >= from || h < to
}

const pad = (n: number, w: number) => String(n).padStart(w, '0')

/** Local date and time parts for ids: `{ date: '20261123', hms: '101502' }`. */
export function localStamp(ts: number, tz: string): { date: string; hms: string } {
  const d = new Date(ts + offsetAt(ts, tz)) // read with the UTC getters: that is local time
  return {
    date: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`,
    hms: `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`,
  }
}

/**
 * A daily shape: 24 values at the full hours, linearly interpolated and scaled so its mean over
 * the day is 1. Multiplying an average rate by it keeps the daily total at the average.
 */
export class Profile {
  private readonly points: Float64Array

  constructor(hourly: readonly number[]) {
    if (hourly.length !== 24) throw new Error('a profile has 24 hourly values')
    // The mean of a cyclic piecewise-linear curve through equally spaced points is the points' mean.
    const mean = hourly.reduce((a, b) => a + b, 0) / 24
    this.points = Float64Array.from(hourly, (v) => v / mean)
  }

  at(ts: number, tz: string): number {
    const h = localHour(ts, tz)
    const i = Math.floor(h)
    const f = h - i
    return this.points[i] * (1 - f) + this.points[(i + 1) % 24] * f
  }
}

// Hourly shapes (index = local hour). Rough, but with the features a duty officer expects to see.
export const PROFILES = {
  /** Grid workers patrol in office hours: a morning peak, a lunch dip, an afternoon peak. */
  gridWorker: new Profile([
    0.04, 0.02, 0.02, 0.02, 0.02, 0.05, 0.2, 0.8, 2.1, 3.1, 3.3, 2.6, 1.1, 1.4, 2.8, 3.0, 2.6, 1.4, 0.6, 0.4, 0.3, 0.2,
    0.1, 0.06,
  ]),
  /** Video algorithms see street life: vendors and parking peak at lunch and in the evening. */
  video: new Profile([
    0.3, 0.2, 0.15, 0.12, 0.12, 0.2, 0.5, 0.9, 1.2, 1.3, 1.4, 1.5, 1.5, 1.3, 1.3, 1.3, 1.4, 1.6, 1.8, 1.9, 1.7, 1.3,
    0.8, 0.5,
  ]),
  /** Sensors do not sleep; a little more in the day, when pipes and traffic work hardest. */
  sensor: new Profile([
    0.7, 0.65, 0.6, 0.6, 0.6, 0.7, 0.85, 1.0, 1.15, 1.2, 1.25, 1.25, 1.2, 1.2, 1.25, 1.25, 1.2, 1.2, 1.15, 1.05, 0.95,
    0.9, 0.8, 0.75,
  ]),
  /** 12345 calls: mid-morning and afternoon peaks, app and WeChat keep some evening traffic. */
  hotline: new Profile([
    0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.3, 0.7, 1.5, 2.2, 2.3, 2.0, 1.3, 1.4, 1.9, 2.0, 1.8, 1.4, 1.0, 1.0, 0.9, 0.7,
    0.45, 0.25,
  ]),
  /** Self-service terminals: office hours and the after-work hour; almost nobody at 3 a.m. */
  terminalUse: new Profile([
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.1, 0.5, 1.6, 2.4, 2.6, 2.2, 1.4, 1.6, 2.3, 2.4, 2.1, 1.7, 1.4, 1.1, 0.7, 0.3,
    0.1, 0.05,
  ]),
} as const
