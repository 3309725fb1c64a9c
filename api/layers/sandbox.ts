import type { Store } from '#store/client.js'
import { tableName, viewName } from '#store/schema.js'
import type { LayerParam } from '#core/schemas/layer.js'
import type { PersonalFields } from '#core/personal.js'
import { PERSONAL_FIELDS, type StreamName } from '#core/schemas/records.js'
import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'

/**
 * The SQL sandbox for analysts' queries (layers, alert rules, the studio).
 *
 * A query is refused unless it is one SELECT whose tables are all allow-listed, unqualified names
 * (the views of store/migrations/035_views.sql, and the deprecated physical names older files use):
 * checked on ClickHouse's own parse (`EXPLAIN AST`) and on the analyzer's resolved tree
 * (`EXPLAIN QUERY TREE`), not with a regex. It then runs wrapped in CTEs that shadow every
 * allow-listed table with its rows inside the region in scope, so a query that forgets `{region}`
 * or tries another region still sees only the scope's rows. The same CTEs de-identify the rows
 * (core/personal.ts): personal text is blank and a citizen's position is the centre of its grid,
 * for every role, so no query here can read personal data. Limits go into a SQL SETTINGS clause
 * (readonly, time, rows, memory): chDB would keep `clickhouse_settings` as session-wide SETs.
 */

/** How a readable name's rows are scoped: the column holding the region code; the stream whose records it holds. */
export interface Readable {
  scope: string
  stream?: StreamName
}

/**
 * The views layers, rules and drafts read (store/migrations/035_views.sql; every column in
 * docs/layers.md, "The views"): an interface that outlives the storage under it.
 */
export const VIEWS: Readonly<Record<string, Readable>> = {
  [viewName.events]: { scope: 'grid_code', stream: 'grid-events' },
  [viewName.eventSteps]: { scope: 'grid_code', stream: 'grid-events' },
  [viewName.eventCounts]: { scope: 'region' },
  [viewName.tickets]: { scope: 'grid_code', stream: 'hotline-tickets' },
  [viewName.ticketSteps]: { scope: 'grid_code', stream: 'hotline-tickets' },
  [viewName.ticketCounts]: { scope: 'region' },
  [viewName.terminals]: { scope: 'grid_code', stream: 'terminal-status' },
  [viewName.terminalReports]: { scope: 'grid_code', stream: 'terminal-status' },
  [viewName.terminalCounts]: { scope: 'region' },
  // A table, and the interface as it is: the region hierarchy does not change with storage.
  [tableName.regions]: { scope: 'code' },
}

/**
 * Physical tables that analysts' older files read: they still work, scoped and de-identified as the
 * views, but a check names the view to read instead (`use`). New files are told about views only.
 */
export const DEPRECATED_TABLES: Readonly<Record<string, Readable & { use: string }>> = {
  [tableName.gridEvents]: { scope: 'grid_code', stream: 'grid-events', use: viewName.eventSteps },
  [tableName.hotlineTickets]: { scope: 'grid_code', stream: 'hotline-tickets', use: viewName.ticketSteps },
  [tableName.terminalStatus]: { scope: 'grid_code', stream: 'terminal-status', use: viewName.terminalReports },
  [tableName.eventState]: { scope: 'grid_code', stream: 'grid-events', use: viewName.events },
  [tableName.ticketState]: { scope: 'grid_code', stream: 'hotline-tickets', use: viewName.tickets },
  [tableName.terminalState]: { scope: 'grid_code', stream: 'terminal-status', use: viewName.terminals },
  [tableName.eventsRollup]: { scope: 'region', use: viewName.eventCounts },
  [tableName.ticketsRollup]: { scope: 'region', use: viewName.ticketCounts },
  [tableName.terminalsRollup]: { scope: 'region', use: viewName.terminalCounts },
}

/** Every name a query may read: the views, then the deprecated tables. */
export const ALLOWED_TABLES: Readonly<Record<string, Readable>> = { ...VIEWS, ...DEPRECATED_TABLES }

/** What an analyst is told to read, in messages: the views. */
const READABLE = Object.keys(VIEWS).join(', ')

