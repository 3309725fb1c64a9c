/**
 * A runner sink that POSTs NDJSON batches to the ingest endpoint, as any external feeder would:
 * `${url}/ingest/v1/<stream>` with a Bearer token. Retries 429 and 5xx (and network errors) with
 * exponential backoff, honouring Retry-After; halves a batch the server says is too large (413).
 */
import type { StreamName } from '#core/schemas/records.js'
import type { Sink } from './runner.js'

export interface HttpSinkOptions {
  /** Base URL, e.g. http://localhost:8080 */
  url: string
  token: string
  /** Records per request. */
  maxBatch?: number
  /** Attempts per request before the batch counts as failed. */
  maxAttempts?: number
  /** Stops retry waits and requests in flight (on shutdown). */
  signal?: AbortSignal
  fetch?: typeof fetch
}

export interface HttpSinkCounters {
  requests: number
  posted: number
  accepted: number
  rejected: number
  retries: number
  /** Messages of the most recent record rejections (kept short). */
  lastRejections: string[]
}

/** 401/403: no point in retrying or carrying on. */
export class SinkAuthError extends Error {}

interface IngestAnswer {
  accepted?: number
  rejected?: number
  errors?: { index?: number; path?: string; message?: string }[]
}

export function createHttpSink(opts: HttpSinkOptions): { sink: Sink; counters: HttpSinkCounters } {
  const base = opts.url.replace(/\/+$/, '')
  const maxBatch = opts.maxBatch ?? 2000
  const maxAttempts = opts.maxAttempts ?? 10
  const doFetch = opts.fetch ?? fetch
  const counters: HttpSinkCounters = {
    requests: 0,
    posted: 0,
    accepted: 0,
    rejected: 0,
    retries: 0,
    lastRejections: [],
  }

  const post = async (stream: StreamName, records: object[]): Promise<void> => {
    const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    for (let attempt = 1; ; attempt++) {
      let wait: number
      try {
        counters.requests++
        const res = await doFetch(`${base}/ingest/v1/${stream}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/x-ndjson' },
          body,
          signal: opts.signal,
        })
        if (res.ok) {
          const answer = (await res.json().catch(() => ({}))) as IngestAnswer
          counters.posted += records.length
          counters.accepted += answer.accepted ?? 0
          counters.rejected += answer.rejected ?? 0
          for (const e of answer.errors?.slice(0, 3) ?? []) {
            counters.lastRejections.push(`${stream}[${e.index ?? '?'}] ${e.path ?? ''}: ${e.message ?? ''}`)
          }
          counters.lastRejections.splice(0, Math.max(0, counters.lastRejections.length - 5))
          return
        }
        const text = await res.text().catch(() => '')
        if (res.status === 401 || res.status === 403)
          throw new SinkAuthError(`ingest refused the token (${res.status}): ${text.slice(0, 200)}`)
        if (res.status === 413 && records.length > 1) {
          const half = Math.ceil(records.length / 2)
          await post(stream, records.slice(0, half))
          await post(stream, records.slice(half))
          return
        }
        if (res.status !== 429 && res.status < 500)
          throw new Error(`ingest answered ${res.status}: ${text.slice(0, 200)}`)
        if (attempt >= maxAttempts) throw new Error(`ingest still answering ${res.status} after ${attempt} attempts`)
        wait = retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(attempt)
      } catch (err) {
        if (err instanceof SinkAuthError || opts.signal?.aborted) throw err
        // fetch throws TypeError on network failures (refused, reset): worth retrying.
        if (!(err instanceof TypeError) || attempt >= maxAttempts) throw err
        wait = backoffMs(attempt)
      }
      counters.retries++
      await delay(wait, opts.signal)
    }
  }

  const sink: Sink = async (stream, records) => {
    for (let i = 0; i < records.length; i += maxBatch) await post(stream, records.slice(i, i + maxBatch))
  }
  return { sink, counters }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const s = header.trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Math.min(Number(s) * 1000, 5 * 60_000)
  const at = Date.parse(s)
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), 5 * 60_000)
}

/** 0.5 s, 1 s, 2 s … capped at 30 s, with ±20 % jitter so that many feeders do not retry in step. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.8 + 0.4 * Math.random())
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
