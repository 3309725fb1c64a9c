import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { User } from '#core/schemas/api'
import { api } from '../api'

const TOKEN_KEY = 'ioc.token'
const USER_KEY = 'ioc.user'

function readUser(): User | null {
  try {
    const raw = localStorage.getItem(USER_KEY)
    return raw ? (JSON.parse(raw) as User) : null
  } catch {
    return null
  }
}

/** The JWT's `exp` in ms, when it has one; the signature is the server's business. */
function tokenExpiry(token: string): number | null {
  try {
    const payload = token.split('.')[1]
    if (!payload) return null
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number }
    return typeof json.exp === 'number' ? json.exp * 1000 : null
  } catch {
    return null
  }
}

export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(localStorage.getItem(TOKEN_KEY))
  const user = ref<User | null>(readUser())

  const exp = token.value ? tokenExpiry(token.value) : null
  if (exp !== null && exp < Date.now()) clear()

  const isLoggedIn = computed(() => Boolean(token.value && user.value))

  async function login(username: string, password: string): Promise<User> {
    const res = await api.login(username, password)
    renew(res)
    return res.user
  }

  /** A renewed token (POST /auth/refresh) replaces the old one without a new sign-in. */
  function renew(res: { token: string; user: User }): void {
    token.value = res.token
    user.value = res.user
    localStorage.setItem(TOKEN_KEY, res.token)
    localStorage.setItem(USER_KEY, JSON.stringify(res.user))
  }

  /**
   * A token handed over by single sign-on (the OIDC callback puts it in the URL fragment): traded
   * at once for a fresh one and the user it belongs to, which also proves the server accepts it.
   */
  async function adopt(handed: string): Promise<User> {
    token.value = handed
    try {
      const res = await api.refresh()
      renew(res)
      return res.user
    } catch (e) {
      clear()
      throw e
    }
  }

  /** When the current token expires (ms), if it says. */
  const expiresAt = computed(() => (token.value ? tokenExpiry(token.value) : null))

  function clear(): void {
    token.value = null
    user.value = null
    localStorage.removeItem(TOKEN_KEY)
    localStorage.removeItem(USER_KEY)
  }

  return { token, user, isLoggedIn, expiresAt, login, adopt, renew, clear }
})
