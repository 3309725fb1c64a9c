import type { Session, TokenService } from './tokens.js'
import type { UserDirectory } from './users.js'

/** Why a signed session no longer stands; the code is the `error.code` of the 401 or socket error. */
export type SessionRefusal = { code: 'unauthorized' | 'account_changed' | 'session_expired'; message: string }
export type SessionVerdict = { ok: true; session: Session } | ({ ok: false } & SessionRefusal)

/**
 * Whether a session whose signature holds may still be used at `now`. A local account's session
 * stands only while the directory holds that user with the token's role and region: a removed
 * user is refused (`unauthorized`), a changed one told `account_changed` (a renewal gives a token
 * with the new role and region). OIDC sessions answer to the provider at each renewal instead.
 */
export function judgeSession(session: Session | undefined, users: UserDirectory, now: number): SessionVerdict {
  if (!session) return { ok: false, code: 'unauthorized', message: 'the session token is not valid or has expired' }
  if (session.expiresAt <= now)
    return { ok: false, code: 'session_expired', message: 'the session has expired: sign in again' }
  if (session.source === 'password') {
    const current = users.lookup(session.user.name)
    if (!current) return { ok: false, code: 'unauthorized', message: `user ${session.user.name} no longer exists` }
    if (current.role !== session.user.role || current.region !== session.user.region) {
      return {
        ok: false,
        code: 'account_changed',
        message: `the role or region of ${session.user.name} changed: renew the session (POST /api/v1/auth/refresh)`,
      }
    }
  }
  return { ok: true, session }
}

/** A bearer token's session, judged against the directory and the clock. */
export async function verifySession(
  deps: { tokens: TokenService; users: UserDirectory; now: () => number },
  token: string,
): Promise<SessionVerdict> {
  return judgeSession(await deps.tokens.session(token), deps.users, deps.now())
}

/**
 * The token service whose `verify` also asks the directory: code that only verifies tokens (the
 * ingest routes in the one-process server) then refuses removed or changed users as the api does.
 */
export function boundToDirectory(
  tokens: TokenService,
  users: UserDirectory,
  now: () => number = Date.now,
): TokenService {
  return {
    ...tokens,
    async verify(token) {
      const verdict = await verifySession({ tokens, users, now }, token)
      return verdict.ok ? verdict.session.user : undefined
    },
  }
}
