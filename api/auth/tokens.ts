import { randomBytes } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'
import { z } from 'zod'
import { UserSchema, type User } from '../../core/schemas/api.js'
import { log } from '../../server/log.js'

/** How a session began: a local password, or the city's identity provider (OIDC). */
export const SessionSourceSchema = z.enum(['password', 'oidc'])
export type SessionSource = z.infer<typeof SessionSourceSchema>

export interface Session {
  user: User
  source: SessionSource
  /** Epoch ms. */
  expiresAt: number
}

export interface TokenService {
  issue(user: User, source?: SessionSource): Promise<string>
  verify(token: string): Promise<User | undefined>
  session(token: string): Promise<Session | undefined>
  readonly ttlSeconds: number
}

/** HS256 session tokens with an expiry; IOC_JWT_SECRET must be shared by every api process of one city. */
export function createTokenService(secret: string | undefined, ttlSeconds = 12 * 3600): TokenService {
  if (!secret) log.warn('IOC_JWT_SECRET is not set: sessions are signed with a random key and end when this process stops')
  const key = new TextEncoder().encode(secret || randomBytes(32).toString('hex'))
  async function session(token: string): Promise<Session | undefined> {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] })
      const user = UserSchema.safeParse({ name: payload.sub, role: payload.role, region: payload.region })
      const source = SessionSourceSchema.safeParse(payload.src ?? 'password')
      if (!user.success || !source.success || !payload.exp) return undefined
      return { user: user.data, source: source.data, expiresAt: payload.exp * 1000 }
    } catch {
      return undefined
    }
  }
  return {
    ttlSeconds,
    async issue(user, source = 'password') {
      return new SignJWT({ role: user.role, region: user.region, src: source })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.name)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key)
    },
    async verify(token) {
      return (await session(token))?.user
    },
    session,
  }
}

export function bearer(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(.+)$/i)
  return m?.[1]?.trim()
}
