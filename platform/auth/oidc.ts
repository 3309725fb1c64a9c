import { randomBytes } from 'node:crypto'
import * as oidc from 'openid-client'
import { RoleSchema, type User } from '#core/schemas/api.js'
import { isRegionCode } from '#core/regions.js'
import type { IdpGrant } from './tokens.js'

export interface OidcOptions {
  issuer: string
  clientId: string
  clientSecret?: string
  redirectUrl: string
  roleClaim: string
  regionClaim: string
  /**
   * Signs the short-lived cookie that carries state and PKCE verifier across the redirect; share it between api
   * processes.
   */
  cookieSecret?: string
  /** Only for a test provider on http://localhost: the discovery and token calls are allowed over plain HTTP. */
  allowHttp?: boolean
}

/** The pending sign-in carried in a signed, HttpOnly cookie between /start and /callback. */
export interface PendingLogin {
  state: string
  verifier: string
  nonce: string
}

/** A user signed in (or renewed) at the provider, and how long our session may last before asking it again. */
export interface OidcSession {
  user: User
  /** Absent when the provider issues no refresh token to this client: the session then cannot be renewed. */
  idp?: IdpGrant
  /** The provider's access token lifetime, bounded (5 min – 12 h); undefined: our default. */
  ttlSeconds?: number
}

/** The provider refused to renew (revoked, expired, account disabled …): the session is over. */
export class OidcRefused extends Error {}

const MIN_TTL_S = 5 * 60
const MAX_TTL_S = 12 * 3600

/**
 * Sign-in through the city's identity provider: authorization code flow with PKCE, the provider's
 * endpoints and keys read from its discovery document, the ID token checked by openid-client
 * (signature, issuer, audience, expiry, nonce). The user's role and region are claims of the ID token.
 */
export class OidcLogin {
  readonly cookieSecret: string
  private constructor(
    private readonly config: oidc.Configuration,
    private readonly opts: OidcOptions,
  ) {
    this.cookieSecret = opts.cookieSecret || randomBytes(32).toString('hex')
  }

  static async discover(opts: OidcOptions): Promise<OidcLogin> {
    const config = await oidc.discovery(
      new URL(opts.issuer),
      opts.clientId,
      opts.clientSecret,
      undefined,
      opts.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
    )
    return new OidcLogin(config, opts)
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async start(): Promise<{ url: string; pending: PendingLogin }> {
    const pending = { state: oidc.randomState(), verifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() }
    const url = oidc.buildAuthorizationUrl(this.config, {
      redirect_uri: this.opts.redirectUrl,
      scope: 'openid profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    })
    return { url: url.href, pending }
  }

  /** The provider's answer at the callback URL → our user, or an Error saying what is missing. */
  async finish(
    callbackQuery: string,
    pending: PendingLogin,
    regionExists: (code: string) => boolean,
  ): Promise<OidcSession> {
    // The configured redirect URL, not the URL this process saw: behind a proxy they differ, and the
    // provider checks the one it was given at the start.
    const callbackUrl = new URL(this.opts.redirectUrl)
    callbackUrl.search = callbackQuery
    const tokens = await oidc.authorizationCodeGrant(this.config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    if (!claims) throw new Error('the provider sent no ID token')
    const user = this.userOf(claims, regionExists)
    if (!tokens.refresh_token) return { user }
    return {
      user,
      idp: { refreshToken: tokens.refresh_token, subject: claims.sub },
      ttlSeconds: boundedTtl(tokens.expiresIn()),
    }
  }

  /**
   * Ask the provider whether the session goes on (the refresh grant). Its refusal is an
   * OidcRefused; a provider that cannot be reached is any other Error (try again later). A new ID
   * token's role and region replace the old ones; without one they stay.
   */
  async renew(grant: IdpGrant, previous: User, regionExists: (code: string) => boolean): Promise<OidcSession> {
    let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>
    try {
      tokens = await oidc.refreshTokenGrant(this.config, grant.refreshToken)
    } catch (err) {
      if (err instanceof oidc.ResponseBodyError && err.status < 500)
        throw new OidcRefused(
          `the identity provider refused: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`,
        )
      throw err
    }
    const claims = tokens.claims()
    if (claims && claims.sub !== grant.subject) throw new OidcRefused('the identity provider answered for another user')
    let user = previous
    try {
      if (claims) user = this.userOf(claims, regionExists)
    } catch (err) {
      throw new OidcRefused(err instanceof Error ? err.message : String(err))
    }
    // A provider that rotates refresh tokens sends a new one; otherwise the old one stays good.
    return {
      user,
      idp: { refreshToken: tokens.refresh_token ?? grant.refreshToken, subject: grant.subject },
      ttlSeconds: boundedTtl(tokens.expiresIn()),
    }
  }

  private userOf(claims: oidc.IDToken, regionExists: (code: string) => boolean): User {
    const name = String(claims.preferred_username ?? claims.sub)
    const role = RoleSchema.safeParse(claims[this.opts.roleClaim])
    if (!role.success)
      throw new Error(`claim ${this.opts.roleClaim} of ${name} is not one of ${RoleSchema.options.join(', ')}`)
    const region = String(claims[this.opts.regionClaim] ?? '')
    if (!isRegionCode(region) || !regionExists(region))
      throw new Error(`claim ${this.opts.regionClaim} of ${name} is not a known region code`)
    return { name, role: role.data, region }
  }
}

/**
 * Our session lasts as long as the provider's access token: it is asked again as often as it wants
 * to be, but at most every 5 minutes and at least every 12 hours.
 */
function boundedTtl(expiresIn: number | undefined): number | undefined {
  return expiresIn === undefined ? undefined : Math.min(MAX_TTL_S, Math.max(MIN_TTL_S, expiresIn))
}