/** Functions that reach outside the allow-listed tables (files, network, dictionaries, other tables). */
const DENIED_FUNCTION =
  /^(dict[A-Za-z]*|joinGet[A-Za-z]*|file|url|s3[A-Za-z]*|remote[A-Za-z]*|cluster[A-Za-z]*|hdfs[A-Za-z]*|mysql|postgresql|mongodb|redis|sqlite|jdbc|odbc|input|executable|azureBlobStorage|gcs|iceberg[A-Za-z]*|deltaLake|hudi|getSetting|getMacro|filesystem[A-Za-z]*|shardNum|hostName|fqdn)$/

export interface SandboxLimits {
  maxExecutionSeconds: number
  maxResultRows: number
  /**
   * The result as ClickHouse holds it; its JSON in this process is a few times larger, so this bounds our memory too.
   */
  maxResultBytes: number
  maxMemoryBytes: number
  maxRowsToRead: number
  /** Nice value (0–19) of the query's threads: drafts yield the CPU to the wall's reads and to ingest. */
  niceness: number
}

/** Layer files on the wall and alert rules: vetted files, shown to many. */
export const DEFAULT_LIMITS: SandboxLimits = {
  maxExecutionSeconds: 8,
  maxResultRows: 200_000,
  maxResultBytes: 64 << 20,
  maxMemoryBytes: 1 << 30,
  maxRowsToRead: 200_000_000,
  niceness: 0,
}

/** The studio's drafts: any analyst's ad-hoc query, run beside everything else. */
export const DRAFT_LIMITS: SandboxLimits = {
  ...DEFAULT_LIMITS,
  maxResultBytes: 16 << 20,
  maxMemoryBytes: 512 << 20,
  niceness: 19,
}

/** A refused or failed query, with the reason an analyst can act on. */
export class SandboxError extends Error {
  constructor(
    readonly reason: 'syntax' | 'not_select' | 'table' | 'function' | 'settings' | 'params' | 'limit' | 'query',
    message: string,
  ) {
    super(message)
    this.name = 'SandboxError'
  }
}

export interface BoundValues {
  /** The region asked about ({region}), already checked to be inside the caller's own region. */
  region: string
  /** The rows the query may see, when narrower than `region` (a district's layer seen from the city). */
  scope?: string
  from: number
  to: number
  now: number
  /** Declared extras, already typed. */
  extras?: Record<string, string | number>
}

export interface QueryResult {
  meta: { name: string; type: string }[]
  data: unknown[][]
  rows: number
  truncated: boolean
  elapsedMs: number
  rowsRead: number
  bytesRead: number
}

/** A ClickHouse DateTime64(3) parameter value for epoch ms, as a unix timestamp (zone-free). */
export const dt64 = (ms: number) => (ms / 1000).toFixed(3)

export class Sandbox {
  private database: string | undefined

  constructor(
    private readonly store: Store,
    private readonly limits: SandboxLimits,
    /** The city's root region: what {region} is bound to when a query is only checked. */
    private readonly root: string,
    /** IOC_TERMINAL_SILENCE_MINUTES in ms: the `terminals` view shows a terminal silent longer than this as offline. */
    private readonly silenceMs: number = DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000,
  ) {}

  /**
   * Queries that passed the checks, with their warnings (the tables do not change while a process
   * runs): no second EXPLAIN.
   */
  private readonly passed = new Map<string, string[]>()

  /**
   * Check a query without running it; throws SandboxError with the reason. Resolves to warnings
   * that do not stop it: the deprecated tables it reads, each with the view to read instead.
   */
  async check(sql: string, params: Record<string, LayerParam> = {}): Promise<string[]> {
    const body = singleStatement(sql)
    const key = `${JSON.stringify(Object.entries(params).map(([k, p]) => [k, p.type]))}\n${body}`
    const known = this.passed.get(key)
    if (known) return known
    const values = this.bind({ region: this.root, from: 0, to: 1, now: 1 }, params)
    // The parse runs nothing; the analysis may run constant scalar subqueries, so it gets the limits.
    const ast = await this.explain(`EXPLAIN AST ${body}`, values)
    checkAst(ast)
    const tree = await this.explain(`EXPLAIN QUERY TREE ${await this.wrap(body)}\n${this.settings()}`, values)
    checkQueryTree(tree, await this.db())
    const warnings = deprecations(ast)
    if (this.passed.size >= 1000) this.passed.clear()
    this.passed.set(key, warnings)
    return warnings
  }

