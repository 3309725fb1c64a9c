/**
 * Self-service terminals: each reports every 5 minutes with what it served since the last report
 * and its paper level. Faults (printer, card reader, network, screen, paper out) last hours and
 * wait for the morning when they start at night; outages silence a terminal, and after 15 quiet
 * minutes the platform reports it `offline`; now and then one is in maintenance.
 */
import { DEFAULT_TERMINAL_SILENCE_MINUTES, TERMINAL_HEARTBEAT_MS } from '#core/terminals.js'
import type { TerminalStatusInput } from '#core/schemas/records.js'
import type { TerminalSite } from './city.js'
import { PendingQueue } from './queue.js'
import { type Rng, WeightedPicker, lognormal, poisson, randInt } from './random.js'
import { DAY_MS, HOUR_MS, MINUTE_MS, PROFILES, inLocalHours, nextLocalHour } from './rhythm.js'

export const HEARTBEAT_MS = TERMINAL_HEARTBEAT_MS
/** Silence after which the platform declares a terminal offline: the api's default silence (core/terminals.ts). */
const OFFLINE_AFTER_MS = DEFAULT_TERMINAL_SILENCE_MINUTES * MINUTE_MS
/** How far before `start` the terminals are run silently, so they begin in a lived-in state. */
const WARMUP_MS = 3 * DAY_MS
const TICKS_PER_DAY = DAY_MS / HEARTBEAT_MS

// Hazards per heartbeat, as "once every N days" per terminal. Together with the durations below
// they keep 90–95 % of terminals online (measured in test/unit/simulator.test.ts).
const DOWN_EVERY_DAYS = 4
const FAULT_EVERY_DAYS = 3.5
const MAINTENANCE_EVERY_DAYS = 14
/** Paper used per transaction, in percent of a roll (not every transaction prints). */
const PAPER_PER_TRANSACTION = 0.25

type Mode = 'online' | 'fault' | 'maintenance' | 'down'

interface State {
  site: TerminalSite
  /** Nominal time of the next heartbeat; heartbeats keep to a fixed 5-minute grid per terminal. */
  next: number
  mode: Mode
  until: number
  faultCode?: string
  paper: number
  downSince: number
  offlineReported: boolean
}

const FAULTS = new WeightedPicker(['printer', 'card_reader', 'network', 'screen'], [30, 20, 25, 10])
/** What still works during a fault: a broken printer still lets people look things up. */
const SERVICE_FACTOR: Record<string, number> = { printer: 0.5, card_reader: 0.3, network: 0, screen: 0, paper_out: 0.4 }

export class TerminalModel {
  private readonly queue = new PendingQueue<TerminalStatusInput>()
  private readonly states: State[]

  constructor(
    private readonly rng: Rng,
    sites: readonly TerminalSite[],
    start: number,
    /** The city's zone: people use terminals and technicians come by its clock. */
    private readonly tz: string,
  ) {
    this.states = sites.map((site) => ({
      site,
      next: start - WARMUP_MS + randInt(rng, HEARTBEAT_MS),
      mode: 'online',
      until: 0,
      paper: 30 + 70 * rng(),
      downSince: 0,
      offlineReported: false,
    }))
    // Run the days before `start` without emitting, so that at `start` some terminals are already
    // broken or offline, as they would be in a real city, instead of all starting fresh.
    for (const s of this.states) while (s.next <= start) this.tick(s, false)
    // A terminal already silent at start is reported offline on its next check: the records sent
    // before `start` were never emitted, so the store would not know.
    for (const s of this.states) if (s.mode === 'down') s.offlineReported = false
  }

  get pending(): number {
    return this.queue.size
  }

  /** Number of terminals sending heartbeats, for sizing the other streams. */
  get count(): number {
    return this.states.length
  }

  generate(_from: number, to: number): void {
    for (const s of this.states) while (s.next < to) this.tick(s, true)
  }

  popUntil(until: number): TerminalStatusInput[] {
    return this.queue.popUntil(until, [])
  }

