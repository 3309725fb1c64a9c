import type { Overview } from '../../../core/schemas/api'

/** Codes and WGS84 position added to every record by the ingest enrichment step. */
interface Enriched {
  ts: string
  grid_code: string
  community?: string
  street?: string
  district?: string
  lon: number
  lat: number
}

export interface LiveEvent extends Enriched {
  event_id: string
  step: string
  category: string
  department?: string
  priority?: number
  deadline?: string | number
  description?: string
  evaluation?: string
}

export interface LiveTicket extends Enriched {
  ticket_id: string
  step: string
  category: string
  channel?: string
  address?: string
  department?: string
  satisfaction?: string
}

export interface LiveTerminal extends Enriched {
  terminal_id: string
  status: string
  site?: string
  fault_code?: string
}

export type LiveMessage =
  | { type: 'events'; region: string; data: LiveEvent }
  | { type: 'tickets'; region: string; data: LiveTicket }
  | { type: 'terminals'; region: string; data: LiveTerminal }
  | { type: 'alerts'; region: string; data: unknown }
  | { type: 'kpi'; region: string; data: Overview }
  | { type: 'heartbeat'; ts?: string }
  | { type: 'subscribed'; region?: string }
  | { type: 'error'; code: string; message: string }
