import * as auth from './auth.js'
import * as data from './data.js'
import * as docs from './docs.js'
import * as thematic from './thematic.js'

export { V1, type Route } from './http.js'
export { EVENT_STATUS_FILTERS, TICKET_STATUS_FILTERS, TERMINAL_STATUS_FILTERS } from './data.js'
export { StudioKindSchema, type StudioKind } from './thematic.js'

/**
 * Every HTTP route of api/, declared once: the api validates requests and types its answers from
 * these, the OpenAPI document is generated from them, the screen's client builds its calls on them.
 */
export const routes = {
  loginInfo: auth.loginInfo,
  login: auth.login,
  refresh: auth.refresh,
  oidcStart: auth.oidcStart,
  oidcCallback: auth.oidcCallback,
  metrics: data.metrics,
  catalog: data.catalog,
  overview: data.overview,
  status: data.status,
  timeseries: data.timeseries,
  breakdown: data.breakdown,
  region: data.region,
  regionChildren: data.regionChildren,
  regionOutline: data.regionOutline,
  events: data.events,
  event: data.event,
  tickets: data.tickets,
  ticket: data.ticket,
  terminals: data.terminals,
  terminal: data.terminal,
  layers: thematic.layers,
  layerData: thematic.layerData,
  alerts: thematic.alerts,
  alertRules: thematic.alertRules,
  acknowledgeAlert: thematic.acknowledgeAlert,
  assignAlert: thematic.assignAlert,
  studioList: thematic.studioList,
  studioRead: thematic.studioRead,
  studioValidate: thematic.studioValidate,
  studioRun: thematic.studioRun,
  studioDryRun: thematic.studioDryRun,
  studioSave: thematic.studioSave,
  screens: thematic.screens,
  screen: thematic.screen,
  openapiDocument: docs.openapiDocument,
  docsPage: docs.docsPage,
  docsScript: docs.docsScript,
  live: docs.live,
} as const
export type Routes = typeof routes