  private tick(s: State, emit: boolean): void {
    const rng = this.rng
    const t = s.next
    s.next += HEARTBEAT_MS
    let transactions = 0
    if (s.mode === 'down') {
      if (t < s.until) {
        if (!s.offlineReported && t - s.downSince >= OFFLINE_AFTER_MS) {
          s.offlineReported = true
          // Sent by the platform, not the terminal: no counters.
          if (emit) this.queue.push(t, { terminal_id: s.site.terminal_id, ts: t, status: 'offline', ...this.place(s) })
        }
        return
      }
      s.mode = 'online' // back, with nothing served while it was off
    } else {
      if ((s.mode === 'fault' || s.mode === 'maintenance') && t >= s.until) {
        if (s.mode === 'maintenance') s.paper = 100
        s.mode = 'online'
        s.faultCode = undefined
      }
      const factor = s.mode === 'online' ? 1 : s.mode === 'fault' ? (SERVICE_FACTOR[s.faultCode ?? ''] ?? 0) : 0
      const lambda = (s.site.dailyTransactions * PROFILES.terminalUse.at(t, this.tz) * factor) / TICKS_PER_DAY
      transactions = poisson(rng, lambda)
      if (s.faultCode !== 'paper_out') s.paper = Math.max(0, s.paper - transactions * PAPER_PER_TRANSACTION * rng() * 2)
    }

    // Staff refill low paper during office hours, and not at once.
    if (s.paper < 20 && inLocalHours(t, 8.5, 17.5, this.tz) && rng() < 0.04) {
      s.paper = 100
      if (s.faultCode === 'paper_out') {
        s.mode = 'online'
        s.faultCode = undefined
      }
    }
    if (s.paper <= 0 && s.mode === 'online') {
      s.mode = 'fault'
      s.faultCode = 'paper_out'
      s.until = Infinity // until someone refills it
    }

    if (s.mode === 'online') {
      // Busy machines break more: hazards follow usage, with a floor for the night.
      const use = 0.3 + 0.7 * PROFILES.terminalUse.at(t, this.tz)
      const r = rng()
      const pDown = 1 / (DOWN_EVERY_DAYS * TICKS_PER_DAY)
      const pFault = use / (FAULT_EVERY_DAYS * TICKS_PER_DAY)
      const pMaint = inLocalHours(t, 9, 17, this.tz) ? 3 / (MAINTENANCE_EVERY_DAYS * TICKS_PER_DAY) : 0
      if (r < pDown) {
        s.mode = 'down'
        s.downSince = t
        s.until = t + Math.max(HEARTBEAT_MS, lognormal(rng, 40 * MINUTE_MS, 1.1))
        s.offlineReported = false
        return // it died before this heartbeat
      } else if (r < pDown + pFault) {
        s.mode = 'fault'
        s.faultCode = FAULTS.pick(rng)
        s.until = t + lognormal(rng, 2 * HOUR_MS, 0.8)
        // Repairs are done by day: a fault that would outlast the evening waits for the morning.
        if (s.faultCode !== 'network' && inLocalHours(s.until, 20, 8, this.tz))
          s.until = nextLocalHour(s.until, 8, this.tz) + lognormal(rng, HOUR_MS, 0.5)
      } else if (r < pDown + pFault + pMaint) {
        s.mode = 'maintenance'
        s.until = t + lognormal(rng, 45 * MINUTE_MS, 0.4)
      }
    }
    if (!emit) return
    const ts = t + randInt(rng, 3000) // clocks and networks are not exact
    const rec: TerminalStatusInput = {
      terminal_id: s.site.terminal_id,
      ts,
      status: s.mode, // never 'down' here: a silent terminal returned above
      ...this.place(s),
    }
    if (s.faultCode) rec.fault_code = s.faultCode
    rec.paper_pct = Math.round(s.paper * 10) / 10
    rec.transactions = transactions
    this.queue.push(ts, rec)
  }

  private place(s: State) {
    return { grid_code: s.site.grid_code, lon: s.site.lon, lat: s.site.lat, site: s.site.site }
  }
}
