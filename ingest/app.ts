import { Hono } from 'hono'
import type { City } from '#core/city.js'
import type { Store } from '#store/client.js'
import type { TokenService } from '#platform/auth/tokens.js'
import { handleError } from '#platform/errors.js'
import { healthRoutes } from '#platform/health.js'
import type { LocalBus } from '#platform/feed.js'
import { createIngestPipeline, type IngestPipelineOptions } from './pipeline/index.js'
import { httpIngestRoutes, type HttpSourceOptions } from './sources/http.js'
import { open311Routes } from './sources/open311/routes.js'
import { loadEventCatalog, loadHotlineCatalog, loadOpen311Publication } from '#platform/config/catalog.js'
import type { AuditEntry } from '#platform/auth/audit.js'

export interface IngestServiceOptions {
  store: Store
  city: City
  bus: LocalBus
  tokens: TokenService
  ingestTokens: ReadonlySet<string>
  maxBodyBytes: number
  /** `IOC_DATA_DIR/spool` in the services (see IngestPipelineOptions.spoolDir). */
  spoolDir?: string
  batch?: IngestPipelineOptions['batch']
  maxSpoolBytes?: number
  instance?: string
  ack?: IngestPipelineOptions['ack']
  /** Where Open311's GETs read (default `store`): a public route should not take ingest's connections. */
  readStore?: Store
  /** Where reads of personal data through Open311 are recorded. */
  audit?: (entry: AuditEntry) => void
  timeBounds?: IngestPipelineOptions['timeBounds']
  /** The server's clock for the time bounds; tests pass a fixed one. */
  now?: () => number
  /** How long a request may take to send its body (IOC_INGEST_BODY_TIMEOUT_SECONDS). */
  bodyTimeoutMs?: number
  /** The in-flight budget and one sender's share of it (defaults in sources/limits.ts). */
  maxInFlight?: HttpSourceOptions['maxInFlight']
  senderShare?: HttpSourceOptions['senderShare']
}

/** The ingest service: the pipeline and the sources that feed it. */
export function createIngestService(opts: IngestServiceOptions) {
  const pipeline = createIngestPipeline({
    store: opts.store,
    city: opts.city,
    bus: opts.bus,
    spoolDir: opts.spoolDir,
    batch: opts.batch,
    maxSpoolBytes: opts.maxSpoolBytes,
    instance: opts.instance,
    ack: opts.ack,
    timeBounds: opts.timeBounds,
    now: opts.now,
  })
  const routes = httpIngestRoutes({
    pipeline,
    ingestTokens: opts.ingestTokens,
    tokens: opts.tokens,
    maxBodyBytes: opts.maxBodyBytes,
    bodyTimeoutMs: opts.bodyTimeoutMs,
    maxInFlight: opts.maxInFlight,
    senderShare: opts.senderShare,
  })
  routes.route(
    '/',
    open311Routes({
      pipeline,
      store: opts.readStore ?? opts.store,
      events: loadEventCatalog(),
      hotline: loadHotlineCatalog(),
      ingestTokens: opts.ingestTokens,
      tokens: opts.tokens,
      publication: loadOpen311Publication(),
      centre: (grid) => opts.city.get(grid)?.centroid,
      audit: opts.audit,
    }),
  )
  return { pipeline, routes }
}

/** The ingest process on its own: health (on `healthStore`, its own connection), metrics and the ingest routes. */
export function createIngestApp(service: ReturnType<typeof createIngestService>, healthStore: Store): Hono {
  const app = new Hono()
  app.onError(handleError)
  app.route('/', healthRoutes(healthStore))
  app.route('/', service.routes)
  return app
}
