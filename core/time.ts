const offsetFormats = new Map<string, Intl.DateTimeFormat>()

/** Offset of `tz` from UTC at instant `ms`, in ms (UTC+8 in China). */
export function tzOffsetMs(ms: number, tz: string): number {
  // Building a formatter costs far more than using one: one per zone.
  let format = offsetFormats.get(tz)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    offsetFormats.set(tz, format)
  }
  const parts = format.formatToParts(new Date(ms))
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return asUtc - Math.floor(ms / 1000) * 1000
}

/** Midnight of the day containing `ms`, in `tz`. */
export function startOfDay(ms: number, tz: string): number {
  const off = tzOffsetMs(ms, tz)
  const local = ms + off
  const midnightLocal = local - (((local % 86_400_000) + 86_400_000) % 86_400_000)
  return midnightLocal - tzOffsetMs(midnightLocal - off, tz)
}

export const INTERVAL_MS = { '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const