  /** Check, then run in the scope of `values.region` with the limits; rows as JSONCompact arrays. */
  async run(sql: string, values: BoundValues, params: Record<string, LayerParam> = {}): Promise<QueryResult> {
    await this.check(sql, params)
    const body = singleStatement(sql)
    const l = this.limits
    const query = `${await this.wrap(body)}\n${this.settings()}`
    const t0 = performance.now()
    let json: {
      meta: { name: string; type: string }[]
      data: unknown[][]
      rows: number
      statistics?: { elapsed: number; rows_read: number; bytes_read: number }
    }
    try {
      const rs = await this.store.query({ query, query_params: this.bind(values, params), format: 'JSONCompact' })
      json = (await rs.json()) as typeof json
    } catch (e) {
      throw classify(e as Error)
    }
    // The wrapper asks for one row more than the limit: there were more rows exactly when it came.
    const truncated = json.data.length > l.maxResultRows
    if (truncated) json.data.length = l.maxResultRows
    return {
      meta: json.meta,
      data: json.data,
      rows: json.data.length,
      truncated,
      elapsedMs: json.statistics ? json.statistics.elapsed * 1000 : performance.now() - t0,
      rowsRead: json.statistics?.rows_read ?? 0,
      bytesRead: json.statistics?.bytes_read ?? 0,
    }
  }

  /** The limits, as a SETTINGS clause of the query itself (never session settings). */
  private settings(): string {
    const l = this.limits
    // Rows are cut by the wrapper's LIMIT (so a cut is known); a result over the byte bound is an error.
    return `SETTINGS readonly = 1, max_execution_time = ${l.maxExecutionSeconds}, timeout_overflow_mode = 'throw',
  max_result_bytes = ${l.maxResultBytes}, result_overflow_mode = 'throw',
  max_memory_usage = ${l.maxMemoryBytes}, max_rows_to_read = ${l.maxRowsToRead}, read_overflow_mode = 'throw',
  os_thread_priority = ${l.niceness}`
  }

  /** Bound values for the system parameters and the declared extras (defaults when absent). */
  bind(values: BoundValues, params: Record<string, LayerParam>): Record<string, unknown> {
    const out: Record<string, unknown> = {
      region: values.region,
      __scope: values.scope ?? values.region,
      from: dt64(values.from),
      to: dt64(values.to),
      now: dt64(values.now),
      child_depth: Math.min(5, Math.max(1, [4, 6, 9, 12, 15].indexOf(values.region.length) + 2)),
      // The `terminals` view judges silence at the query's own clock (an alert rule's run, a layer's request).
      __now: dt64(values.now),
      __silence_ms: this.silenceMs,
    }
    for (const [name, p] of Object.entries(params)) out[name] = values.extras?.[name] ?? p.default
    return out
  }

  private async db(): Promise<string> {
    if (this.database) return this.database
    const rs = await this.store.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' })
    const [{ db }] = await rs.json<{ db: string }>()
    return (this.database = db)
  }

  private ctes: Promise<string> | undefined

  /**
   * Each allow-listed table as a CTE of its rows inside {__scope}, de-identified: unqualified names
   * resolve to these. Built once per process from the tables' columns (the migrations define them).
   */
  private shadows(): Promise<string> {
    this.ctes ??= (async () => {
      const db = await this.db()
      const rs = await this.store.query({
        query:
          'SELECT table, groupArray(name) AS columns FROM system.columns WHERE database = {db:String} AND has({tables:Array(String)}, table) GROUP BY table',
        query_params: { db, tables: Object.keys(ALLOWED_TABLES) },
        format: 'JSONEachRow',
      })
      const columns = new Map(
        (await rs.json<{ table: string; columns: string[] }>()).map((r) => [r.table, new Set(r.columns)]),
      )
      return Object.entries(ALLOWED_TABLES)
        .map(
          ([t, { scope, stream }]) =>
            `${t} AS (${shadow(db, t, scope, stream ? PERSONAL_FIELDS[stream] : undefined, columns.get(t) ?? new Set(), DERIVED[t])})`,
        )
        .join(',\n  ')
    })().catch((e: unknown) => {
      this.ctes = undefined
      throw e
    })
    return this.ctes
  }

