// `npm run ingest`: the ingest service alone against CLICKHOUSE_URL.
import { hostname } from 'node:os'
import { join } from 'node:path'
import { cityDir, loadCity } from '#platform/config/city.js'
import { AuditLog } from '#platform/auth/audit.js'
import { boundToDirectory } from '#platform/auth/sessions.js'
import { createTokenService } from '#platform/auth/tokens.js'
import { loadUsers } from '#platform/auth/users.js'
import { readEnv, resolveHost, timeBoundsOf } from '#platform/env.js'
import { ingestTokens, openStore } from './bootstrap.js'
import { listen } from '#platform/serve.js'
import { log } from '#platform/log.js'
import { syncRegions } from '#store/regions.js'
import { LocalBus } from '#platform/feed.js'
import { readIngestEnv } from '#ingest/env.js'
import { startMqttSource } from '#ingest/sources/mqtt.js'
import { createIngestApp, createIngestService } from '#ingest/app.js'

const env = readEnv()
const ingestEnv = readIngestEnv()
if (!env.CLICKHOUSE_URL) log.warn('CLICKHOUSE_URL is not set: ingest writes to the embedded chDB under IOC_DATA_DIR')
const stores = await openStore(env)
const city = loadCity(cityDir(env))
await syncRegions(stores.background, city)
const audit = new AuditLog(stores.background)
// Users' sessions (an ingest user's, an operator's reading Open311) stand only while the users file holds them.
const users = await loadUsers({
  usersFile: env.IOC_USERS_FILE,
  demo: env.IOC_DEMO,
  demoAccounts: city.config.demo_accounts,
})
const service = createIngestService({
  store: stores.ingest,
  readStore: stores.interactive,
  audit: (entry) => audit.record(entry),
  city,
  bus: new LocalBus(),
  tokens: boundToDirectory(createTokenService(env.IOC_JWT_SECRET), users),
  ingestTokens: ingestTokens(env),
  maxBodyBytes: env.IOC_MAX_BODY_BYTES,
  spoolDir: join(env.IOC_DATA_DIR, 'spool'),
  // Stable across restarts of this instance, distinct between instances sharing a server.
  instance: `${hostname()}_${env.PORT}`,
  ack: ingestEnv.IOC_INGEST_ACK,
  maxSpoolBytes: ingestEnv.IOC_SPOOL_MAX_BYTES,
  timeBounds: timeBoundsOf(env),
  bodyTimeoutMs: env.IOC_INGEST_BODY_TIMEOUT_SECONDS * 1000,
})
const server = await listen(createIngestApp(service, stores.health), env.PORT, resolveHost(env))
const mqttSource = env.MQTT_URL
  ? startMqttSource({ url: env.MQTT_URL, pipeline: service.pipeline, clientId: `ioc-ingest-${hostname()}` })
  : undefined

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await server.close()
    await mqttSource?.close()
    // What the store does not take in time stays in the spool and is replayed at the next start.
    await service.pipeline.close()
    await audit.close()
    users.close()
    await stores.close()
    process.exit(0)
  })
}
