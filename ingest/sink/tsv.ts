import type { StreamName } from '#core/schemas/records.js'
import { TABLES, type Row } from '#store/rows.js'
import { RAW_COLUMNS, REJECT_COLUMNS as REJECT_TABLE, type RawColumnDef, type RawTable } from '#store/schema.js'

/**
 * The spool and the insert share one format: ClickHouse TabSeparated lines built straight from the
 * validated record, no intermediate row objects. Times travel as epoch ms (Int64) because a short
 * unix time in text is ambiguous to ClickHouse's DateTime parser; the insert converts them.
 */
export type ColumnKind =
  | 'str' // String; a missing value is ''
  | 'num' // a number with a default
  | 'ms' // a required time: epoch ms, from a number or ISO 8601 text
  | 'ms?' // an optional time; missing is NULL
  | 'num?' // an optional number; missing is NULL

export interface Column {
  name: string
  kind: ColumnKind
  /** The staging column's ClickHouse type. */
  type: string
  /** The value stored when the record has none (kind 'num'). */
  fallback?: number
}

/**
 * A raw column of the registry as the spool and the staging table carry it. Times travel as epoch
 * ms (Int64); every other type as stored, LowCardinality dropped in the staging table.
 */
export function stagingColumn(c: RawColumnDef): Column {
  const t = c.type.replace(/^LowCardinality\((.*)\)$/, '$1')
  if (t === 'String') return { name: c.name, kind: 'str', type: 'String' }
  if (/^DateTime64\(/.test(t)) return { name: c.name, kind: 'ms', type: 'Int64' }
  if (/^Nullable\(DateTime64\(/.test(t)) return { name: c.name, kind: 'ms?', type: 'Nullable(Int64)' }
  if (/^Nullable\(/.test(t)) return { name: c.name, kind: 'num?', type: t }
  return { name: c.name, kind: 'num', type: t, fallback: c.fallback ?? 0 }
}

/** A raw table's columns that ingest writes: all but those the table fills by default (ingested_at). */
const written = (table: RawTable): Column[] =>
  (RAW_COLUMNS[table] as readonly RawColumnDef[]).filter((c) => c.default === undefined).map(stagingColumn)

export const COLUMNS: Record<StreamName, Column[]> = {
  'grid-events': written(TABLES['grid-events'].table),
  'terminal-status': written(TABLES['terminal-status'].table),
  'hotline-tickets': written(TABLES['hotline-tickets'].table),
}

/** The rejects table's columns that ingest writes (received_at is its default). */
export const REJECT_COLUMNS: Column[] = (REJECT_TABLE as readonly RawColumnDef[])
  .filter((c) => c.default === undefined)
  .map(stagingColumn)

const NEEDS_ESCAPE = /[\\\t\n\r\0]/
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' }

/** TabSeparated escaping: the few characters that would break a line or a field. */
export function escapeTsv(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]) : s
}

const UNESCAPES: Record<string, string> = {
  '\\': '\\',
  t: '\t',
  n: '\n',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  "'": "'",
}
export function unescapeTsv(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, (_, c: string) => UNESCAPES[c] ?? c) : s
}

/** A time as epoch ms from a number or ISO 8601 text; NaN when it is neither. */
export function toMs(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN
}

/**
 * One TSV line (with its newline) from a record and the place fields enrichment found. Values of
 * `place` win over the record's own (the grid found for a position, the position in WGS84).
 * Only called on records that passed validation, so every field has its schema's type.
 */
export function encodeLine(
  columns: readonly Column[],
  record: Readonly<Record<string, unknown>>,
  placement?: object,
): string {
  // An interface such as Enrichment has no index signature; its fields are read by column name.
  const place = placement as Readonly<Record<string, unknown>> | undefined
  let line = ''
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]
    const v = place && c.name in place ? place[c.name] : record[c.name]
    let cell: string
    switch (c.kind) {
      case 'str':
        cell = v === undefined || v === null ? '' : escapeTsv(String(v))
        break
      case 'num':
        cell = v === undefined || v === null ? String(c.fallback ?? 0) : String(v)
        break
      case 'num?':
        cell = v === undefined || v === null ? '\\N' : String(v)
        break
      case 'ms':
        cell = String(toMs(v))
        break
      case 'ms?':
        cell = v === undefined || v === null ? '\\N' : String(toMs(v))
        break
    }
    line += i === 0 ? cell : `\t${cell}`
  }
  return `${line}\n`
}

/** A spooled line back into the row the live feed publishes (times as epoch ms, as the sink always gave). */
export function decodeLine(columns: readonly Column[], line: string): Row {
  const cells = line.split('\t')
  const row: Row = {}
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]
    const cell = cells[i] ?? ''
    row[c.name] = c.kind === 'str' ? unescapeTsv(cell) : cell === '\\N' ? null : Number(cell)
  }
  return row
}
