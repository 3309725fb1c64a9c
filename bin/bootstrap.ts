import { catalogNames } from '#core/catalog.js'
import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { cityDir, loadCity } from '#platform/config/city.js'
import type { AppContext } from '#api/context.js'
import { createTokenService } from '#platform/auth/tokens.js'
import { boundToDirectory } from '#platform/auth/sessions.js'
import { OidcLogin } from '#platform/auth/oidc.js'
import { DEFAULT_SECURITY } from '#api/security.js'
import { DEMO_INGEST_TOKEN, loadUsers } from '#platform/auth/users.js'
import { openStores, threadsNeeded, type StoreSet } from '#store/client.js'
import { migrate } from '#store/migrate.js'
import { syncRegions } from '#store/regions.js'
import { timeBoundsOf, type IocEnv } from '#platform/env.js'
import { log } from '#platform/log.js'

/**
 * Open the store (chDB by default, a server with CLICKHOUSE_URL), a connection per workload, and
 * bring its schema up to date.
 */
export async function openStore(env: IocEnv): Promise<StoreSet> {
  // chDB runs each query on a libuv thread: with fewer threads than queries at once, workloads
  // would wait on each other there. The size is read when the process starts (package.json sets it).
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  if (!env.CLICKHOUSE_URL && threads < threadsNeeded()) {
    log.warn(
      { UV_THREADPOOL_SIZE: threads, needed: threadsNeeded() },
      'too few libuv threads for every workload at once: start the process with UV_THREADPOOL_SIZE set (npm scripts do)',
    )
  }
  const stores = await openStores({
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE,
    dataDir: env.IOC_DATA_DIR,
  })
  const applied = await migrate(stores.background)
  if (applied.length) log.info({ applied }, 'migrations applied')
  return stores
}

/** What the api needs: the city, catalogue names, users and tokens over an open store. */
export async function buildContext(env: IocEnv, stores: StoreSet): Promise<AppContext> {
  const city = loadCity(cityDir(env))
  await syncRegions(stores.background, city)
  const users = await loadUsers({
    usersFile: env.IOC_USERS_FILE,
    demo: env.IOC_DEMO,
    demoAccounts: city.config.demo_accounts,
  })
  return {
    store: stores.interactive,
    stores,
    city,
    names: catalogNames(loadEventCatalog(), loadHotlineCatalog()),
    // Bound to the directory: whatever verifies a token (the ingest routes too) refuses removed users.
    tokens: boundToDirectory(createTokenService(env.IOC_JWT_SECRET), users),
    users,
    tz: env.IOC_TZ,
    timeBounds: timeBoundsOf(env),
    demo: env.IOC_DEMO,
    now: Date.now,
    terminalSilenceMs: env.IOC_TERMINAL_SILENCE_MINUTES * 60_000,
    oidc: await oidcFromEnv(env),
    security: {
      perUserPerMinute: env.IOC_RATE_LIMIT,
      loginsPer5Minutes: env.IOC_LOGIN_LIMIT,
      sessionMaxHours: env.IOC_SESSION_MAX_HOURS,
      allowedOrigins: env.IOC_ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      maxBodyBytes: DEFAULT_SECURITY.maxBodyBytes,
      adhocPerUser: env.IOC_ADHOC_PER_USER,
    },
  }
}

/** Single sign-on when IOC_OIDC_ISSUER is set; the provider must answer its discovery document at start-up. */
async function oidcFromEnv(env: IocEnv): Promise<OidcLogin | undefined> {
  if (!env.IOC_OIDC_ISSUER) return undefined
  if (!env.IOC_OIDC_CLIENT_ID || !env.IOC_OIDC_REDIRECT_URL)
    throw new Error('IOC_OIDC_ISSUER needs IOC_OIDC_CLIENT_ID and IOC_OIDC_REDIRECT_URL')
  const login = await OidcLogin.discover({
    issuer: env.IOC_OIDC_ISSUER,
    clientId: env.IOC_OIDC_CLIENT_ID,
    clientSecret: env.IOC_OIDC_CLIENT_SECRET,
    redirectUrl: env.IOC_OIDC_REDIRECT_URL,
    roleClaim: env.IOC_OIDC_ROLE_CLAIM,
    regionClaim: env.IOC_OIDC_REGION_CLAIM,
    cookieSecret: env.IOC_JWT_SECRET,
    // Plain http only to a provider on this machine (a loopback address), never across a network.
    allowHttp: ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(env.IOC_OIDC_ISSUER).hostname),
  })
  log.info({ issuer: env.IOC_OIDC_ISSUER }, 'single sign-on enabled')
  return login
}

export function ingestTokens(env: IocEnv): Set<string> {
  const tokens = new Set(
    env.IOC_INGEST_TOKENS.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  )
  if (env.IOC_DEMO) tokens.add(DEMO_INGEST_TOKEN)
  return tokens
}
