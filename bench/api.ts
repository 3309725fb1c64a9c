// `npm run bench -- api`: the api's aggregate routes over a big store. Generates BENCH_ROWS raw grid
// event records (default 50 million) in chDB with INSERT … SELECT driven by the simulator's model,
// then times overview, timeseries and breakdown at city, district and grid level through the app,
// beside the same question asked of the raw tables.
//
// The rows go into the raw tables, so the materialized views fill the state and rollup tables
// exactly as they do for records from ingest. BENCH_DATA_DIR keeps the store between runs
// (generation is skipped when it already holds the rows). The inserts skip optimize_on_insert as ingest
// does (ingest/sink/sql.ts).
import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '#api/app.js'
import { DEFAULT_SECURITY } from '#api/security.js'
import type { AppContext } from '#api/context.js'
import { createTokenService } from '#platform/auth/tokens.js'
import { loadUsers } from '#platform/auth/users.js'
import { catalogNames } from '#core/catalog.js'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { loadCity } from '#platform/config/city.js'
import { startOfDay } from '#core/time.js'
import { LocalBus } from '#platform/feed.js'
import { SOURCES } from '#simulator/events.js'
import { REOPEN_SHARE, RATED_SHARE } from '#simulator/tickets.js'
import { simCity as toSimCity } from '#simulator/city.js'
import { buildSpatial } from '#simulator/spatial.js'
import { PROFILES } from '#simulator/rhythm.js'
import { rngFor } from '#simulator/random.js'
import { openStores } from '#store/client.js'
import { fillCohorts } from '#store/cohorts.js'
import { migrate } from '#store/migrate.js'
import { syncRegions } from '#store/regions.js'

const TARGET_ROWS = Number(process.env.BENCH_ROWS ?? 50_000_000)
const DAYS = Number(process.env.BENCH_DAYS ?? 90)
const RUNS = Number(process.env.BENCH_RUNS ?? 40)
const CHUNK_EVENTS = 250_000
const TZ = 'Asia/Shanghai'
const DAY = 86_400_000

const keep = process.env.BENCH_DATA_DIR
const dir = keep ?? mkdtempSync(join(tmpdir(), 'ioc-bench-api-'))
const stores = await openStores({ dataDir: dir, database: 'ioc' })
const store = stores.interactive
await migrate(store)
const city = loadCity()
await syncRegions(store, city)

