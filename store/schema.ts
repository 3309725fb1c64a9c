import { declareIdentifiers, sql, type Sql } from './sql.js'

/**
 * The schema registry: every table the code reads or writes, named once. Code refers to a table as
 * `tables.gridEvents` (a fragment for the `sql` tag) or `tableName.gridEvents` (the plain name, for
 * `store.insert({ table })`); no other TypeScript file spells a table's name. Every table's
 * columns, types and defaults are declared here too; the migrations (store/migrations/*.sql) are
 * their history, and test/integration/store-schema.int.test.ts checks a freshly migrated store
 * against this file.
 */

/** A column as `DESCRIBE TABLE` reports it: its type and its default expression ('' for none). */
export interface ColumnDef {
  readonly name: string
  readonly type: string
  readonly default?: string
}

/** A raw column as ingest writes it: a number the record may omit has the value stored instead. */
export interface RawColumnDef extends ColumnDef {
  /** What ingest stores for a number the record does not give (strings store '', times NULL). */
  readonly fallback?: number
}

const col = (name: string, type: string, def?: string): ColumnDef =>
  def ? { name, type, default: def } : { name, type }
/** A number ingest fills with `fallback` when a record has none. */
const num = (name: string, type: string, fallback: number): RawColumnDef => ({ name, type, fallback })
const LC = 'LowCardinality(String)'
const TIME = "DateTime64(3, 'UTC')"
const NULL_TIME = "Nullable(DateTime64(3, 'UTC'))"
const INGESTED_AT = col('ingested_at', TIME, 'now64(3)')
/** Where a record is: the columns enrichment fills, the same in every raw table. */
const PLACE = [
  col('grid_code', 'String'),
  col('community', LC),
  col('street', LC),
  col('district', LC),
  num('lon', 'Float64', 0),
  num('lat', 'Float64', 0),
]

/** The raw tables: every step of every record, in the order of their columns. */
export const RAW_COLUMNS = {
  grid_events: [
    col('event_id', 'String'),
    col('step', LC),
    col('ts', TIME),
    col('category', LC),
    ...PLACE,
    col('source', LC),
    col('department', LC),
    num('priority', 'UInt8', 3),
    col('deadline', NULL_TIME),
    col('reporter', 'String'),
    col('description', 'String'),
    col('evaluation', LC),
    INGESTED_AT,
  ],
  terminal_status: [
    col('terminal_id', 'String'),
    col('ts', TIME),
    col('status', LC),
    ...PLACE,
    col('site', 'String'),
    col('fault_code', LC),
    col('paper_pct', 'Nullable(Float32)'),
    num('transactions', 'UInt32', 0),
    INGESTED_AT,
  ],
  hotline_tickets: [
    col('ticket_id', 'String'),
    col('step', LC),
    col('ts', TIME),
    col('channel', LC),
    col('category', LC),
    num('urgency', 'UInt8', 3),
    ...PLACE,
    col('address', 'String'),
    col('department', LC),
    col('satisfaction', LC),
    col('deadline', NULL_TIME),
    col('description', 'String'),
    INGESTED_AT,
  ],
} as const satisfies Record<string, readonly RawColumnDef[]>

/** Invalid input, kept with the reason so a data owner can fix the sender (migration 001). */
export const REJECT_COLUMNS = [
  col('received_at', TIME, 'now64(3)'),
  col('stream', LC),
  col('source', LC),
  num('record_index', 'UInt32', 0),
  col('path', 'String'),
  col('reason', 'String'),
  col('raw', 'String'),
] as const satisfies readonly RawColumnDef[]

/**
 * The read models' columns (state tables, rollups, totals, cohort tables) and the tables the api
 * writes (audit, alerts), as a migrated store describes them: a column a migration adds or changes
 * must change here too, or test/integration/store-schema.int.test.ts fails. MATERIALIZED columns
 * carry their expression as the default.
 */
