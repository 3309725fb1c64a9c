import type { User } from '#core/schemas/api.js'
import { ApiError, unauthorized } from '#platform/errors.js'
import { log } from '#platform/log.js'
import type { AppContext } from '../context.js'
import { DEFAULT_SECURITY } from '../security.js'
import { OidcRefused, type OidcSession } from '#platform/auth/oidc.js'
import type { Session } from '#platform/auth/tokens.js'

/**
 * A fresh token for a session (POST /auth/refresh), or the ApiError that refuses it:
 * - past the maximum session age since the original sign-in (IOC_SESSION_MAX_HOURS): sign in again;
 * - a local account gets the directory's current role and region, or a 401 once it is removed;
 * - an OIDC session is renewed only when the identity provider renews its grant (refresh token):
 *   its refusal is a 401, its absence a 503 (the screen tries again later).
 * Every refusal is audited.
 */
export async function renewSession(
  ctx: AppContext,
  session: Session,
  ip: string | undefined,
): Promise<{ token: string; user: User }> {
  const refuse = (message: string, detail = message): ApiError => {
    ctx.audit?.record({
      action: 'refresh.refused',
      user: session.user.name,
      role: session.user.role,
      region: session.user.region,
      ip,
      detail,
    })
    return unauthorized(message)
  }
  const maxHours = ctx.security?.sessionMaxHours ?? DEFAULT_SECURITY.sessionMaxHours
  if (ctx.now() - session.signedInAt >= maxHours * 3600_000)
    throw refuse(`the session reached the maximum session age of ${maxHours} hours: sign in again`)

  const renewed =
    session.source === 'password' ? renewLocal(ctx, session, refuse) : await renewAtProvider(ctx, session, refuse)
  const { user } = renewed
  ctx.audit?.record({ action: 'refresh', user: user.name, role: user.role, region: user.region, ip })
  const token = await ctx.tokens.issue(user, {
    source: session.source,
    signedInAt: session.signedInAt,
    idp: renewed.idp,
    ttlSeconds: renewed.ttlSeconds,
  })
  return { token, user }
}

type Refuse = (message: string, detail?: string) => ApiError

/** A local user's role and region are read again: an admin may have changed or removed them. */
function renewLocal(ctx: AppContext, session: Session, refuse: Refuse): OidcSession {
  const user = ctx.users.lookup(session.user.name)
  if (!user) throw refuse(`user ${session.user.name} no longer exists: sign in again`)
  return { user }
}

async function renewAtProvider(ctx: AppContext, session: Session, refuse: Refuse): Promise<OidcSession> {
  if (!ctx.oidc) throw refuse('single sign-on is no longer configured: sign in again')
  if (!session.idp) throw refuse('the identity provider gave this session no refresh token: sign in again')
  try {
    return await ctx.oidc.renew(session.idp, session.user, (code) => ctx.city.get(code) !== undefined)
  } catch (err) {
    if (err instanceof OidcRefused) throw refuse(`${err.message}: sign in again`, err.message)
    log.warn({ err, user: session.user.name }, 'the identity provider could not be asked to renew a session')
    throw new ApiError(503, 'unavailable', 'the identity provider cannot be reached: try again shortly', undefined, {
      'Retry-After': '30',
    })
  }
}
