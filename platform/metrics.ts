import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { storeQueued, storeRunning } from '#store/client.js'

/** One registry per process, served at /metrics. */
export const registry = new Registry()
collectDefaultMetrics({ register: registry, prefix: 'ioc_' })
registry.registerMetric(storeQueued)
registry.registerMetric(storeRunning)

export const ingestReceived = new Counter({
  name: 'ioc_ingest_received_total',
  help: 'Records received by ingest, by stream',
  labelNames: ['stream'],
  registers: [registry],
})
export const ingestAccepted = new Counter({
  name: 'ioc_ingest_accepted_total',
  help: 'Records accepted and stored, by stream',
  labelNames: ['stream'],
  registers: [registry],
})
export const ingestRejected = new Counter({
  name: 'ioc_ingest_rejected_total',
  help: 'Records rejected, by stream and reason',
  labelNames: ['stream', 'reason'],
  registers: [registry],
})
export const ingestDuplicates = new Counter({
  name: 'ioc_ingest_duplicates_total',
  help: 'Records dropped because the same (id, step, ts) was already stored',
  labelNames: ['stream'],
  registers: [registry],
})
export const batchSize = new Histogram({
  name: 'ioc_ingest_batch_rows',
  help: 'Rows per ClickHouse insert',
  labelNames: ['table'],
  buckets: [1, 10, 100, 1000, 10000, 100000],
  registers: [registry],
})
export const insertSeconds = new Histogram({
  name: 'ioc_ingest_insert_seconds',
  help: 'ClickHouse insert latency',
  labelNames: ['table'],
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
})
export const pendingRows = new Gauge({
  name: 'ioc_ingest_pending_rows',
  help: 'Rows waiting in the batcher',
  labelNames: ['table'],
  registers: [registry],
})
export const spoolBytes = new Gauge({
  name: 'ioc_ingest_spool_bytes',
  help: 'Bytes of accepted records in the local spool, not yet confirmed in ClickHouse',
  labelNames: ['table'],
  registers: [registry],
})
export const ingestLagSeconds = new Gauge({
  name: 'ioc_ingest_lag_seconds',
  help: 'Age of the oldest accepted record not yet in ClickHouse (0 when none waits)',
  registers: [registry],
})
export const ingestInFlight = new Gauge({
  name: 'ioc_ingest_requests_in_flight',
  help: 'Ingest requests being read or processed',
  registers: [registry],
})
export const httpRequests = new Counter({
  name: 'ioc_http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
})
export const liveClients = new Gauge({
  name: 'ioc_live_clients',
  help: 'Connected WebSocket clients',
  registers: [registry],
})
