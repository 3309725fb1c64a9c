import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import type {
  Breakdown,
  BreakdownBy,
  CatalogNamesBody,
  EventSummary,
  Interval,
  LoginInfo,
  LoginResponse,
  Metric,
  Overview,
  RegionInfo,
  TerminalSummary,
  TicketSummary,
  Timeseries,
} from '#core/schemas/api'
import type { Screen, ScreenList } from '#core/schemas/screen'
import { request } from './http'

export { ApiError, configureApi, renewSession } from './http'

export interface TimeRange {
  from: string
  to: string
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface RegionFeatureProps {
  code: string
  name: string
  level: string
  /** [lon, lat]; may arrive as a JSON string when a GeoJSON tool flattened it. */
  centroid?: [number, number] | string
}
export type RegionFeature = Feature<Polygon | MultiPolygon, RegionFeatureProps>
export type RegionCollection = FeatureCollection<Polygon | MultiPolygon, RegionFeatureProps>

const V1 = '/api/v1'
const enc = encodeURIComponent

export const api = {
  loginInfo: () => request<LoginInfo>(`${V1}/auth/login`, { auth: false }),
  login: (username: string, password: string) =>
    request<LoginResponse>(`${V1}/auth/login`, { method: 'POST', body: { username, password }, auth: false }),

  catalog: () => request<CatalogNamesBody>(`${V1}/catalog`),
  region: (code: string) => request<RegionInfo>(`${V1}/regions/${enc(code)}`),
  children: (code: string) => request<RegionCollection>(`${V1}/regions/${enc(code)}/children.geojson`),
  outline: (code: string) => request<RegionFeature>(`${V1}/regions/${enc(code)}/outline.geojson`),

  overview: (region: string, range: TimeRange) => request<Overview>(`${V1}/overview`, { query: { region, ...range } }),
  timeseries: (metric: Metric, interval: Interval, region: string, range: TimeRange) =>
    request<Timeseries>(`${V1}/timeseries`, { query: { metric, interval, region, ...range } }),
  breakdown: (metric: Metric, by: BreakdownBy, region: string, range: TimeRange) =>
    request<Breakdown>(`${V1}/breakdown`, { query: { metric, by, region, ...range } }),

  events: (region: string, q: { status?: string; limit?: number } = {}) =>
    request<Page<EventSummary>>(`${V1}/events`, { query: { region, ...q } }),
  tickets: (region: string, q: { status?: string; limit?: number } = {}) =>
    request<Page<TicketSummary>>(`${V1}/tickets`, { query: { region, ...q } }),
  terminals: (region: string, q: { status?: string; limit?: number } = {}) =>
    request<Page<TerminalSummary>>(`${V1}/terminals`, { query: { region, ...q } }),
  /** One record with its timeline of steps (events, tickets) or of status reports (terminals). */
  record: (kind: RecordKind, id: string) => request<RecordDetail>(`${V1}/${kind}s/${enc(id)}`),

  screens: () => request<ScreenList>(`${V1}/screens`),
  screen: (id: string) => request<Screen>(`${V1}/screens/${enc(id)}`),
  /** A fresh token before the current one expires (the wall stays signed in for weeks). */
  refresh: () => request<LoginResponse>(`${V1}/auth/refresh`, { method: 'POST', renew: false }),
}

export type RecordKind = 'event' | 'ticket' | 'terminal'
/** The detail answers share these fields; the rest is shown as it comes. */
export interface RecordDetail {
  grid_code?: string
  category?: string
  status?: string
  description?: string
  department?: string
  site?: string
  address?: string
  deadline?: string | null
  overdue?: boolean
  timeline: ({ ts: string; step?: string; status?: string } & Record<string, unknown>)[]
}