  private async wrap(body: string): Promise<string> {
    return `WITH ${await this.shadows()}\nSELECT * FROM (\n${body}\n)\nLIMIT ${this.limits.maxResultRows + 1}`
  }

  private async explain(query: string, params: Record<string, unknown>): Promise<string[]> {
    try {
      const rs = await this.store.query({ query, query_params: params, format: 'TabSeparatedRaw' })
      // chDB prints EXPLAIN lines CSV-quoted whatever the format; a server prints them raw.
      return (await rs.text())
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => (l.startsWith('"') && l.endsWith('"') ? l.slice(1, -1).replace(/""/g, '"') : l))
    } catch (e) {
      throw classify(e as Error)
    }
  }
}

/** Columns a view shows computed at the query's clock, over the stored view's row `t`: replaced ones and added ones. */
interface Derived {
  replace: string[]
  add: string[]
}

// Silence is a state: a terminal whose last report is older than the silence at the query's `now`
// is offline, with `silent_since` the time of that report (docs/layers.md, "The views").
const SILENT = `t.last_report_at < {__now:DateTime64(3)} - toIntervalMillisecond({__silence_ms:UInt64})`
const DERIVED: Readonly<Record<string, Derived>> = {
  [viewName.terminals]: {
    replace: [`if(${SILENT}, 'offline', t.status) AS status`],
    add: [`if(${SILENT}, t.last_report_at, NULL) AS silent_since`],
  },
}

/**
 * One table's rows in scope without personal data: its personal text columns blank (the default of
 * their type: '' or NULL), and a position the centre of the row's grid (rounded to 0.01° if the grid
 * is not in `regions`); and the columns `derived` computes at the query's clock.
 */
function shadow(
  db: string,
  table: string,
  scope: string,
  personal: PersonalFields | undefined,
  columns: ReadonlySet<string>,
  derived: Derived = { replace: [], add: [] },
): string {
  const text = (personal?.text ?? []).filter((c) => columns.has(c))
  const position = (personal?.position ?? []).filter((c) => columns.has(c))
  if (text.length === 0 && position.length === 0 && derived.replace.length === 0 && derived.add.length === 0)
    return `SELECT * FROM ${db}.${table} WHERE startsWith(${scope}, {__scope:String})`
  const replaced = [
    ...text.map((c) => `defaultValueOfArgumentType(t.${c}) AS ${c}`),
    // The centre's columns in `regions` are named as the records' position fields: lon, lat.
    ...position.map((c) => `if(g.code = '', round(t.${c}, 2), g.${c}) AS ${c}`),
    ...derived.replace,
  ]
  const centres = position.length
    ? ` LEFT JOIN (SELECT code, ${position.join(', ')} FROM ${db}.regions) AS g ON g.code = t.grid_code`
    : ''
  const all = replaced.length ? `t.* REPLACE (${replaced.join(', ')})` : 't.*'
  return `SELECT ${[all, ...derived.add].join(', ')} FROM ${db}.${table} AS t${centres} WHERE startsWith(t.${scope}, {__scope:String})`
}

/**
 * One statement: chDB runs every statement of a multi-statement text, so a `;` anywhere but at the
 * end is refused before anything reaches the engine (even inside a string literal: say it otherwise).
 */
export function singleStatement(sql: string): string {
  const body = sql.trim().replace(/;\s*$/, '')
  if (body.includes(';')) throw new SandboxError('syntax', 'one statement only: the query contains ";"')
  if (body.length === 0) throw new SandboxError('syntax', 'the query is empty')
  return body
}

interface AstLine {
  depth: number
  node: string
}

function parseTree(lines: string[]): AstLine[] {
  return lines.map((l) => {
    const depth = l.length - l.trimStart().length
    return { depth, node: l.trim() }
  })
}

