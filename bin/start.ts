// `npm start`: the whole system in one process on the embedded chDB — ingest, api, the built screen
// and the simulator feeding the configured city (the demo: dashboards/geo/city.yaml). See README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
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
import { anchorFor, resumeFrom, type Anchor } from '#simulator/resume.js'
import { startSimulation, type Simulation } from '#simulator/runner.js'
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
const server = await listen(app, env.PORT, resolveHost(env))
log.info({ ms: Date.now() - began, demo: env.IOC_DEMO }, 'ready')
const mqttSource = env.MQTT_URL ? startMqttSource({ url: env.MQTT_URL, pipeline: ingest.pipeline }) : undefined

const simulation = env.IOC_SIMULATE
  ? await simulate(env, stores.background, (stream, records) => ingest.pipeline.ingest(stream, records, 'simulator'))
  : undefined

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
 * Run the simulator in-process. Its story starts at an anchor kept in IOC_DATA_DIR, so a restart
 * continues the same story (open events still close) and only sends what the store does not hold.
 */
async function simulate(
  env: IocEnv,
  store: StoreSet['background'],
  sink: (stream: StreamName, records: object[]) => Promise<unknown>,
): Promise<Simulation> {
  const anchorFile = join(env.IOC_DATA_DIR, 'simulator.json')
  const saved = existsSync(anchorFile) ? (JSON.parse(readFileSync(anchorFile, 'utf8')) as Anchor) : undefined
  const now = Date.now()
  const anchor = anchorFor(saved, env.IOC_SIMULATE_SEED, now, env.IOC_BACKFILL_HOURS)
  writeFileSync(anchorFile, JSON.stringify(anchor))
  // Bounded by what ingest takes: a stored time from the future is not chased (see docs/reliability.md).
  const backfillFrom = await resumeFrom(store, anchor, { now, bounds: timeBoundsOf(env) })
  const sim = createSimulator({
    seed: anchor.seed,
    rate: env.IOC_SIMULATE!,
    city: simCity(ctx.city),
    eventCatalog: loadEventCatalog(),
    hotlineCatalog: loadHotlineCatalog(),
    start: anchor.start,
  })
  log.info(
    { rate: env.IOC_SIMULATE, from: new Date(backfillFrom).toISOString(), terminals: sim.terminals.length },
    'simulator starting',
  )
  const run = startSimulation({
    sim,
    sink,
    backfillFrom,
    onError: (err, stream, records) => log.warn({ err, stream, records }, 'simulator batch not stored'),
  })
  const t0 = Date.now()
  void run.live.then(() => {
    const s = run.stats()
    const sent = Object.values(s.sent).reduce((a, b) => a + b, 0)
    log.info(
      { records: sent, seconds: (Date.now() - t0) / 1000, perSecond: Math.round(sent / ((Date.now() - t0) / 1000)) },
      'simulator caught up; live',
    )
  })
  return run
}
