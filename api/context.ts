import type { City } from '../core/city.js'
import type { CatalogNames } from '../core/catalog.js'
import type { User } from '../core/schemas/api.js'
import type { Store } from '../store/client.js'
import type { TokenService } from './auth/tokens.js'
import type { UserDirectory } from './auth/users.js'

/** Everything a route needs, built once per process (see api/app.ts). */
export interface AppContext {
  store: Store
  city: City
  names: CatalogNames
  tokens: TokenService
  users: UserDirectory
  tz: string
  demo: boolean
  now: () => number
}

/** Hono variables set by middleware. */
export interface Env {
  Variables: { user: User }
}
