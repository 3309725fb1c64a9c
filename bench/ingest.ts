// Ingest throughput through the HTTP endpoint (parse, validate, enrich, spool fsync, exactly-once
// insert into chDB with its materialized views), and in the same run the raw `client.insert` rate
// of the same rows as JSONEachRow objects into the same chDB tables. See docs/performance.md.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { loadCity } from '#platform/config/city.js'
import { STREAM_NAMES, type StreamName } from '#core/schemas/records.js'
import { createTokenService } from '#platform/auth/tokens.js'
import { LocalBus } from '#platform/feed.js'
import { createIngestApp, createIngestService } from '#ingest/app.js'
import { createEnricher } from '#ingest/pipeline/enrich.js'
import { validateRecord } from '#ingest/pipeline/validate.js'
import { gridEventRow, hotlineTicketRow, terminalStatusRow, TABLES, type Row } from '#store/rows.js'
import { simCity as toSimCity } from '#simulator/city.js'
import { createSimulator } from '#simulator/model.js'
import { STREAMS } from '#core/schemas/records.js'
import { listen } from '#platform/serve.js'
import { createStore } from '#store/client.js'
import { migrate } from '#store/migrate.js'
import { syncRegions } from '#store/regions.js'

const RECORDS = Number(process.env.BENCH_RECORDS ?? 600_000)
const PER_REQUEST = Number(process.env.BENCH_PER_REQUEST ?? 10_000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 100_000)
const TOKEN = 'bench-token'
const HOUR = 3_600_000

const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim()

/** The simulator's records for as many hours as it takes, ids prefixed so two runs never collide. */
function records(prefix: string): Record<StreamName, Record<string, unknown>[]> {
  const start = Math.floor((Date.now() - 30 * 24 * HOUR) / 60_000) * 60_000
  const sim = createSimulator({
    seed: 11,
    rate: 200,
    city: toSimCity(loadCity()),
    eventCatalog: loadEventCatalog(),
    hotlineCatalog: loadHotlineCatalog(),
    start,
  })
  const out: Record<StreamName, Record<string, unknown>[]> = {
    'grid-events': [],
    'terminal-status': [],
    'hotline-tickets': [],
  }
  let n = 0
  for (let h = 1; n < RECORDS; h++) {
    const b = sim.advance(start + h * HOUR)
    for (const s of STREAM_NAMES) {
      const id = STREAMS[s].idField
      for (const r of b[s] as Record<string, unknown>[]) {
        if (n >= RECORDS) break
        out[s].push({ ...r, [id]: `${prefix}${r[id]}` })
        n++
      }
    }
  }
  return out
}

const count = (b: Record<StreamName, unknown[]>) => STREAM_NAMES.reduce((n, s) => n + b[s].length, 0)

const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-ingest-'))
const store = await createStore({ dataDir: join(dir, 'chdb') })
await migrate(store)
const city = loadCity()
await syncRegions(store, city)

console.log(
  `records: ${RECORDS} from the simulator (three streams), ${PER_REQUEST} per request, ${CONCURRENCY} concurrent senders, inserts of up to ${BATCH_ROWS} rows`,
)
console.log(`load before: ${load()}`)

// Raw baseline: the same simulator rows, enriched, as the JSONEachRow objects the sink used to send.
async function rawInsert(prefix: string): Promise<{ rate: number; cpuUs: number }> {
  const data = records(prefix)
  const enrich = createEnricher(city)
  const toRow = {
    'grid-events': gridEventRow,
    'terminal-status': terminalStatusRow,
    'hotline-tickets': hotlineTicketRow,
  } as Record<StreamName, (r: never) => Row>
  const rows = Object.fromEntries(
    STREAM_NAMES.map((s) => [
      s,
      data[s].map((r) => {
        const v = validateRecord(STREAMS[s].schema, r)
        const e = v.ok ? enrich(v.value) : v
        if (!e.ok) throw new Error(`bench data invalid: ${e.path} ${e.message}`)
        return (toRow[s] as (r: unknown) => Row)(e.value)
      }),
    ]),
  ) as Record<StreamName, Row[]>
  const n = count(rows)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (const s of STREAM_NAMES) {
    for (let i = 0; i < rows[s].length; i += BATCH_ROWS) {
      await store.insert({ table: TABLES[s].table, values: rows[s].slice(i, i + BATCH_ROWS), format: 'JSONEachRow' })
    }
  }
  const sec = (performance.now() - t0) / 1000
  return { rate: n / sec, cpuUs: cpuMicros(c0) / n }
}

