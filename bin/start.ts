// `npm start`: the whole system in one process on the embedded chDB — ingest, api, the built screen
// and the simulator feeding the configured city (the demo: dashboards/geo/city.yaml). See README.md.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import type { StreamName } from '#core/schemas/records.js'
import { createApp } from '#api/app.js'
import { startAlertEvaluator } from '#api/alerts/evaluator.js'
import { LocalBus } from '#platform/feed.js'
import { createIngestService } from '#ingest/app.js'
import { readIngestEnv } from '#ingest/env.js'
import { startMqttSource } from '#ingest/sources/mqtt.js'
import { simCity } from '#simulator/city.js'
import { createSimulator } from '#simulator/model.js'
import { anchorFor, planHistory, readState, resumeFrom, writeState } from '#simulator/resume.js'
import { startLiveFirst, type LiveFirstSimulation, type Span } from '#simulator/runner.js'
import { startOfDay } from '#core/time.js'
import { timeWindow } from '#core/time-bounds.js'
import { buildContext, ingestTokens, openStore } from './bootstrap.js'
import { readEnv, resolveHost, timeBoundsOf, type IocEnv } from '#platform/env.js'
import { log } from '#platform/log.js'
import { listen } from '#platform/serve.js'
import type { StoreSet } from '#store/client.js'

// npm start is the demo: demo accounts and a lively simulator unless said otherwise.
process.env.IOC_DEMO ??= '1'
process.env.IOC_SIMULATE ??= '5'

const began = Date.now()
const env = readEnv()
const ingestEnv = readIngestEnv()
const stores = await openStore(env)
const ctx = await buildContext(env, stores)
const bus = new LocalBus()
const ingest = createIngestService({
  store: stores.ingest,
  readStore: stores.interactive,
  // Created with the app below; looked up when a read happens.
  audit: (entry) => ctx.audit?.record(entry),
  city: ctx.city,
  bus,
  tokens: ctx.tokens,
  ingestTokens: ingestTokens(env),
  maxBodyBytes: env.IOC_MAX_BODY_BYTES,
  // Accepted records are fsync'd here until chDB has them; one process per data dir, one stable name.
  spoolDir: join(env.IOC_DATA_DIR, 'spool'),
  instance: 'embedded',
  ack: ingestEnv.IOC_INGEST_ACK,
  maxSpoolBytes: ingestEnv.IOC_SPOOL_MAX_BYTES,
  timeBounds: timeBoundsOf(env),
  bodyTimeoutMs: env.IOC_INGEST_BODY_TIMEOUT_SECONDS * 1000,
})
const webDir = fileURLToPath(new URL('../dist/web', import.meta.url))
if (!existsSync(join(webDir, 'index.html')))
  log.warn('dist/web is missing: run `npm run build:web` (npm start does) to serve the screen')
const { app, hub } = createApp(ctx, { feed: bus, mount: [ingest.routes], webDir })
// Alert rules of dashboards/alerts/ on their schedule (IOC_ALERTS=0 turns it off on this node).
const alerts = startAlertEvaluator(ctx)
// Planned before the server answers, so /api/v1/status says "history loading" from its first answer.
const simulation = env.IOC_SIMULATE
  ? await simulate(env, stores.background, (stream, records) => ingest.pipeline.ingest(stream, records, 'simulator'))
  : undefined
if (simulation) ctx.history = () => simulation.history()
const server = await listen(app, env.PORT, resolveHost(env))
log.info({ ms: Date.now() - began, demo: env.IOC_DEMO }, 'ready')
const mqttSource = env.MQTT_URL ? startMqttSource({ url: env.MQTT_URL, pipeline: ingest.pipeline }) : undefined

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    log.info('stopping')
    await simulation?.stop()
    await alerts?.stop()
    hub.close()
    await server.close()
    await mqttSource?.close()
    await ingest.pipeline.close()
    await ctx.audit?.close()
    await stores.close()
    process.exit(0)
  })
}

/**
 * Run the simulator in-process, live first: records from now on flow within seconds, and the
 * history (the last IOC_BACKFILL_HOURS on a fresh store, or what a restart has to fill in) is
 * written behind them, today first. Its story starts at an anchor kept in IOC_DATA_DIR with the
 * history still to write, so a restart continues the same story and finishes that history.
 */
async function simulate(
  env: IocEnv,
  store: StoreSet['background'],
  sink: (stream: StreamName, records: object[]) => Promise<unknown>,
): Promise<LiveFirstSimulation> {
  const stateFile = join(env.IOC_DATA_DIR, 'simulator.json')
  const saved = readState(stateFile)
  const now = Date.now()
  const anchor = anchorFor(saved, env.IOC_SIMULATE_SEED, now, env.IOC_BACKFILL_HOURS)
  const bounds = timeBoundsOf(env)
  // The newest stored record is where the last run's live records stopped: the gap since then is
  // history too. What that run left of its own history is in the state file (same story only).
  const gapFrom = await resumeFrom(store, anchor, { now, bounds })
  const history = planHistory({
    pending: saved && saved.seed === anchor.seed && saved.start === anchor.start ? saved.history : undefined,
    gapFrom,
    liveFrom: now,
    floor: timeWindow(now, bounds).from,
    cuts: [startOfDay(now, ctx.tz)],
  })
  const save = (remaining: Span[]) =>
    writeState(stateFile, { seed: anchor.seed, start: anchor.start, history: remaining })
  save(history)
  // Nothing at or before the live start goes to the live socket: that is the history being written.
  bus.historyUntil(now)
  const city = simCity(ctx.city)
  const eventCatalog = loadEventCatalog()
  const hotlineCatalog = loadHotlineCatalog()
  const createSim = () =>
    createSimulator({
      seed: anchor.seed,
      rate: env.IOC_SIMULATE!,
      city,
      eventCatalog,
      hotlineCatalog,
      start: anchor.start,
    })
  const t0 = Date.now()
  // Progress is saved at most once a second; the end of each span always.
  let savedAt = 0
  let lastRemaining: Span[] | undefined
  const run = startLiveFirst({
    createSim,
    sink,
    liveFrom: now,
    history,
    onHistory: (remaining) => {
      const done = remaining.length < (lastRemaining?.length ?? Infinity)
      lastRemaining = remaining
      if (!done && Date.now() - savedAt < 1000) return
      savedAt = Date.now()
      save(remaining)
    },
    onError: (err, stream, records) => log.warn({ err, stream, records }, 'simulator batch not stored'),
  })
  log.info(
    {
      rate: env.IOC_SIMULATE,
      live: new Date(now).toISOString(),
      history: history.map((s) => [new Date(s.from).toISOString(), new Date(s.to).toISOString()]),
    },
    'simulator starting',
  )
  void run.live.then(() => log.info({ seconds: (Date.now() - t0) / 1000 }, 'simulator live'))
  void run.historyDone.then(() => {
    const s = run.stats()
    const sent = Object.values(s.sent).reduce((a, b) => a + b, 0)
    const seconds = (Date.now() - t0) / 1000
    // Stopped mid-history, it is not complete: the next start finishes it.
    if (run.history().remaining.length === 0)
      log.info(
        { records: sent, seconds, perSecond: Math.round(sent / seconds) },
        'simulator caught up: history complete',
      )
  })
  // Stopping saves exactly what was stored, so the next start resends nothing it need not.
  return { ...run, history: () => run.history(), stop: () => run.stop().then(() => save(run.history().remaining)) }
}
