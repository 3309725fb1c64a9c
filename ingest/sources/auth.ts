import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { clientIp } from '#platform/auth/client-ip.js'
import { bearer, type TokenService } from '#platform/auth/tokens.js'
import { ApiError } from '#platform/errors.js'

/** The credential a request authenticated with, and what it may send. */
export interface Credential {
  /** `token:<hash prefix>` for a static ingest token, `user:<name>` for an ingest user's session. */
  id: string
  /** An ingest user's region: its records must lie in it. Undefined for the city-wide static tokens. */
  region?: string
}

/** A credential from one client address: the unit that gets a share of the in-flight budget. */
export interface Sender extends Credential {
  key: string
}

export interface IngestAuthOptions {
  /** Static ingest tokens (IOC_INGEST_TOKENS; the demo token under IOC_DEMO=1): city-wide. */
  ingestTokens: ReadonlySet<string>
  /** Session tokens: only users of role `ingest` send records. */
  tokens: TokenService
}

/** Hono variables of the ingest routes. */
export interface SenderEnv {
  Variables: { sender: Sender }
}

// A label that names a static token in the in-flight map without keeping the secret as a key.
const tokenId = (token: string) => `token:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`

/**
 * What `token` may send as: a static ingest token (the whole city), or the session of a user of role
 * `ingest` (that user's region). 401 for anything else that is not valid; 403 for a session of any
 * other role: an admin reads and administers, it does not feed records.
 */
export async function ingestCredential(
  token: string,
  opts: IngestAuthOptions,
  name = 'the ingest token',
): Promise<Credential> {
  if (opts.ingestTokens.has(token)) return { id: tokenId(token) }
  const user = await opts.tokens.verify(token)
  if (!user) throw new ApiError(401, 'unauthorized', `${name} is not valid`)
  if (user.role !== 'ingest')
    throw new ApiError(
      403,
      'forbidden',
      `role ${user.role} may not send records: use an ingest token or a user of role ingest`,
    )
  return { id: `user:${user.name}`, region: user.region }
}

/**
 * Only ingest tokens and ingest users reach the ingest routes; the sender (credential and client
 * address) goes into the context for the in-flight share and the region check.
 * @example
 * const app = new Hono<SenderEnv>()
 * app.use('/ingest/v1/*', requireSender({ ingestTokens, tokens }))
 * app.post('/ingest/v1/:stream', (c) => c.json({ region: c.var.sender.region ?? 'city-wide' }))
 */
export function requireSender(opts: IngestAuthOptions): MiddlewareHandler<SenderEnv> {
  return async function requireSenderMiddleware(c, next) {
    const token = bearer(c.req.header('authorization'))
    if (!token) throw new ApiError(401, 'unauthorized', 'an ingest token is required (Authorization: Bearer …)')
    const credential = await ingestCredential(token, opts)
    c.set('sender', { ...credential, key: `${credential.id}@${clientIp(c) ?? 'local'}` })
    await next()
  }
}
