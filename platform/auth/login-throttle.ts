import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'
import { RateLimiterMemory } from 'rate-limiter-flexible'

/** How many failed sign-ins each counter allows before it refuses clients that are not trusted. */
export interface LoginLimits {
  /** Failures per account (name, known or not) per 5 minutes (IOC_LOGIN_LIMIT). */
  perAccount: number
  /** Failures per client address per 5 minutes, whatever the names. */
  perAddress: number
  /** Distinct names one password may fail against per hour (password spraying). */
  sprayNames: number
}

/** One sign-in attempt as the throttle sees it. */
export interface Attempt {
  ip: string
  name: string
  password: string
  /** The `ioc_device` cookie the browser sent, if any. */
  device?: string
}

/** Whether an attempt may go on to the password check, and on what terms. */
export type Admission =
  { ok: true; trustedDevice?: string } | { ok: false; retryAfterMs: number; reason: 'account' | 'address' | 'password' }

const WINDOW_S = 5 * 60
const SPRAY_WINDOW_S = 60 * 60
export const DEVICE_COOKIE = 'ioc_device'
export const DEVICE_COOKIE_DAYS = 180

/**
 * Sign-in throttling that an attacker cannot turn against a user (OWASP "device cookies"):
 * - a browser that signed in to an account gets a signed device cookie for it; failures from
 *   clients without one count per account and per address, and once a limit is reached such
 *   clients are refused for the rest of the window (even with the right password: that is what
 *   slows guessing), while the account's own user on their trusted browser still signs in;
 * - a trusted cookie has its own failure count: a stolen one buys no more guesses than a stranger;
 * - one password failing against many names (spraying) is refused to untrusted clients from any
 *   address. It is counted by an HMAC under a random key that lives only in this process's memory,
 *   so no password, not even a hash one could test offline, is kept.
 * Counters are rate-limiter-flexible's in-memory fixed windows (per process, see docs/security.md).
 */
export class LoginThrottle {
  private readonly account: RateLimiterMemory
  private readonly address: RateLimiterMemory
  private readonly device: RateLimiterMemory
  private readonly spray: RateLimiterMemory
  /** (password, name) pairs already counted in the spray window: a name counts once per password. */
  private readonly sprayPairs = new RateLimiterMemory({ points: 1, duration: SPRAY_WINDOW_S })
  private readonly pepper = randomBytes(32)

  constructor(
    private readonly limits: LoginLimits,
    private readonly deviceKey: Uint8Array,
  ) {
    this.account = new RateLimiterMemory({ points: limits.perAccount, duration: WINDOW_S })
    this.address = new RateLimiterMemory({ points: limits.perAddress, duration: WINDOW_S })
    this.device = new RateLimiterMemory({ points: limits.perAccount, duration: WINDOW_S })
    this.spray = new RateLimiterMemory({ points: limits.sprayNames, duration: SPRAY_WINDOW_S })
  }

  /** Checked before the password: the same work whether the name exists or not. */
  async admit(a: Attempt): Promise<Admission> {
    const trustedDevice = await this.trustedDevice(a)
    if (trustedDevice) return { ok: true, trustedDevice }
    const checks = [
      { reason: 'account', res: await this.account.get(a.name), limit: this.limits.perAccount },
      { reason: 'address', res: await this.address.get(a.ip), limit: this.limits.perAddress },
      { reason: 'password', res: await this.spray.get(this.passwordKey(a.password)), limit: this.limits.sprayNames },
    ] as const
    for (const { reason, res, limit } of checks) {
      if (res && res.consumedPoints >= limit) return { ok: false, retryAfterMs: res.msBeforeNext, reason }
    }
    return { ok: true }
  }

  /** Count a wrong password (or unknown name) against what the attempt came with. */
  async failed(a: Attempt, admission: Admission): Promise<void> {
    if (admission.ok && admission.trustedDevice) {
      await this.device.penalty(admission.trustedDevice)
      return
    }
    await this.account.penalty(a.name)
    await this.address.penalty(a.ip)
    const pw = this.passwordKey(a.password)
    const pair = `${pw}\u0000${a.name}`
    if (!(await this.sprayPairs.get(pair))) {
      await this.sprayPairs.penalty(pair)
      await this.spray.penalty(pw)
    }
  }

  /** The device cookie's value after a successful sign-in: this browser is trusted for `name`. */
  deviceToken(name: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(name)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${DEVICE_COOKIE_DAYS}d`)
      .sign(this.deviceKey)
  }

  /** The device id when the cookie is ours, for this name, and has not used up its own failures. */
  private async trustedDevice(a: Attempt): Promise<string | undefined> {
    if (!a.device) return undefined
    try {
      const { payload } = await jwtVerify(a.device, this.deviceKey, { algorithms: ['HS256'], subject: a.name })
      if (!payload.jti) return undefined
      const used = await this.device.get(payload.jti)
      return used && used.consumedPoints >= this.limits.perAccount ? undefined : payload.jti
    } catch {
      return undefined
    }
  }

  private passwordKey(password: string): string {
    return createHmac('sha256', this.pepper).update(password).digest('base64url')
  }
}
