import { randomBytes } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'
import { UserSchema, type User } from '../../core/schemas/api.js'
import { log } from '../../server/log.js'

export interface TokenService {
  issue(user: User): Promise<string>
  verify(token: string): Promise<User | undefined>
}

/** HS256 session tokens; IOC_JWT_SECRET must be shared by every api process of one city. */
export function createTokenService(secret: string | undefined, ttlSeconds = 12 * 3600): TokenService {
  if (!secret) log.warn('IOC_JWT_SECRET is not set: sessions are signed with a random key and end when this process stops')
  const key = new TextEncoder().encode(secret || randomBytes(32).toString('hex'))
  return {
    async issue(user) {
      return new SignJWT({ role: user.role, region: user.region })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.name)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key)
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] })
        const user = UserSchema.safeParse({ name: payload.sub, role: payload.role, region: payload.region })
        return user.success ? user.data : undefined
      } catch {
        return undefined
      }
    },
  }
}

export function bearer(header: string | undefined): string | undefined {
  const m = header?.match(/^Bearer\s+(.+)$/i)
  return m?.[1]?.trim()
}