/** The checks on ClickHouse's parse of the layer's own SQL. */
export function checkAst(lines: string[]): void {
  const ast = parseTree(lines)
  if (!ast[0]?.node.startsWith('SelectWithUnionQuery')) {
    throw new SandboxError('not_select', `only a SELECT may run here, not ${ast[0]?.node.split(' ')[0] ?? 'nothing'}`)
  }
  const rootKids = ast.filter((a) => a.depth === 1)
  // The first is the union's list of selects; anything else at the root is FORMAT, INTO OUTFILE or SETTINGS.
  if (rootKids.length > 1 && rootKids.slice(1).some((k) => !/^Identifier TabSeparatedRaw$/.test(k.node))) {
    throw new SandboxError('settings', 'FORMAT, INTO OUTFILE and SETTINGS are set by the sandbox, not by the query')
  }
  const parents: string[] = []
  for (const a of ast) {
    parents[a.depth] = a.node
    const parent = a.depth > 0 ? parents[a.depth - 1] : ''
    if (/^Set\b/.test(a.node)) throw new SandboxError('settings', 'SETTINGS are set by the sandbox, not by the query')
    const table = /^TableIdentifier (\S+)/.exec(a.node)
    if (table) {
      if (table[1].includes('.')) {
        throw new SandboxError('table', `table ${table[1]}: name the views without a database (${READABLE})`)
      }
    }
    const fn = /^Function (\S+)/.exec(a.node)
    if (fn) {
      if (parent.startsWith('TableExpression')) {
        throw new SandboxError('function', `table function ${fn[1]}() is not allowed: read the views`)
      }
      if (DENIED_FUNCTION.test(fn[1]))
        throw new SandboxError('function', `function ${fn[1]}() is not allowed in a layer`)
    }
  }
}

/**
 * The deprecated tables a query names (on ClickHouse's parse of it), as warnings naming the view to
 * read instead. A CTE of the query's own named as one of them is warned about too: rename it.
 */
export function deprecations(lines: string[]): string[] {
  const named = new Set<string>()
  for (const line of lines) {
    const m = /^\s*TableIdentifier (\S+)/.exec(line)
    if (m && m[1] in DEPRECATED_TABLES) named.add(m[1])
  }
  const use = (t: string) => DEPRECATED_TABLES[t].use
  return [...named].map((t) => `${t} is deprecated: read the view ${use(t)} (docs/layers.md, "The views")`)
}

/** The checks on the analyzer's resolved tree of the wrapped query: real tables are allow-listed ones. */
export function checkQueryTree(lines: string[], database: string): void {
  for (const line of lines) {
    const node = line.trim()
    if (/^TABLE_FUNCTION\b/.test(node)) {
      throw new SandboxError('function', 'table functions are not allowed: read the views')
    }
    const m = /^TABLE id: \d+.*table_name: (\S+?)(,|$)/.exec(node)
    if (m) {
      const [db, name] = m[1].includes('.') ? m[1].split('.', 2) : [database, m[1]]
      if (db !== database || !(name in ALLOWED_TABLES)) {
        const shown = m[1].replace(`${database}.`, '')
        throw new SandboxError('table', `table ${shown} is not allow-listed: read the views (${READABLE})`)
      }
    }
  }
}

/** ClickHouse's error text, sorted into what the analyst did wrong. */
function classify(e: Error): SandboxError {
  if (e instanceof SandboxError) return e
  const msg = (e.message || String(e)).trim()
  if (/readonly mode/i.test(msg)) return new SandboxError('not_select', `only reads are allowed: ${msg}`)
  if (/Timeout exceeded|Limit for (rows|bytes) to read|Memory limit|TOO_MANY_ROWS|exceeded/i.test(msg))
    return new SandboxError('limit', `the query went over the sandbox's limits: ${msg}`)
  if (/Syntax error/i.test(msg)) return new SandboxError('syntax', msg)
  if (/Substitution .* is not set|query parameter/i.test(msg))
    return new SandboxError('params', `${msg} (declare it under params)`)
  if (/UNKNOWN_TABLE|Unknown table|does not exist/i.test(msg)) {
    return new SandboxError('table', `${msg} (the views: ${READABLE})`)
  }
  return new SandboxError('query', msg)
}
