import type { City } from '#core/city.js'
import type { CatalogNames } from '#core/catalog.js'
import type { User } from '#core/schemas/api.js'
import type { Store, StoreSet } from '#store/client.js'
import type { TimeBounds } from '#core/time-bounds.js'
import type { TokenService } from '#platform/auth/tokens.js'
import type { UserDirectory } from '#platform/auth/users.js'
import type { AuditLog } from '#platform/auth/audit.js'
import type { OidcLogin } from '#platform/auth/oidc.js'
import type { SecurityOptions } from './security.js'

/** Everything a route needs, built once per process (see api/app.ts). */
export interface AppContext {
  /** The interactive workload's store: the reads of screens and tablets. */
  store: Store
  /** Every workload's store (studio drafts, alert evaluation, health …), each on its own connection. */
  stores: StoreSet
  city: City
  names: CatalogNames
  tokens: TokenService
  users: UserDirectory
  tz: string
  demo: boolean
  now: () => number
  /** IOC_TERMINAL_SILENCE_MINUTES in ms: a terminal silent longer than this counts as offline. */
  terminalSilenceMs: number
  /** Audit records of logins and record views; createApp makes one over the store when absent. */
  audit?: AuditLog
  /** Single sign-on through the city's identity provider, when configured. */
  oidc?: OidcLogin
  /** The times records may carry (IOC_MAX_FUTURE_MINUTES, IOC_RETENTION_DAYS); DEFAULT_TIME_BOUNDS when absent. */
  timeBounds?: TimeBounds
  /** Rate and body limits, socket origins; DEFAULT_SECURITY when absent. */
  security?: SecurityOptions
  /** How far the in-process simulation's history is written (`npm start` sets it); absent when there is none. */
  history?: () => HistoryState
}

/** The history written behind the live records: its span, where the pass in progress is, the share written. */
export interface HistoryState {
  loading: boolean
  from: number | null
  to: number | null
  until: number | null
  /** 0–1. */
  progress: number
}

/** Hono variables set by middleware. */
export interface Env {
  Variables: { user: User }
}