/** CPU time of this whole process (the JS thread and chDB's threads) since `from`, in µs. */
function cpuMicros(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from)
  return d.user + d.system
}

// The service: HTTP on a real port, NDJSON bodies posted by concurrent senders. Two instances on the
// same chDB: one answering once records are in ClickHouse (the default), one once they are fsync'd.
async function startService(ack: 'stored' | 'spooled') {
  const service = createIngestService({
    store,
    city,
    bus: new LocalBus(),
    tokens: createTokenService('bench'),
    ingestTokens: new Set([TOKEN]),
    maxBodyBytes: 64 << 20,
    spoolDir: join(dir, `spool-${ack}`),
    batch: { maxRows: BATCH_ROWS },
    instance: `bench_${ack}`,
    ack,
  })
  const server = await listen(createIngestApp(service, store), 0, '127.0.0.1')
  return { service, server, url: `http://127.0.0.1:${server.port}` }
}
const services = { stored: await startService('stored'), spooled: await startService('spooled') }

/** NDJSON request bodies; only the strings are kept, as a sender on another machine would hold them. */
function requestBodies(prefix: string): { stream: StreamName; body: string }[] {
  const data = records(prefix)
  const bodies: { stream: StreamName; body: string }[] = []
  for (const s of STREAM_NAMES) {
    for (let i = 0; i < data[s].length; i += PER_REQUEST) {
      bodies.push({
        stream: s,
        body: data[s]
          .slice(i, i + PER_REQUEST)
          .map((r) => JSON.stringify(r))
          .join('\n'),
      })
    }
  }
  return bodies
}

async function viaHttp(
  prefix: string,
  ack: 'stored' | 'spooled',
): Promise<{ rate: number; cpuUs: number; p50: number; p99: number }> {
  const { url, service } = services[ack]
  const bodies = requestBodies(prefix)
  const latencies: number[] = []
  let next = 0
  let accepted = 0
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++]
        const s0 = performance.now()
        const res = await fetch(`${url}/ingest/v1/${b.stream}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
          body: b.body,
        })
        const r = (await res.json()) as { accepted: number; rejected: number }
        if (res.status !== 200 || r.rejected)
          throw new Error(`bench request refused: ${res.status} ${JSON.stringify(r).slice(0, 300)}`)
        accepted += r.accepted
        latencies.push(performance.now() - s0)
      }
    }),
  )
  await service.pipeline.flush()
  const sec = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  return {
    rate: accepted / sec,
    cpuUs: cpuMicros(c0) / accepted,
    p50: latencies[Math.floor(latencies.length / 2)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en')
// Alternate the paths so that none always gets the emptier table; the first round also warms up.
for (let round = 1; round <= Number(process.env.BENCH_ROUNDS ?? 2); round++) {
  const raw = await rawInsert(`raw${round}-`)
  const stored = await viaHttp(`st${round}-`, 'stored')
  const spooled = await viaHttp(`sp${round}-`, 'spooled')
  // CPU per record (all threads of this process, the senders included) is steadier than the rate
  // when other work shares the machine.
  const line = (name: string, r: { rate: number; cpuUs: number; p50: number; p99: number }) =>
    `${name} ${fmt(r.rate)} records/s, ${r.cpuUs.toFixed(1)} CPU-µs/record (request p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms; ` +
    `ratio to raw: rate ${(r.rate / raw.rate).toFixed(2)}, CPU ${(raw.cpuUs / r.cpuUs).toFixed(2)})`
  console.log(
    `round ${round}: raw client.insert JSONEachRow ${fmt(raw.rate)} rows/s, ${raw.cpuUs.toFixed(1)} CPU-µs/row; ` +
      `${line('HTTP ack=stored', stored)}; ${line('HTTP ack=spooled', spooled)}`,
  )
}
const rs = await store.query({ query: 'SELECT count() AS n FROM grid_events', format: 'JSONEachRow' })
console.log(
  `grid_events rows after the runs: ${(await rs.json<{ n: string }>())[0].n}; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
)
console.log(`load after: ${load()}`)
for (const s of Object.values(services)) {
  await s.server.close()
  await s.service.pipeline.close()
}
await store.close()
rmSync(dir, { recursive: true, force: true })
