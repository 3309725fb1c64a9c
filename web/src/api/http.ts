import { t } from '../i18n'

/** The API's error body is `{"error":{code,message,details?}}`; network failures get code `network`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export type Query = Record<string, string | number | undefined | null>

interface ApiHooks {
  getToken: () => string | null
  onUnauthorized: () => void
  /**
   * Trade the current token for a fresh one (POST /auth/refresh): the new token, or null when the
   * server refused (the session is over); throws when the server could not be asked.
   */
  renew?: () => Promise<string | null>
}

let hooks: ApiHooks = { getToken: () => null, onUnauthorized: () => {} }
let renewing: Promise<string | null> | undefined

/**
 * Renew the session once, however many requests and sockets were told at the same moment that the
 * account changed (an admin changed its role or region: the old token is refused, a renewal gets
 * the new one).
 */
export function renewSession(): Promise<string | null> {
  renewing ??= (hooks.renew?.() ?? Promise.resolve(null)).finally(() => {
    renewing = undefined
  })
  return renewing
}

/** Wired once in main.ts so this module does not import the stores (no cycles). */
export function configureApi(h: ApiHooks): void {
  hooks = h
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

interface RequestOptions {
  method?: 'GET' | 'POST'
  query?: Query
  body?: unknown
  signal?: AbortSignal
  auth?: boolean
  /** On a 401 `account_changed`, renew the session and retry once (not for the renewal itself). */
  renew?: boolean
}

// Several panels ask for the same URL at the same moment (e.g. the ranking and the map both want
// the child breakdown); share one in-flight GET between them.
const inflight = new Map<string, Promise<unknown>>()

export function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET'
  const url = buildUrl(path, opts.query)
  const token = opts.auth === false ? null : hooks.getToken()
  if (method !== 'GET' || opts.signal) return send<T>(url, method, token, opts)
  const key = `${token ?? ''} ${url}`
  const existing = inflight.get(key)
  if (existing) return existing as Promise<T>
  const p = send<T>(url, method, token, opts).finally(() => inflight.delete(key))
  inflight.set(key, p)
  return p
}

async function send<T>(url: string, method: string, token: string | null, opts: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    throw new ApiError(0, 'network', t('error.network'))
  }
  const text = await res.text()
  let json: unknown = undefined
  if (text) {
    try {
      json = JSON.parse(text)
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', t('error.badResponse'))
    }
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error
    const failure = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText ?? t('error.failed'),
      err?.details,
    )
    if (res.status === 401 && token && err?.code === 'account_changed' && opts.renew !== false) {
      // The user still exists with another role or region: a renewed token carries them; retry once with it.
      // A server that cannot be asked now leaves the session alone (a later request tries again).
      const fresh = await renewSession().catch(() => {
        throw failure
      })
      if (fresh) return send<T>(url, method, fresh, { ...opts, renew: false })
    }
    if (res.status === 401 && token) hooks.onUnauthorized()
    throw failure
  }
  return json as T
}
