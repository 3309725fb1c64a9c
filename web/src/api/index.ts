import { routes } from '#core/contract/index'
import type { RegionCollection, RegionOutline } from '#core/schemas/api'
import { call, type Answer } from './call'

export { ApiError, configureApi, renewSession } from './http'
export { call, type Answer } from './call'

export interface TimeRange {
  from: string
  to: string
}

export type RegionFeature = RegionOutline
export type { RegionCollection }
export type RegionFeatureProps = RegionOutline['properties']

type ListQuery = { status?: string; limit?: number }

/** The screen's calls: each a route of core/contract, so paths and answer types are declared once. */
export const api = {
  loginInfo: () => call(routes.loginInfo, { auth: false }),
  login: (username: string, password: string) => call(routes.login, { body: { username, password }, auth: false }),

  catalog: () => call(routes.catalog, {}),
  metrics: () => call(routes.metrics, {}),
  region: (code: string) => call(routes.region, { params: { code } }),
  children: (code: string) => call(routes.regionChildren, { params: { code } }),
  outline: (code: string) => call(routes.regionOutline, { params: { code } }),

  /** With the previous period compared like with like (`previous`: flows to the same elapsed time, stocks at `at`). */
  overview: (region: string, range: TimeRange) =>
    call(routes.overview, { query: { region, ...range, compare: 'previous' } }),
  timeseries: (metric: string, interval: string, region: string, range: TimeRange) =>
    call(routes.timeseries, { query: { metric, interval, region, ...range } }),
  breakdown: (metric: string, by: Answer<typeof routes.breakdown>['by'], region: string, range: TimeRange) =>
    call(routes.breakdown, { query: { metric, by, region, ...range } }),

  // The status filter is checked by the server (a 400 names it), as a screen file may carry any text.
  events: (region: string, q: ListQuery = {}) => call(routes.events, { query: { region, ...q } as { region: string } }),
  tickets: (region: string, q: ListQuery = {}) =>
    call(routes.tickets, { query: { region, ...q } as { region: string } }),
  terminals: (region: string, q: ListQuery = {}) =>
    call(routes.terminals, { query: { region, ...q } as { region: string } }),
  /** One record with its timeline of steps (events, tickets) or of status reports (terminals). */
  record: (kind: RecordKind, id: string): Promise<RecordDetail> => call(routes[kind], { params: { id } }),

  screens: () => call(routes.screens, {}),
  screen: (id: string) => call(routes.screen, { params: { id } }),
  /** A fresh token before the current one expires (the wall stays signed in for weeks). */
  refresh: () => call(routes.refresh, { renew: false }),
}

export type RecordKind = 'event' | 'ticket' | 'terminal'
/**
 * What the drawer reads of any record's detail: the fields a kind has, the rest as it comes. Not a
 * copy of the answers: the compiler checks each declared answer (core/contract) fits it.
 */
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
  /** A terminal whose last report is older than the silence threshold: the time of that report. */
  silent_since?: string | null
  timeline: ({ ts: string; step?: string; status?: string } & Record<string, unknown>)[]
}
export type Page<T> = { items: T[]; next_cursor: string | null }
