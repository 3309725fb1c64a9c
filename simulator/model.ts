/**
 * The simulator: a pure, seeded generator of the city's three streams with a clock you move.
 *
 *   const sim = createSimulator({ seed: 42, rate: 10, city, eventCatalog, hotlineCatalog, start })
 *   const batch = sim.advance(Date.now())   // every record with ts in (last, now], per stream in ts order
 *
 * Time is cut into fixed one-minute buckets aligned to the epoch; when the clock passes a bucket's
 * start, the bucket's arrivals are drawn and each new event's or ticket's whole future is queued.
 * So the output depends only on the seed, `start` and the options — not on how the clock is moved
 * (an hour at a time during backfill, a second at a time live): the same records either way.
 */
import type { EventCatalog, HotlineCatalog } from '#core/schemas/catalog.js'
import type { GridEventInput, HotlineTicketInput, StreamName, TerminalStatusInput } from '#core/schemas/records.js'
import { type City, type TerminalPlacement, type TerminalSite, placeTerminals } from './city.js'
import { GridEventModel, RECORDS_PER_EVENT } from './events.js'
import { rngFor } from './random.js'
import { MINUTE_MS } from './rhythm.js'
import { type Spatial, buildSpatial } from './spatial.js'
import { HEARTBEAT_MS, TerminalModel } from './terminals.js'
import { RECORDS_PER_TICKET, TicketModel } from './tickets.js'

export interface SimulatorOptions {
  seed: number
  /** Mean records per second across the three streams over a day (see `rates`). */
  rate: number
  city: City
  eventCatalog: EventCatalog
  hotlineCatalog: HotlineCatalog
  /** Epoch ms; the first records are after it. */
  start: number
  /** Overrides for where terminals stand (defaults give ~300 for the demo city). */
  terminals?: Partial<TerminalPlacement>
  /** Share of the non-terminal records that are grid events (the rest are tickets). Default 0.7. */
  eventShare?: number
}

export interface Batch {
  'grid-events': GridEventInput[]
  'terminal-status': TerminalStatusInput[]
  'hotline-tickets': HotlineTicketInput[]
}

export interface Simulator {
  /** Every record with ts in (previous position, until], per stream in ts order. */
  advance(until: number): Batch
  /** The clock: the `until` of the last advance, or `start`. */
  readonly position: number
  readonly terminals: readonly TerminalSite[]
  /** Mean arrivals per second (before the daily rhythm) and what they add up to. */
  readonly rates: {
    eventsPerSecond: number
    ticketsPerSecond: number
    heartbeatsPerSecond: number
    recordsPerSecond: number
  }
  /** Records drawn but not yet due (later steps of open events and tickets). */
  pending(): Record<StreamName, number>
}

export function defaultPlacement(city: City): TerminalPlacement {
  return {
    secondAtStreet: 0.45,
    communityShare: 0.07,
    // Community terminals cluster in the centre, where the 党群服务中心 are busier.
    districtBoost: Object.fromEntries(city.denseDistricts.map((d) => [d, 1.6])),
  }
}

const BUCKET_MS = MINUTE_MS

export function createSimulator(opts: SimulatorOptions): Simulator {
  const { seed, rate, city, start } = opts
  if (!(rate > 0)) throw new Error('simulator: rate must be > 0')
  if (!Number.isInteger(start)) throw new Error('simulator: start must be an integer epoch ms')
  // Each part has its own random stream, so e.g. the terminals' story does not change with the rate.
  const spatial: Spatial = buildSpatial(city, rngFor(seed, 'spatial'))
  const sites = placeTerminals(city, rngFor(seed, 'placement'), { ...defaultPlacement(city), ...opts.terminals })
  const terminals = new TerminalModel(rngFor(seed, 'terminals'), sites, start, city.timeZone)

  // Heartbeats are fixed by the terminal count; events and tickets share what is left of the rate.
  // Below the heartbeat rate they still get half the rate, so a low rate is not all heartbeats.
  const heartbeatsPerSecond = sites.length / (HEARTBEAT_MS / 1000)
  const rest = Math.max(rate - heartbeatsPerSecond, rate * 0.5)
  const eventShare = opts.eventShare ?? 0.7
  const eventsPerSecond = (rest * eventShare) / RECORDS_PER_EVENT
  const ticketsPerSecond = (rest * (1 - eventShare)) / RECORDS_PER_TICKET
  const events = new GridEventModel(rngFor(seed, 'events'), opts.eventCatalog, spatial, eventsPerSecond)
  const tickets = new TicketModel(rngFor(seed, 'tickets'), opts.hotlineCatalog, spatial, ticketsPerSecond)

  let position = start
  let nextBucket = Math.floor(start / BUCKET_MS) * BUCKET_MS

  return {
    get position() {
      return position
    },
    terminals: sites,
    rates: { eventsPerSecond, ticketsPerSecond, heartbeatsPerSecond, recordsPerSecond: heartbeatsPerSecond + rest },
    pending: () => ({
      'grid-events': events.pending,
      'terminal-status': terminals.pending,
      'hotline-tickets': tickets.pending,
    }),
    advance(until: number): Batch {
      if (!Number.isFinite(until)) throw new Error('simulator: until must be a finite epoch ms')
      until = Math.floor(until)
      if (until <= position) return { 'grid-events': [], 'terminal-status': [], 'hotline-tickets': [] }
      // Draw every bucket that can hold a record at or before `until`. Terminals first, then
      // events, then tickets: a fixed order, each from its own stream.
      while (nextBucket <= until) {
        const end = nextBucket + BUCKET_MS
        terminals.generate(nextBucket, end)
        events.generate(nextBucket, end, start)
        tickets.generate(nextBucket, end, start)
        nextBucket = end
      }
      position = until
      return {
        'grid-events': events.popUntil(until),
        'terminal-status': terminals.popUntil(until),
        'hotline-tickets': tickets.popUntil(until),
      }
    },
  }
}
