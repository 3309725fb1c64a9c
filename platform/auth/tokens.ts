import { hkdfSync, randomBytes } from 'node:crypto'
import { EncryptJWT, SignJWT, jwtDecrypt, jwtVerify } from 'jose'
import { z } from 'zod'
import { UserSchema, type User } from '#core/schemas/api.js'
import { log } from '../log.js'

/** How a session began: a local password, or the city's identity provider (OIDC). */
export const SessionSourceSchema = z.enum(['password', 'oidc'])
export type SessionSource = z.infer<typeof SessionSourceSchema>

/** What renewing a single sign-on session at the identity provider needs. */
export interface IdpGrant {
  /** The provider's refresh token. */
  refreshToken: string
  /** The provider's `sub` for the user: a renewal must answer for the same one. */
  subject: string
}

export interface Session {
  user: User
  source: SessionSource
  /** Epoch ms. */
  expiresAt: number
  /**
   * When the user last proved who they are (password, or sign-in at the provider), epoch ms: a session's age counts
   * from here.
   */
  signedInAt: number
  /** OIDC sessions: the provider's grant, carried encrypted inside the token (the browser holds it, cannot read it). */
  idp?: IdpGrant
}

export interface IssueOptions {
  source?: SessionSource
  /** Epoch ms; a renewal keeps the original sign-in's (default: now). */
  signedInAt?: number
  idp?: IdpGrant
  /** Shorter than the default for OIDC sessions: they last as long as the provider's access token. */
  ttlSeconds?: number
}

export interface TokenService {
  issue(user: User, opts?: IssueOptions): Promise<string>
  /** The user of a valid session (signature and expiry). */
  verify(token: string): Promise<User | undefined>
  session(token: string): Promise<Session | undefined>
  /** A 32-byte key for `purpose` derived from the session secret (HKDF-SHA256): one secret, no key used twice. */
  deriveKey(purpose: string): Uint8Array
  readonly ttlSeconds: number
}

const IdpClaimsSchema = z.object({ rt: z.string().min(1), sub: z.string().min(1) })

/**
 * HS256 session tokens with an expiry; IOC_JWT_SECRET must be shared by every api process of one
 * city. An OIDC session's provider grant is a compact JWE (dir, A256GCM) inside the signed token,
 * under a key derived from the same secret: the session survives restarts and moves between api
 * processes without a server-side store, and script on the page cannot read the refresh token.
 */
export function createTokenService(secret: string | undefined, ttlSeconds = 12 * 3600): TokenService {
  if (!secret)
    log.warn('IOC_JWT_SECRET is not set: sessions are signed with a random key and end when this process stops')
  const material = secret || randomBytes(32).toString('hex')
  const key = new TextEncoder().encode(material)
  const deriveKey = (purpose: string) =>
    new Uint8Array(hkdfSync('sha256', material, 'open-ioc session keys', purpose, 32))
  const idpKey = deriveKey('oidc refresh token')

  async function openIdp(jwe: unknown): Promise<IdpGrant | undefined> {
    if (typeof jwe !== 'string') return undefined
    const { payload } = await jwtDecrypt(jwe, idpKey, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    })
    const claims = IdpClaimsSchema.parse(payload)
    return { refreshToken: claims.rt, subject: claims.sub }
  }

  async function session(token: string): Promise<Session | undefined> {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] })
      const user = UserSchema.safeParse({ name: payload.sub, role: payload.role, region: payload.region })
      const source = SessionSourceSchema.safeParse(payload.src ?? 'password')
      if (!user.success || !source.success || !payload.exp) return undefined
      // Tokens from before auth_time was written count their age from their own issue.
      const signedIn = typeof payload.auth_time === 'number' ? payload.auth_time : (payload.iat ?? 0)
      const idp = await openIdp(payload.idp)
      return {
        user: user.data,
        source: source.data,
        expiresAt: payload.exp * 1000,
        signedInAt: signedIn * 1000,
        ...(idp ? { idp } : {}),
      }
    } catch {
      return undefined
    }
  }
  return {
    ttlSeconds,
    async issue(user, opts = {}) {
      const idp = opts.idp
        ? await new EncryptJWT({ rt: opts.idp.refreshToken, sub: opts.idp.subject })
            .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
            .encrypt(idpKey)
        : undefined
      return new SignJWT({
        role: user.role,
        region: user.region,
        src: opts.source ?? 'password',
        auth_time: Math.floor((opts.signedInAt ?? Date.now()) / 1000),
        ...(idp ? { idp } : {}),
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.name)
        .setIssuedAt()
        .setExpirationTime(`${opts.ttlSeconds ?? ttlSeconds}s`)
        .sign(key)
    },
    async verify(token) {
      return (await session(token))?.user
    },
    session,
    deriveKey,
  }
}

export function bearer(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(.+)$/i)
  return m?.[1]?.trim()
}
