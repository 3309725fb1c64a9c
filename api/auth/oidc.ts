import { randomBytes } from 'node:crypto'
import * as oidc from 'openid-client'
import { RoleSchema, type User } from '../../core/schemas/api.js'
import { isRegionCode } from '../../core/regions.js'

export interface OidcOptions {
  issuer: string
  clientId: string
  clientSecret?: string
  redirectUrl: string
  roleClaim: string
  regionClaim: string
  /** Signs the short-lived cookie that carries state and PKCE verifier across the redirect; share it between api processes. */
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
  async finish(callbackQuery: string, pending: PendingLogin, regionExists: (code: string) => boolean): Promise<User> {
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
    const name = String(claims.preferred_username ?? claims.sub)
    const role = RoleSchema.safeParse(claims[this.opts.roleClaim])
    if (!role.success) throw new Error(`claim ${this.opts.roleClaim} of ${name} is not one of ${RoleSchema.options.join(', ')}`)
    const region = String(claims[this.opts.regionClaim] ?? '')
    if (!isRegionCode(region) || !regionExists(region)) throw new Error(`claim ${this.opts.regionClaim} of ${name} is not a known region code`)
    return { name, role: role.data, region }
  }
}