const count = async (sql: string) =>
  Number((await (await store.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0].n)
const now = Date.now()
const end = startOfDay(now, TZ) + DAY // history up to the end of today; steps after now are dropped
const start = end - DAYS * DAY

// ── the model's parameters, as arrays for the SQL ────────────────────────────────────────────
const catalog = loadEventCatalog()
const matters = catalog.classes.flatMap((c) => c.matters)
const handleHours = new Map(catalog.departments.map((d) => [d.id, d.handle_hours]))
const cum = (ws: number[]) => {
  const total = ws.reduce((a, b) => a + b, 0)
  let s = 0
  return ws.map((w) => (s += w) / total)
}
/**
 * The inverse of a cumulative distribution as a lookup table of `size` steps (1-based indexes): a
 * draw is one array read in SQL instead of a scan of thousands of weights per row.
 */
const lut = (cumulative: ArrayLike<number>, size = 1 << 16) => {
  const out = new Array<number>(size)
  let i = 0
  for (let k = 0; k < size; k++) {
    const u = (k + 0.5) / size
    while (i < cumulative.length - 1 && cumulative[i] < u) i++
    out[k] = i + 1
  }
  return out
}
const simCity = toSimCity(loadCity())
const spatial = buildSpatial(simCity, rngFor(20261123, 'spatial'))
// WeightedPicker keeps its cumulative weights private; the bench reads them to draw grids the same way.
const gridCum = Array.from(
  (spatial.grids as unknown as { cumulative: Float64Array }).cumulative,
  (c) => c / spatial.grids.total,
)
const hourCum = cum(
  Array.from({ length: 24 }, (_, h) =>
    PROFILES.gridWorker.at(Date.parse(`2026-11-23T${String(h).padStart(2, '0')}:30:00+08:00`), simCity.timeZone),
  ),
)
const params = {
  start,
  span: DAYS,
  now,
  grids: spatial.grids.items.map((g) => g.code),
  gridLut: lut(gridCum),
  hourLut: lut(hourCum, 4096),
  srcLut: lut(cum(SOURCES.map((s) => s.share)), 4096),
  srcIds: SOURCES.map((s) => s.id),
  srcVerify: SOURCES.map((s) => s.verifyMinutes),
  srcReject: SOURCES.map((s) => s.rejectShare),
  matLut: lut(cum(matters.map((m) => m.weight)), 4096),
  matIds: matters.map((m) => m.id),
  matDept: matters.map((m) => m.department),
  matSla: matters.map((m) => m.sla_hours),
  matHandle: matters.map((m) => handleHours.get(m.department) ?? 12),
}

// u(k): a uniform draw in (0, 1) per event and key; z(k): a standard normal (Box–Muller).
const u = (k: string) => `((cityHash64(number, '${k}') % 1000000007) + 0.5) / 1000000007`
const z = (k: string) => `(sqrt(-2 * log(${u(k + 'a')})) * cos(2 * pi() * ${u(k + 'b')}))`
const logn = (medianMs: string, sigma: number, k: string) =>
  `greatest(60000, toInt64(${medianMs} * exp(${sigma} * ${z(k)})))`
const pickIdx = (lutParam: string, k: string) =>
  `{${lutParam}:Array(UInt32)}[1 + toUInt32(floor(${u(k)} * length({${lutParam}:Array(UInt32)})))]`

/** One event's loop from the model: source, matter, grid, time of day, step durations, rejection, evaluation. */
const EVENT_LOOPS = `
  SELECT number, t0, grid, src, mat, rejected, d,
         arrayCumSum(d) AS at,
         {matIds:Array(String)}[mat] AS category, {matDept:Array(String)}[mat] AS department,
         t0 + toInt64({matSla:Array(Float64)}[mat] * 3600000) AS deadline
  FROM (
    SELECT number,
      {start:Int64} + toInt64(floor(${u('day')} * {span:UInt32})) * 86400000
        + (${pickIdx('hourLut', 'hour')} - 1) * 3600000 + toInt64(${u('min')} * 3600000) AS t0,
      {grids:Array(String)}[${pickIdx('gridLut', 'grid')}] AS grid,
      ${pickIdx('srcLut', 'src')} AS src,
      ${pickIdx('matLut', 'mat')} AS mat,
      ${u('rej')} < {srcReject:Array(Float64)}[src] AS rejected,
      if(rejected,
         [toInt64(0), ${logn(`{srcVerify:Array(Float64)}[src] * 60000`, 0.6, 'v')}, ${logn('600000', 0.6, 'e')}],
         [toInt64(0), ${logn(`{srcVerify:Array(Float64)}[src] * 60000`, 0.6, 'v')}, ${logn('600000', 0.7, 'p')},
          ${logn(`{matHandle:Array(Float64)}[mat] * 3600000`, 0.8, 'h')}, ${logn('1200000', 0.7, 's')}, ${logn('2400000', 0.8, 'q')}]) AS d
    FROM numbers({from:UInt64}, {n:UInt64})
  )`

const INSERT_EVENTS = `
  INSERT INTO grid_events (event_id, step, ts, category, grid_code, community, street, district, lon, lat, source, department,
                           priority, deadline, reporter, description, evaluation)
  SELECT concat('E', formatDateTime(fromUnixTimestamp64Milli(t0, 'UTC'), '%Y%m%d-%H%i%S', 'Asia/Shanghai'), '-', toString(number)) AS event_id,
         s.1 AS step, fromUnixTimestamp64Milli(t0 + s.2, 'UTC') AS ts, category, grid,
         substring(grid, 1, 12), substring(grid, 1, 9), substring(grid, 1, 6), 118.8, 32.05,
         {srcIds:Array(String)}[src], department, 2, fromUnixTimestamp64Milli(deadline, 'UTC'), '', '',
         if(s.1 = 'evaluated', if(rejected, 'rejected', multiIf(${u('ev')} < 0.82, 'satisfied', ${u('ev')} < 0.95, 'basically', 'unsatisfied')), '')
  FROM (${EVENT_LOOPS})
  ARRAY JOIN arrayZip(if(rejected, ['reported', 'verified', 'evaluated'], ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated']), at) AS s
  WHERE t0 + s.2 < {now:Int64}
  SETTINGS optimize_on_insert = 0`

/** Tickets: created → dispatched → accepted → replied → closed (→ reopened → replied → closed) (→ rated). */
const INSERT_TICKETS = `
  INSERT INTO hotline_tickets (ticket_id, step, ts, channel, category, urgency, grid_code, community, street, district, lon, lat,
                               address, department, satisfaction, deadline, description)
  SELECT concat('H', formatDateTime(fromUnixTimestamp64Milli(t0, 'UTC'), '%Y%m%d-%H%i%S', 'Asia/Shanghai'), '-', toString(number)), s.1, fromUnixTimestamp64Milli(t0 + s.2, 'UTC'), channel, category, 1, grid,
         substring(grid, 1, 12), substring(grid, 1, 9), substring(grid, 1, 6), 118.8, 32.05, '', department,
         if(s.1 = 'rated', multiIf(${u('sat')} < 0.85, 'satisfied', ${u('sat')} < 0.95, 'basically', 'unsatisfied'), ''),
         fromUnixTimestamp64Milli(t0 + 5 * 86400000, 'UTC'), ''
  FROM (
    SELECT number,
      {start:Int64} + toInt64(floor(${u('tday')} * {span:UInt32})) * 86400000 + toInt64(${u('tt')} * 86400000) AS t0,
      {grids:Array(String)}[${pickIdx('gridLut', 'tgrid')}] AS grid,
      ['phone', 'web', 'app', 'wechat'][1 + cityHash64(number, 'ch') % 4] AS channel,
      ['urban', 'environment', 'traffic', 'market', 'housing', 'water'][1 + cityHash64(number, 'cat') % 6] AS category,
      ['chengguan', 'jiaotong', 'zhujian', 'shuiwu'][1 + cityHash64(number, 'dep') % 4] AS department,
      ${u('reo')} < ${REOPEN_SHARE} AS reopened, ${u('rat')} < ${RATED_SHARE} AS rated,
      arrayCumSum([toInt64(0), ${logn('1800000', 0.7, 'td')}, ${logn('3600000', 0.7, 'ta')}, ${logn('14400000', 0.8, 'tr')}, ${logn('28800000', 0.8, 'tc')},
                   ${logn('36000000', 0.8, 'to')}, ${logn('14400000', 0.8, 'tr2')}, ${logn('14400000', 0.8, 'tc2')}, ${logn('7200000', 0.8, 'tq')}]) AS at
    FROM numbers({n:UInt64})
  )
  ARRAY JOIN arrayMap(x -> (replaceRegexpOne(x.1, '2$', ''), x.2),
               arrayFilter(x -> (x.1 NOT IN ('reopened', 'replied2', 'closed2') OR reopened) AND (x.1 != 'rated' OR rated),
                 arrayZip(['created', 'dispatched', 'accepted', 'replied', 'closed', 'reopened', 'replied2', 'closed2', 'rated'], at))) AS s
  WHERE t0 + s.2 < {now:Int64}
  SETTINGS optimize_on_insert = 0`

/** Terminals: a heartbeat every 5 minutes for the last two days, status runs drawn per hour. */
const INSERT_TERMINALS = `
  INSERT INTO terminal_status (terminal_id, ts, status, grid_code, community, street, district, lon, lat, site, fault_code, paper_pct, transactions)
  SELECT concat('K', toString(k)), fromUnixTimestamp64Milli(t, 'UTC'), status, grid, substring(grid, 1, 12), substring(grid, 1, 9),
         substring(grid, 1, 6), 118.8, 32.05, '', if(status = 'fault', 'printer', ''), 80, if(status = 'online', cityHash64(k, t) % 4, 0)
  FROM (
    SELECT intDiv(number, 576) AS k, {now:Int64} - 2 * 86400000 + (number % 576) * 300000 AS t,
           {grids:Array(String)}[1 + cityHash64(k, 'tg') % length({grids:Array(String)})] AS grid,
           multiIf(cityHash64(k, intDiv(t, 3600000)) % 100 < 93, 'online', cityHash64(k, intDiv(t, 3600000)) % 100 < 97, 'fault', 'offline') AS status
    FROM numbers(763 * 576)
  )
  SETTINGS optimize_on_insert = 0`

// ── generate ────────────────────────────────────────────────────────────────────────────────
// Events are numbered; the next number is kept beside the store so a bigger BENCH_ROWS extends it.
const progressFile = join(dir, 'bench-api-progress.json')
const progress = existsSync(progressFile)
  ? (JSON.parse(readFileSync(progressFile, 'utf8')) as { events: number; start: number; now: number })
  : { events: 0, start, now }
const perEvent = SOURCES.reduce((s, src) => s + src.share * (src.rejectShare * 3 + (1 - src.rejectShare) * 6), 0)
const events = Math.ceil(TARGET_ROWS / perEvent)
if (progress.events < events) {
  // A store extended later keeps the time span it was started with.
  Object.assign(params, { start: progress.start, now: progress.now })
  console.log(
    `generating ${TARGET_ROWS.toLocaleString()} grid event records (${events.toLocaleString()} events over ${DAYS} days) in ${dir}`,
  )
  const t0 = performance.now()
  const first = progress.events
  if (first === 0) {
    await store.command({ query: INSERT_TICKETS, query_params: { ...params, n: Math.round(events / 20) } })
    await store.command({ query: INSERT_TERMINALS, query_params: params })
  }
  for (let from = first; from < events; from += CHUNK_EVENTS) {
    await store.command({
      query: INSERT_EVENTS,
      query_params: { ...params, from, n: Math.min(CHUNK_EVENTS, events - from) },
    })
    const done = Math.min(events, from + CHUNK_EVENTS)
    writeFileSync(progressFile, JSON.stringify({ ...progress, events: done }))
    const s = (performance.now() - t0) / 1000
    process.stdout.write(
      `\r  ${done.toLocaleString()} events, ${s.toFixed(0)} s, ${Math.round(((done - first) * perEvent) / s).toLocaleString()} records/s   `,
    )
  }
  console.log(
    `\n  done in ${((performance.now() - t0) / 1000).toFixed(0)} s (with ${Math.round(events / 20).toLocaleString()} tickets and 763 terminals' last two days)`,
  )
  // A bulk load of 50 million records in minutes leaves the state tables in the few big parts of
  // each INSERT, unmerged (a terminal's 576 heartbeats stay 576 rows); a store that has been taking
  // records for a while has had them merged in the background. Merge them as it would have.
  const m0 = performance.now()
  for (const t of ['event_state', 'ticket_state', 'terminal_state'])
    await store.command({ query: `OPTIMIZE TABLE ${t} FINAL` })
  console.log(`  state tables merged (OPTIMIZE … FINAL) in ${((performance.now() - m0) / 1000).toFixed(0)} s`)
  // The bulk load went straight into the raw tables, past the ingest writer that keeps the cohort
  // tables: fold them from the raw tables as migration 027 does.
  const c0 = performance.now()
  await fillCohorts(store, { rebuild: true })
  console.log(`  cohort tables filled in ${((performance.now() - c0) / 1000).toFixed(0)} s`)
}
const rowsIn = async (t: string) => (await count(`SELECT count() AS n FROM ${t}`)).toLocaleString()
console.log(
  `store: grid_events ${await rowsIn('grid_events')}, hotline_tickets ${await rowsIn('hotline_tickets')}, terminal_status ${await rowsIn('terminal_status')}; ` +
    `event_state ${await rowsIn('event_state')}, events_rollup ${await rowsIn('events_rollup')} rows; ` +
    `${await count(`SELECT count() AS n FROM system.parts WHERE active AND database = 'ioc'`)} active parts; ` +
    `${((await count(`SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE active AND database = 'ioc'`)) / 2 ** 30).toFixed(2)} GiB on disk`,
)

// ── time the api beside the raw tables ──────────────────────────────────────────────────────
const ctx: AppContext = {
  store,
  stores,
  city,
  names: catalogNames(catalog, loadHotlineCatalog()),
  tokens: createTokenService('bench'),
  users: await loadUsers({ demo: true }),
  tz: TZ,
  demo: true,
  now: Date.now,
  terminalSilenceMs: DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000,
  security: { ...DEFAULT_SECURITY, perUserPerMinute: 1e9, loginsPer5Minutes: 1e9 },
}
const { app, hub } = createApp(ctx, { feed: new LocalBus(), hub: { kpiIntervalMs: 3_600_000 } })
const auth = {
  headers: { authorization: `Bearer ${await ctx.tokens.issue({ name: 'admin', role: 'admin', region: '3201' })}` },
}

const districts = city.children('3201').map((r) => r.code)
const busyGrids = (
  await (
    await store.query({
      query: `SELECT region FROM events_rollup WHERE depth = 5 AND bucket >= fromUnixTimestamp64Milli({d:Int64}, 'UTC') GROUP BY region ORDER BY sum(n) DESC LIMIT 200`,
      query_params: { d: now - DAY },
      format: 'JSONEachRow',
    })
  ).json<{ region: string }>()
).map((r) => r.region)
const LEVELS: Array<[string, () => string]> = [
  ['city', () => '3201'],
  ['district', () => districts[Math.floor(Math.random() * districts.length)]],
  ['grid', () => busyGrids[Math.floor(Math.random() * busyGrids.length)]],
]
const today = startOfDay(now, TZ)
const iso = (t: number) => new Date(t).toISOString()
const at = (n: string) => `fromUnixTimestamp64Milli({${n}:Int64}, 'UTC')`

/** The same questions asked of the raw tables (what the api would do without state and rollup tables). */
const RAW = {
  overview: [
    `SELECT count() AS reported, countIf(e IS NOT NULL) AS closed, countIf(e IS NULL) AS open, countIf(e IS NULL AND dl < ${at('now')}) AS overdue,
            avgIf(toUnixTimestamp64Milli(e) - toUnixTimestamp64Milli(r), e IS NOT NULL) AS avg_ms
     FROM (SELECT event_id, minIf(ts, step = 'reported') AS r, maxIf(ts, step = 'evaluated') AS e0, if(countIf(step = 'evaluated') > 0, e0, NULL) AS e, max(deadline) AS dl
           FROM grid_events WHERE startsWith(grid_code, {region:String}) AND ts >= ${at('from')} GROUP BY event_id HAVING r >= ${at('from')} AND r < ${at('to')})`,
    `SELECT count() AS created, countIf(st IN ('closed', 'rated')) AS closed
     FROM (SELECT ticket_id, minIf(ts, step = 'created') AS c, argMax(step, ts) AS st FROM hotline_tickets
           WHERE startsWith(grid_code, {region:String}) AND ts >= ${at('from')} GROUP BY ticket_id HAVING c >= ${at('from')} AND c < ${at('to')})`,
    `SELECT count() AS total, countIf(st = 'online') AS online FROM (SELECT terminal_id, argMax(status, ts) AS st FROM terminal_status WHERE startsWith(grid_code, {region:String}) GROUP BY terminal_id)`,
  ],
  timeseries: [
    `SELECT toStartOfHour(ts) AS t, count() AS v FROM grid_events WHERE step = 'reported' AND startsWith(grid_code, {region:String})
       AND ts >= ${at('from')} AND ts < ${at('to')} GROUP BY t ORDER BY t`,
  ],
  breakdown: [
    `SELECT splitByChar('.', toString(category))[1] AS k, count() AS v FROM grid_events WHERE step = 'reported' AND startsWith(grid_code, {region:String})
       AND ts >= ${at('from')} AND ts < ${at('to')} GROUP BY k ORDER BY v DESC`,
  ],
}

/** Each question: the api's route (the range is added), the same question of the raw tables, and its range. */
const WEEK = [today - 6 * DAY, today + DAY] as const
const QUERIES: Array<{ name: string; path: string; raw: string[]; range: readonly [number, number] }> = [
  { name: 'overview', path: '/api/v1/overview?', raw: RAW.overview, range: [today, today + DAY] },
  // Yesterday's whole cohort: today's grows through the day, so the bench's hour decides its size.
  { name: 'overview 1d', path: '/api/v1/overview?', raw: RAW.overview, range: [today - DAY, today] },
  // Today against yesterday until the same time, its stocks folded from the raw steps as they stood then.
  {
    name: 'overview compare',
    path: '/api/v1/overview?compare=previous&',
    raw: RAW.overview,
    range: [today, today + DAY],
  },
  {
    name: 'timeseries',
    path: '/api/v1/timeseries?metric=events.reported&interval=1h&',
    raw: RAW.timeseries,
    range: WEEK,
  },
  { name: 'breakdown', path: '/api/v1/breakdown?metric=events.reported&by=category&', raw: RAW.breakdown, range: WEEK },
]
const urlOf = (q: (typeof QUERIES)[number], region: string) =>
  `${q.path}region=${region}&from=${iso(q.range[0])}&to=${iso(q.range[1])}`

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
const f1 = (x: number) => x.toFixed(1)

// chDB compiles an expression to machine code on its third use and the statement that compiles it
// waits 20 ms or more (seen in its trace log): the first rows of each query paid for that after 3 warm-ups.
const WARMUP = 10

/** Times of `run` over the regions, after the warm-up runs. */
async function timed(regions: string[], run: (r: string) => Promise<void>): Promise<number[]> {
  const out: number[] = []
  for (const [i, r] of regions.entries()) {
    const t = performance.now()
    await run(r)
    if (i >= WARMUP) out.push(performance.now() - t)
  }
  return out
}

// The api's runs and the raw runs of a row are timed in two loops over the same regions: taken in
// turns, each api request came after a raw scan of millions of rows and paid for the caches it emptied.
console.log(
  `\n${RUNS} runs each (after ${WARMUP} warm-up runs; random district and busy grid per run, api and raw timed in separate loops); ms, p50 / p95`,
)
console.log(
  `${'query'.padEnd(12)} ${'level'.padEnd(9)} ${'api p50'.padStart(8)} ${'api p95'.padStart(8)} ${'raw p50'.padStart(8)} ${'raw p95'.padStart(8)} ${'raw/api'.padStart(8)}`,
)
for (const q of QUERIES) {
  for (const [level, region] of LEVELS) {
    const regions = Array.from({ length: RUNS + WARMUP }, region)
    const api = await timed(regions, async (r) => {
      const res = await app.request(urlOf(q, r), auth)
      if (res.status !== 200) throw new Error(`${urlOf(q, r)}: ${res.status} ${await res.text()}`)
      await res.arrayBuffer()
    })
    const raw = await timed(regions, async (r) => {
      for (const sql of q.raw) {
        await (
          await store.query({
            query: sql,
            query_params: { region: r, from: q.range[0], to: q.range[1], now },
            format: 'JSONEachRow',
          })
        ).json()
      }
    })
    console.log(
      `${q.name.padEnd(12)} ${level.padEnd(9)} ${f1(pct(api, 0.5)).padStart(8)} ${f1(pct(api, 0.95)).padStart(8)} ${f1(pct(raw, 0.5)).padStart(8)} ${f1(pct(raw, 0.95)).padStart(8)} ${(pct(raw, 0.5) / pct(api, 0.5)).toFixed(1).padStart(7)}×`,
    )
  }
}
hub.close()
await ctx.audit?.close()
await stores.close()
if (!keep) rmSync(dir, { recursive: true, force: true })
