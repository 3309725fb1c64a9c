import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import type {
  Breakdown,
  BreakdownBy,
  CatalogNamesBody,
  EventSummary,
  Interval,
  LoginResponse,
  Metric,
  Overview,
  RegionInfo,
  TerminalSummary,
  TicketSummary,
  Timeseries,
} from '../../../core/schemas/api'
import { request } from './http'

export { ApiError, configureApi } from './http'

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
  loginInfo: () => request<{ demo: boolean; tz: string }>(`${V1}/auth/login`, { auth: false }),
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
}
