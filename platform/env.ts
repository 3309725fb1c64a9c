import { z } from 'zod'
import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'
import { cityDir, loadCityConfig } from './config/city.js'
import {
  DEFAULT_MAX_FUTURE_MINUTES,
  DEFAULT_RETENTION_DAYS,
  MAX_RETENTION_DAYS,
  type TimeBounds,
} from '#core/time-bounds.js'

/** Seconds a request may take to send its body (`IOC_INGEST_BODY_TIMEOUT_SECONDS`): 16 MiB at 4.5 Mbit/s. */
export const DEFAULT_BODY_TIMEOUT_SECONDS = 30

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('0')
  .transform((v) => v === '1' || v === 'true')

/** The contract's environment, parsed once; a bad value stops the process with its name. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().optional(),
  IOC_DATA_DIR: z.string().default('./data'),
  CLICKHOUSE_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('ioc'),
  MQTT_URL: z.string().optional(),
  IOC_SIMULATE: z.coerce.number().min(0).max(100_000).optional(),
  IOC_SIMULATE_SEED: z.coerce.number().int().default(20261123),
  /** Hours of history the simulator writes before going live, when the store is empty. */
  IOC_BACKFILL_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(36),
  IOC_DEMO: flag,
  /** The city's time zone; unset, the city file's (dashboards/geo/city.yaml: time_zone). */
  IOC_TZ: z.string().optional(),
  /** The folder of city.yaml and its geo files; unset, the demo city in dashboards/geo. */
  IOC_CITY_DIR: z.string().optional(),
  IOC_JWT_SECRET: z.string().optional(),
  /** A terminal whose last report is older than this counts as offline (default: three missed heartbeats). */
  IOC_TERMINAL_SILENCE_MINUTES: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(DEFAULT_TERMINAL_SILENCE_MINUTES),
  IOC_INGEST_TOKENS: z.string().default(''),
  IOC_USERS_FILE: z.string().optional(),
  IOC_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 << 20),
  /** Seconds an ingest request may take to send its body (408 and the connection closed after). */
  IOC_INGEST_BODY_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(DEFAULT_BODY_TIMEOUT_SECONDS),
  /** Minutes a record's time may lie ahead of the server's clock; later ones are refused with path `ts`. */
  IOC_MAX_FUTURE_MINUTES: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .default(DEFAULT_MAX_FUTURE_MINUTES),
  /**
   * Days of history the store takes: an older record is refused with path `ts` (at most 7 years: 100 monthly partitions
   * per insert).
   */
  IOC_RETENTION_DAYS: z.coerce.number().int().min(1).max(MAX_RETENTION_DAYS).default(DEFAULT_RETENTION_DAYS),
  /** Requests per minute per signed-in user on /api/v1 (429 with Retry-After above it). */
  IOC_RATE_LIMIT: z.coerce.number().int().positive().default(1200),
  /**
   * Failed sign-ins per account per 5 minutes from browsers not trusted for it (per address: 10×; one password across
   * names: this many per hour).
   */
  IOC_LOGIN_LIMIT: z.coerce.number().int().positive().default(10),
  /** Studio queries (drafts, previews, dry runs) one user may run at once; 429 past it. */
  IOC_ADHOC_PER_USER: z.coerce.number().int().min(1).max(16).default(2),
  /** Hours from a sign-in (password or single sign-on) after which its session is no longer renewed. */
  IOC_SESSION_MAX_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 366)
    .default(720),
  /**
   * Extra origins (comma-separated, e.g. https://ioc.example.gov.cn) allowed to open the live socket; the api's own
   * origin always is.
   */
  IOC_ALLOWED_ORIGINS: z.string().default(''),
  /** Single sign-on: the identity provider's issuer URL (its /.well-known/openid-configuration is read). */
  IOC_OIDC_ISSUER: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  IOC_OIDC_CLIENT_ID: z.string().optional(),
  IOC_OIDC_CLIENT_SECRET: z.string().optional(),
  /** Where the provider sends the browser back: https://<this api>/api/v1/auth/oidc/callback. */
  IOC_OIDC_REDIRECT_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Claims of the ID token that carry the user's role and region (defaults ioc_role, ioc_region). */
  IOC_OIDC_ROLE_CLAIM: z.string().default('ioc_role'),
  IOC_OIDC_REGION_CLAIM: z.string().default('ioc_region'),
})
export type IocEnv = z.infer<typeof EnvSchema> & { IOC_TZ: string }

export function readEnv(env: NodeJS.ProcessEnv = process.env): IocEnv {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new Error(`environment ${i.path.join('.')}: ${i.message}`)
  }
  return { ...parsed.data, IOC_TZ: parsed.data.IOC_TZ || loadCityConfig(cityDir(env)).time_zone }
}

/** The times a record may carry, from IOC_MAX_FUTURE_MINUTES and IOC_RETENTION_DAYS. */
export function timeBoundsOf(env: IocEnv): TimeBounds {
  return { maxFutureMinutes: env.IOC_MAX_FUTURE_MINUTES, retentionDays: env.IOC_RETENTION_DAYS }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/** Where to listen: loopback by default under IOC_DEMO (demo accounts never face a network). */
export function resolveHost(env: IocEnv): string {
  const host = env.HOST ?? (env.IOC_DEMO ? '127.0.0.1' : '0.0.0.0')
  if (env.IOC_DEMO && !isLoopback(host))
    throw new Error(`IOC_DEMO=1 is only allowed on a loopback bind, not HOST=${host}`)
  return host
}
