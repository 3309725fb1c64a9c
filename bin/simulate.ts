/**
 * `npm run simulate -- --rate N [--url http://localhost:8080] [--token demo-ingest-token]
 *   [--seed 42] [--backfill-hours H] [--duration S]`
 * Feeds an ingest endpoint with the demo city's three streams over HTTP.
 */
import { parseArgs } from 'node:util'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { STREAM_NAMES, type StreamName } from '#core/schemas/records.js'
import { cityDir, loadCity } from '#platform/config/city.js'
import { simCity } from '#simulator/city.js'
import { SinkAuthError, createHttpSink } from '#simulator/http-sink.js'
import { createSimulator } from '#simulator/model.js'
import { DEFAULT_SLICE_RECORDS, startLiveFirst } from '#simulator/runner.js'
import { planHistory } from '#simulator/resume.js'
import { startOfDay } from '#core/time.js'

const HELP = `Usage: npm run simulate -- --rate N [options]

  --rate N             mean records per second across the three streams (default 10)
  --url URL            ingest base URL (default http://localhost:\${PORT:-8080})
  --token TOKEN        Bearer ingest token (default demo-ingest-token)
  --seed N             random seed (default 42)
  --backfill-hours H   also send the last H hours, behind the live records, today first (default 0)
  --duration S         stop after S seconds of live sending (default: run until Ctrl-C)
  --city DIR           the city's folder with city.yaml (default IOC_CITY_DIR, else dashboards/geo)
`

function fail(message: string): never {
  console.error(`simulate: ${message}\n\n${HELP}`)
  process.exit(2)
}

function num(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number ≥ ${min}, got "${value}"`)
  return n
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        rate: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        seed: { type: 'string' },
        'backfill-hours': { type: 'string' },
        duration: { type: 'string' },
        city: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err))
  }
}

async function main(): Promise<void> {
  const values = parseCommandLine()
  if (values.help) {
    console.log(HELP)
    return
  }
  const rate = num('rate', values.rate, 10, 0.01)
  const seed = Math.trunc(num('seed', values.seed, 42, -Infinity))
  const backfillHours = num('backfill-hours', values['backfill-hours'], 0, 0)
  const duration = values.duration === undefined ? undefined : num('duration', values.duration, 0, 0)
  const url = values.url ?? `http://localhost:${process.env.PORT ?? 8080}`
  const token = values.token ?? 'demo-ingest-token'

  const loaded = loadCity(values.city ?? cityDir())
  const city = simCity(loaded)
  const now = Date.now()
  const start = Math.floor(now - backfillHours * 3_600_000)
  const eventCatalog = loadEventCatalog()
  const hotlineCatalog = loadHotlineCatalog()
  const createSim = () => createSimulator({ seed, rate, city, eventCatalog, hotlineCatalog, start })
  const sim = createSim()
  const r = sim.rates
  console.log(
    `simulate: ${url} seed ${seed}, ${city.grids.length} grids, ${sim.terminals.length} terminals; ` +
      `${r.recordsPerSecond.toFixed(1)} records/s (events ${r.eventsPerSecond.toFixed(2)}/s, tickets ${r.ticketsPerSecond.toFixed(2)}/s, ` +
      `heartbeats ${r.heartbeatsPerSecond.toFixed(2)}/s)` +
      (backfillHours > 0 ? `; live at once, and the last ${backfillHours} h behind it, today first` : ''),
  )

  const abort = new AbortController()
  const { sink, counters } = createHttpSink({ url, token, signal: abort.signal })
  let fatal: unknown
  // Live first, the history behind it (simulator/runner.ts startLiveFirst), as npm start does.
  const simulation = startLiveFirst({
    createSim,
    liveFrom: now,
    history: planHistory({ gapFrom: start, liveFrom: now, floor: start, cuts: [startOfDay(now, loaded.timeZone)] }),
    sink,
    // The backfill's slices go out without waiting for each answer: eight requests at once at most,
    // well within the share of the server's in-flight budget that one sender gets (16).
    maxPendingRecords: 8 * DEFAULT_SLICE_RECORDS,
    onError: (err, stream, n) => {
      if (err instanceof SinkAuthError) {
        fatal = err
        abort.abort(err)
        void shutdown(1)
      } else if (!abort.signal.aborted) {
        console.error(
          `simulate: ${n} ${stream} records not delivered: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    },
  })

  // A line every ~10 s: what was sent and what the server made of it.
  let last = {
    at: Date.now(),
    sent: 0,
    per: { 'grid-events': 0, 'terminal-status': 0, 'hotline-tickets': 0 } as Record<StreamName, number>,
  }
  const report = () => {
    const s = simulation.stats()
    const at = Date.now()
    const secs = Math.max(0.001, (at - last.at) / 1000)
    const sent = STREAM_NAMES.reduce((a, k) => a + s.sent[k], 0)
    const per = STREAM_NAMES.map((k) => `${k.split('-')[0]} ${((s.sent[k] - last.per[k]) / secs).toFixed(1)}`).join(
      ', ',
    )
    console.log(
      `${new Date(at).toISOString()} ${s.backfilling ? 'live + history' : 'live'} ${((sent - last.sent) / secs).toFixed(1)} records/s (${per}); ` +
        `accepted ${counters.accepted} rejected ${counters.rejected} retries ${counters.retries} failed ${STREAM_NAMES.reduce((a, k) => a + s.failed[k], 0)}` +
        (s.backfilling ? `; history ${Math.floor(simulation.history().progress * 100)} %` : '') +
        (counters.lastRejections.length > 0
          ? `; last rejection: ${counters.lastRejections[counters.lastRejections.length - 1]}`
          : ''),
    )
    last = { at, sent, per: { ...s.sent } }
  }
  const ticker = setInterval(report, 10_000)

  let shuttingDown = false
  async function shutdown(code: number): Promise<void> {
    if (shuttingDown) return
    shuttingDown = true
    clearInterval(ticker)
    // Let the batch in flight finish, but do not wait out a long retry for it.
    const impatient = setTimeout(() => abort.abort(new Error('shutting down')), 5000)
    await simulation.stop()
    clearTimeout(impatient)
    report()
    if (fatal) console.error(`simulate: ${fatal instanceof Error ? fatal.message : String(fatal)}`)
    process.exit(code)
  }
  process.once('SIGINT', () => void shutdown(0))
  process.once('SIGTERM', () => void shutdown(0))
  if (duration !== undefined) {
    await simulation.live
    setTimeout(() => void shutdown(0), duration * 1000)
  }
}

main().catch((err: unknown) => {
  console.error(`simulate: ${err instanceof Error ? err.stack : String(err)}`)
  process.exit(1)
})
