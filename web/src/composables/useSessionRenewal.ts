import { onScopeDispose, watch } from 'vue'
import { api, ApiError } from '../api'
import { useSessionStore } from '../stores/session'

const MIN_LEAD_MS = 5 * 60_000
const RETRY_MS = 60_000

/**
 * A wall stays signed in for weeks: renew the session token (POST /api/v1/auth/refresh) well
 * before it expires. A failed renewal is retried every minute until the token runs out; only then
 * does the next request's 401 send the screen to the login page.
 */
export function useSessionRenewal(): void {
  const session = useSessionStore()
  let timer: ReturnType<typeof setTimeout> | undefined

  function schedule(): void {
    clearTimeout(timer)
    const exp = session.expiresAt
    if (exp === null) return
    const now = Date.now()
    // Renew at 80 % of the remaining lifetime, at least five minutes before the end, but never in
    // the first half: a single sign-on session lasts as long as the provider's access token (down
    // to 5 minutes), and renewing at once would ask the provider in a loop.
    const left = exp - now
    const lead = Math.min(left / 2, Math.max(MIN_LEAD_MS, left * 0.2))
    // setTimeout overflows past 2^31 ms (24.8 days): never wait longer than that.
    timer = setTimeout(renew, Math.min(2 ** 31 - 1, Math.max(0, exp - now - lead)))
  }

  async function renew(): Promise<void> {
    try {
      session.renew(await api.refresh())
    } catch (e) {
      // 401: the token is already refused; the api hooks log out. Anything else: try again soon.
      if (e instanceof ApiError && e.status === 401) return
      clearTimeout(timer)
      if (session.expiresAt !== null && session.expiresAt > Date.now()) timer = setTimeout(renew, RETRY_MS)
    }
  }

  watch(() => session.token, schedule, { immediate: true })
  onScopeDispose(() => clearTimeout(timer))
}
