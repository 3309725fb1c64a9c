import type {
  Enrichment,
  EnrichedGridEvent,
  EnrichedHotlineTicket,
  EnrichedTerminalStatus,
  StreamName,
} from '#core/schemas/records.js'
import { tableName, type RawTable } from './schema.js'

/** Column values as ClickHouse takes them in JSONEachRow (DateTime64(3) as epoch ms). */
export type Row = Record<string, string | number | null>

/** Where a record is: the columns enrichment fills, the same in every table. */
function place(r: Enrichment): Row {
  return {
    grid_code: r.grid_code,
    community: r.community,
    street: r.street,
    district: r.district,
    lon: r.lon,
    lat: r.lat,
  }
}

export function gridEventRow(r: EnrichedGridEvent): Row {
  return {
    event_id: r.event_id,
    step: r.step,
    ts: r.ts,
    category: r.category,
    ...place(r),
    source: r.source ?? '',
    department: r.department ?? '',
    priority: r.priority ?? 3,
    deadline: r.deadline ?? null,
    reporter: r.reporter ?? '',
    description: r.description ?? '',
    evaluation: r.evaluation ?? '',
  }
}

export function terminalStatusRow(r: EnrichedTerminalStatus): Row {
  return {
    terminal_id: r.terminal_id,
    ts: r.ts,
    status: r.status,
    ...place(r),
    site: r.site ?? '',
    fault_code: r.fault_code ?? '',
    paper_pct: r.paper_pct ?? null,
    transactions: r.transactions ?? 0,
  }
}

export function hotlineTicketRow(r: EnrichedHotlineTicket): Row {
  return {
    ticket_id: r.ticket_id,
    step: r.step,
    ts: r.ts,
    channel: r.channel ?? '',
    category: r.category,
    urgency: r.urgency ?? 3,
    ...place(r),
    address: r.address ?? '',
    department: r.department ?? '',
    satisfaction: r.satisfaction ?? '',
    deadline: r.deadline ?? null,
    description: r.description ?? '',
  }
}

/** How each stream's rows are stored and recognised as the same record. */
export const TABLES: Record<StreamName, { table: RawTable; id: string; hasStep: boolean }> = {
  'grid-events': { table: tableName.gridEvents, id: 'event_id', hasStep: true },
  'terminal-status': { table: tableName.terminalStatus, id: 'terminal_id', hasStep: false },
  'hotline-tickets': { table: tableName.hotlineTickets, id: 'ticket_id', hasStep: true },
}

/** The identity of a record: the same (id, step, ts) is stored once. */
export function rowKey(stream: StreamName, row: Row): string {
  const t = TABLES[stream]
  return t.hasStep ? `${row[t.id]}|${row.step}|${row.ts}` : `${row[t.id]}|${row.ts}`
}
