import { declareIdentifiers, sql, type Sql } from './sql.js'

/**
 * The schema registry: every table the code reads or writes, named once. Code refers to a table as
 * `tables.gridEvents` (a fragment for the `sql` tag) or `tableName.gridEvents` (the plain name, for
 * `store.insert({ table })`); no other TypeScript file spells a table's name. The raw tables'
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