export const TABLE_COLUMNS = {
  regions: [
    col('code', 'String'),
    col('name', 'String'),
    col('level', 'LowCardinality(String)'),
    col('depth', 'UInt8'),
    col('parent', 'String'),
    col('lon', 'Float64'),
    col('lat', 'Float64'),
  ],
  event_state: [
    col('event_id', 'String'),
    col('grid_code', 'SimpleAggregateFunction(anyLast, String)'),
    col('lon', 'SimpleAggregateFunction(anyLast, Float64)'),
    col('lat', 'SimpleAggregateFunction(anyLast, Float64)'),
    col('category', 'SimpleAggregateFunction(anyLast, String)'),
    col('department', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('priority', 'SimpleAggregateFunction(max, UInt8)'),
    col('description', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('reported_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
    col('evaluated_at', "SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))"),
    col('deadline', "SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))"),
    col('evaluation', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('step_rank', 'SimpleAggregateFunction(max, UInt8)'),
    col('last_ts', "SimpleAggregateFunction(max, DateTime64(3, 'UTC'))"),
    col('verified_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
    col('dispatched_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
    col('handled_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
    col('submitted_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
  ],
  ticket_state: [
    col('ticket_id', 'String'),
    col('grid_code', 'SimpleAggregateFunction(anyLast, String)'),
    col('lon', 'SimpleAggregateFunction(anyLast, Float64)'),
    col('lat', 'SimpleAggregateFunction(anyLast, Float64)'),
    col('category', 'SimpleAggregateFunction(anyLast, String)'),
    col('channel', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('department', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('address', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('description', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('created_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
    col('replied_at', "SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')))"),
    col('closed_at', "SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))"),
    col('deadline', "SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC')))"),
    col('satisfaction', 'SimpleAggregateFunction(anyLast, Nullable(String))'),
    col('reopened', 'SimpleAggregateFunction(sum, UInt64)'),
    col('latest', "SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String))"),
  ],
  terminal_state: [
    col('terminal_id', 'String'),
    col('grid_code', 'SimpleAggregateFunction(anyLast, String)'),
    col('lon', 'SimpleAggregateFunction(anyLast, Float64)'),
    col('lat', 'SimpleAggregateFunction(anyLast, Float64)'),
    col('site', 'SimpleAggregateFunction(anyLast, String)'),
    col('latest', "SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String, String, Nullable(Float32)))"),
    col('transactions', 'SimpleAggregateFunction(sum, UInt64)'),
  ],
  events_rollup: [
    col('depth', 'UInt8'),
    col('region', 'String'),
    col('bucket', "DateTime('UTC')"),
    col('step', 'LowCardinality(String)'),
    col('category', 'LowCardinality(String)'),
    col('department', 'LowCardinality(String)'),
    col('n', 'UInt64'),
  ],
  tickets_rollup: [
    col('depth', 'UInt8'),
    col('region', 'String'),
    col('bucket', "DateTime('UTC')"),
    col('step', 'LowCardinality(String)'),
    col('category', 'LowCardinality(String)'),
    col('channel', 'LowCardinality(String)'),
    col('department', 'LowCardinality(String)'),
    col('satisfaction', 'LowCardinality(String)'),
    col('n', 'UInt64'),
  ],
  terminals_rollup: [
    col('depth', 'UInt8'),
    col('region', 'String'),
    col('bucket', "DateTime('UTC')"),
    col('status', 'LowCardinality(String)'),
    col('terminals', 'AggregateFunction(uniq, String)'),
    col('reports', 'SimpleAggregateFunction(sum, UInt64)'),
    col('transactions', 'SimpleAggregateFunction(sum, UInt64)'),
  ],
  tickets_totals: [
    col('depth', 'UInt8'),
    col('region', 'String'),
    col('bucket', "DateTime('UTC')"),
    col('step', 'LowCardinality(String)'),
    col('n', 'UInt64'),
  ],
  events_class_totals: [
    col('depth', 'UInt8'),
    col('region', 'String'),
    col('step', 'LowCardinality(String)'),
    col('bucket', "DateTime('UTC')"),
    col('class', 'LowCardinality(String)'),
    col('n', 'UInt64'),
  ],
  event_cohort: [
    col('reported_at', "DateTime64(3, 'UTC')"),
    col('grid_code', 'String'),
    col('event_id', 'String'),
    col('evaluated_at', "Nullable(DateTime64(3, 'UTC'))"),
    col('deadline', "Nullable(DateTime64(3, 'UTC'))"),
    col('sign', 'Int8'),
    // MATERIALIZED: the UTC day of the start (migration 040)
    col('day', 'Date', "toDate(reported_at, 'UTC')"),
  ],
  ticket_cohort: [
    col('created_at', "DateTime64(3, 'UTC')"),
    col('grid_code', 'String'),
    col('ticket_id', 'String'),
    col('replied_at', "Nullable(DateTime64(3, 'UTC'))"),
    col('status', 'LowCardinality(String)'),
    col('satisfaction', 'LowCardinality(String)'),
    col('sign', 'Int8'),
    // MATERIALIZED: the UTC day of the start (migration 040)
    col('day', 'Date', "toDate(created_at, 'UTC')"),
  ],
  audit_log: [
    col('ts', "DateTime64(3, 'UTC')", 'now64(3)'),
    col('action', 'LowCardinality(String)'),
    col('user', 'String'),
    col('role', 'LowCardinality(String)'),
    col('region', 'String'),
    col('ip', 'String'),
    col('target_kind', 'LowCardinality(String)'),
    col('target_id', 'String'),
    col('target_ids', 'Array(String)'),
    col('detail', 'String'),
  ],
  alerts: [
    col('alert_id', 'String'),
    col('rule_id', 'LowCardinality(String)'),
    col('key', 'String'),
    col('region', 'String'),
    col('severity', 'LowCardinality(String)'),
    col('title', 'String'),
    col('title_en', 'String'),
    col('message', 'String'),
    col('message_en', 'String'),
    col('value', 'Float64'),
    col('lon', 'Nullable(Float64)'),
    col('lat', 'Nullable(Float64)'),
    col('status', 'LowCardinality(String)'),
    col('assignee', 'String'),
    col('acked_by', 'String'),
    col('fired_at', "DateTime64(3, 'UTC')"),
    col('updated_at', "DateTime64(3, 'UTC')"),
    col('resolved_at', "Nullable(DateTime64(3, 'UTC'))"),
    col('version', 'UInt64'),
  ],
  studio_audit: [
    col('at', "DateTime64(3, 'UTC')", 'now64(3)'),
    col('user', 'String'),
    col('role', 'LowCardinality(String)'),
    col('kind', 'LowCardinality(String)'),
    col('item_id', 'String'),
    col('action', 'LowCardinality(String)'),
    col('before', 'String'),
    col('after', 'String'),
  ],
  schema_migrations: [col('version', 'String'), col('applied_at', "DateTime64(3, 'UTC')", 'now64(3)')],
} as const satisfies Record<string, readonly ColumnDef[]>

/** Every table by the name the code uses for it. */
export const tableName = {
  gridEvents: 'grid_events',
  terminalStatus: 'terminal_status',
  hotlineTickets: 'hotline_tickets',
  rejects: 'rejects',
  regions: 'regions',
  eventState: 'event_state',
  ticketState: 'ticket_state',
  terminalState: 'terminal_state',
  eventsRollup: 'events_rollup',
  ticketsRollup: 'tickets_rollup',
  terminalsRollup: 'terminals_rollup',
  ticketsTotals: 'tickets_totals',
  eventsClassTotals: 'events_class_totals',
  eventCohort: 'event_cohort',
  ticketCohort: 'ticket_cohort',
  auditLog: 'audit_log',
  alerts: 'alerts',
  studioAudit: 'studio_audit',
  schemaMigrations: 'schema_migrations',
} as const satisfies Record<string, string>

export type TableKey = keyof typeof tableName

/** The stable views that layer files, alert rules and studio drafts read (035_views.sql, docs/layers.md). */
export const viewName = {
  events: 'events',
  eventSteps: 'event_steps',
  eventCounts: 'event_counts',
  tickets: 'tickets',
  ticketSteps: 'ticket_steps',
  ticketCounts: 'ticket_counts',
  terminals: 'terminals',
  terminalReports: 'terminal_reports',
  terminalCounts: 'terminal_counts',
} as const satisfies Record<string, string>
export type RawTable = keyof typeof RAW_COLUMNS

const columnNames = Object.values(RAW_COLUMNS).flatMap((cs) => cs.map((c) => c.name))
declareIdentifiers([...Object.values(tableName), ...columnNames])

/** Every table as a fragment for the `sql` tag. */
export const tables = Object.fromEntries(
  Object.entries(tableName).map(([k, name]) => [k, sql.identifier(name)]),
) as Record<TableKey, Sql>

/**
 * The staging table of one writer of a raw table (ingest/sink/sql.ts): `ingest_stage_<table>_<suffix>`,
 * the suffix being the writer's own [a-z0-9_] word.
 */
export function stageTable(table: RawTable, suffix: string): Sql {
  if (!/^[a-z0-9_]+$/.test(suffix)) throw new Error(`staging suffix must be [a-z0-9_]: ${suffix}`)
  const name = `ingest_stage_${table}_${suffix}`
  declareIdentifiers([name])
  return sql.identifier(name)
}
