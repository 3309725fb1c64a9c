// How fast the simulator generates the demo city's streams, and how many records per second the
// whole in-process path sustains: simulator → validate → enrich → batch → chDB → rollups.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { loadCity } from '#platform/config/city.js'
import { STREAM_NAMES } from '#core/schemas/records.js'
import { LocalBus } from '#platform/feed.js'
import { createIngestPipeline } from '#ingest/pipeline/index.js'
import { simCity as toSimCity } from '#simulator/city.js'
import { createSimulator } from '#simulator/model.js'
import { createStore } from '#store/client.js'
import { migrate } from '#store/migrate.js'
import { syncRegions } from '#store/regions.js'

const RATE = Number(process.env.BENCH_RATE ?? 5)
const HOURS = Number(process.env.BENCH_HOURS ?? 24)
const HOUR = 3_600_000

function simulator(start: number) {
  return createSimulator({
    seed: 7,
    rate: RATE,
    city: toSimCity(loadCity()),
    eventCatalog: loadEventCatalog(),
    hotlineCatalog: loadHotlineCatalog(),
    start,
  })
}
const count = (b: Record<(typeof STREAM_NAMES)[number], unknown[]>) => STREAM_NAMES.reduce((n, s) => n + b[s].length, 0)

// Start a few days back so the day measured has a realistic backlog of open events.
const start = Math.floor((Date.now() - (HOURS + 48) * HOUR) / 60_000) * 60_000

{
  const sim = simulator(start)
  sim.advance(start + 48 * HOUR)
  const t0 = performance.now()
  let n = 0
  for (let h = 0; h < HOURS; h++) n += count(sim.advance(start + (48 + h + 1) * HOUR))
  const s = (performance.now() - t0) / 1000
  console.log(
    `simulator generation: ${n} records for ${HOURS} h at rate ${RATE} in ${s.toFixed(2)} s = ${Math.round(n / s).toLocaleString('en')} records/s`,
  )
}

{
  // What `npm start` does before it goes live (simulator/runner.ts startLiveFirst): a new simulator
  // generates, without sinking, from the start of its story (36 hours back by default) to now.
  const back = Number(process.env.BENCH_FAST_FORWARD_HOURS ?? 36)
  const now = Date.now()
  const from = Math.floor((now - back * HOUR) / 60_000) * 60_000
  const t0 = performance.now()
  const sim = simulator(from)
  const made = performance.now()
  let n = 0
  for (let t = from; t < now; t += HOUR) n += count(sim.advance(Math.min(now, t + HOUR)))
  const s = (performance.now() - t0) / 1000
  console.log(
    `fast-forward ${back} h at rate ${RATE}: ${s.toFixed(2)} s (simulator made in ${((made - t0) / 1000).toFixed(2)} s, ${n} records generated and dropped)`,
  )
}

{
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-sim-'))
  const store = await createStore({ dataDir: dir })
  await migrate(store)
  const city = loadCity()
  await syncRegions(store, city)
  const pipeline = createIngestPipeline({ store, city, bus: new LocalBus() })
  const sim = simulator(start)
  sim.advance(start + 48 * HOUR)
  const t0 = performance.now()
  let n = 0
  let events = 0
  for (let h = 0; h < HOURS; h++) {
    const batch = sim.advance(start + (48 + h + 1) * HOUR)
    for (const stream of STREAM_NAMES) {
      const r = await pipeline.ingest(stream, batch[stream], 'bench')
      n += r.accepted
      if (stream === 'grid-events') events += r.accepted
    }
  }
  await pipeline.flush()
  const s = (performance.now() - t0) / 1000
  const rss = process.memoryUsage().rss / 2 ** 20
  console.log(
    `in-process pipeline into chDB: ${n} records (${events} grid-event steps) in ${s.toFixed(1)} s = ` +
      `${Math.round(n / s).toLocaleString('en')} records/s, ${Math.round(events / s).toLocaleString('en')} grid-event records/s; ` +
      `a day of the city at rate ${RATE} is stored in ${(s * (24 / HOURS)).toFixed(1)} s; RSS ${rss.toFixed(0)} MiB`,
  )
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
