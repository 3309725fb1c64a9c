// `npm run api`: the api alone against CLICKHOUSE_URL, for cities that run ingest and api apart.
import { fileURLToPath } from 'node:url'
import { readEnv, resolveHost } from '#platform/env.js'
import { buildContext, openStore } from './bootstrap.js'
import { listen } from '#platform/serve.js'
import { log } from '#platform/log.js'
import { createApp } from '#api/app.js'
import { startAlertEvaluator } from '#api/alerts/evaluator.js'
import { TailFeed } from '#api/live/tail-feed.js'

const env = readEnv()
if (!env.CLICKHOUSE_URL)
  log.warn(
    'CLICKHOUSE_URL is not set: the api runs on the embedded chDB under IOC_DATA_DIR (use npm start for the one-process default)',
  )
const stores = await openStore(env)
const ctx = await buildContext(env, stores)
const { app, hub } = createApp(ctx, {
  feed: new TailFeed(stores.background),
  webDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
})
// Alert rules of dashboards/alerts/ on their schedule (IOC_ALERTS=0 turns it off on this node).
const alerts = startAlertEvaluator(ctx)
const server = await listen(app, env.PORT, resolveHost(env))

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await alerts?.stop()
    hub.close()
    await server.close()
    await ctx.audit?.close()
    await stores.close()
    process.exit(0)
  })
}
