import type { ServerResponse } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { Hono, type Context, type Env, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { STREAM_NAMES, type StreamName } from '#core/schemas/records.js'
import { ApiError, errorBody } from '#platform/errors.js'
import { ingestInFlight } from '#platform/metrics.js'
import { BackpressureError } from '../sink/backpressure.js'
import { SpoolWriteError } from '../sink/spool.js'
import { requireSender, type IngestAuthOptions, type SenderEnv } from './auth.js'
import { headersOf, ingestEvents, toEvents } from './cloudevents.js'
import { DEFAULT_BODY_TIMEOUT_SECONDS } from '#platform/env.js'
import { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_SENDER_SHARE } from './limits.js'
import type { IngestPipeline, Origin } from '../pipeline/index.js'

export interface HttpSourceOptions extends IngestAuthOptions {
  pipeline: IngestPipeline
  maxBodyBytes: number
  /** Requests read or processed at once; more get 429, so senders cannot grow our memory without bound. */
  maxInFlight?: number
  /** Bytes of request bodies held at once (256 MiB by default). */
  maxInFlightBytes?: number
  /** The share of both in-flight budgets one sender may hold (a quarter by default). */
  senderShare?: number
  /** How long a request may take to send its body before it gets 408 (IOC_INGEST_BODY_TIMEOUT_SECONDS). */
  bodyTimeoutMs?: number
}

const NDJSON = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'])

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase()
}

/** A JSON body: one record or an array of them. */
export function parseJsonBody(text: string): unknown[] {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (e) {
    throw new ApiError(400, 'bad_json', `the body is not JSON: ${(e as Error).message}`)
  }
  return Array.isArray(body) ? body : [body]
}

/** Validate, enrich and encode a body of either kind (see pipeline.prepareNdjson for NDJSON). */
export function prepareBody(
  pipeline: IngestPipeline,
  stream: StreamName,
  contentType: string,
  text: string,
  origin: Origin,
) {
  const type = mediaType(contentType)
  if (NDJSON.has(type)) return pipeline.prepareNdjson(stream, text, origin)
  if (type === 'application/json') return pipeline.prepare(stream, parseJsonBody(text), origin)
  throw new ApiError(
    415,
    'unsupported_media_type',
    `send application/json or application/x-ndjson, not ${type || 'no content type'}`,
  )
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The body as text: gunzipped when `Content-Encoding: gzip` (bounded by the same limit, so a small
 * bomb cannot expand into memory), and valid UTF-8 or a 400; a 408 when it has not all arrived
 * within `timeoutMs` (see bodyWithin).
 */
export async function readBody<E extends Env>(c: Context<E>, maxBytes: number, timeoutMs = Infinity): Promise<string> {
  let bytes: Uint8Array = new Uint8Array(await bodyWithin(c, timeoutMs))
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ApiError(413, 'payload_too_large', `the body is over ${maxBytes} bytes once decompressed`)
      throw new ApiError(400, 'bad_encoding', `the body is not valid gzip: ${(e as Error).message}`)
    }
  } else if (encoding !== 'identity') {
    throw new ApiError(415, 'unsupported_encoding', `Content-Encoding ${encoding} is not supported; send gzip or none`)
  }
  try {
    return utf8.decode(bytes)
  } catch {
    throw new ApiError(400, 'bad_encoding', 'the body is not valid UTF-8')
  }
}

/**
 * The request's body, or a 408 once `ms` have passed without all of it. The handler ends with the
 * 408, which frees its in-flight slot at once; the answer says `Connection: close` and the socket
 * is destroyed once it is written, so a sender trickling on purpose holds nothing afterwards.
 */
async function bodyWithin<E extends Env>(c: Context<E>, ms: number): Promise<ArrayBuffer> {
  const body = c.req.arrayBuffer()
  if (!Number.isFinite(ms)) return body
  // Abandoned on timeout: its failure when the socket goes is expected, not an unhandled rejection.
  body.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      closeAfterAnswer(c)
      reject(
        new ApiError(
          408,
          'request_timeout',
          `the body did not arrive within ${ms / 1000} s; send it faster or in smaller batches`,
          undefined,
          { Connection: 'close' },
        ),
      )
    }, ms)
  })
  try {
    return await Promise.race([body, expired])
  } finally {
    clearTimeout(timer)
  }
}

/** On the node server, destroy the request's socket once the answer has been written. */
function closeAfterAnswer<E extends Env>(c: Context<E>): void {
  const env = c.env as { incoming?: { destroy(): void }; outgoing?: ServerResponse } | undefined
  const incoming = env?.incoming
  env?.outgoing?.once('finish', () => incoming?.destroy())
}

export interface InFlightOptions<E extends Env> {
  /** Requests read or processed at once. */
  max: number
  /** Bytes of bodies held at once (a body without Content-Length counts as `bodyLimitBytes`). */
  maxBytes: number
  bodyLimitBytes: number
  /** The share of both budgets one sender may hold (1: no bound per sender). */
  senderShare: number
  /** Who sends the request: requests with the same key share one sender's part. */
  senderOf: (c: Context<E>) => string
}

/**
 * 429 beyond `max` concurrent requests or `maxBytes` of bodies held at once, so senders cannot grow
 * our memory without bound; and beyond one sender's share of either, so one slow or greedy sender
 * cannot take the whole budget from the others. A request alone (for the budget, or for its sender)
 * is always taken, however large its body.
 * @example
 * app.post('/ingest/v1/:stream', inFlightLimit<SenderEnv>({ max: 64, maxBytes: 256 << 20, bodyLimitBytes: 16 << 20,
 * senderShare: 0.25, senderOf: (c) => c.var.sender.key }), handler)
 */
export function inFlightLimit<E extends Env>(opts: InFlightOptions<E>): MiddlewareHandler<E> {
  let n = 0
  let bytes = 0
  const bySender = new Map<string, { n: number; bytes: number }>()
  const senderMax = Math.max(1, Math.floor(opts.max * opts.senderShare))
  const senderMaxBytes = opts.maxBytes * opts.senderShare
  return async function inFlight(c, next) {
    const declared = Number(c.req.header('content-length'))
    const size =
      Number.isFinite(declared) && declared >= 0 ? Math.min(declared, opts.bodyLimitBytes) : opts.bodyLimitBytes
    if (n >= opts.max || (n > 0 && bytes + size > opts.maxBytes)) {
      throw new ApiError(
        429,
        'too_many_requests',
        `too many ingest requests at once (${n}, ${bytes} bytes); retry later`,
        undefined,
        { 'Retry-After': '1' },
      )
    }
    const key = opts.senderOf(c)
    const mine = bySender.get(key) ?? { n: 0, bytes: 0 }
    if (mine.n >= senderMax || (mine.n > 0 && mine.bytes + size > senderMaxBytes)) {
      const message = `this sender already has ${mine.n} ingest requests (${mine.bytes} bytes) in flight, its share of the budget; retry later`
      throw new ApiError(429, 'too_many_requests', message, undefined, { 'Retry-After': '1' })
    }
    n++
    bytes += size
    mine.n++
    mine.bytes += size
    bySender.set(key, mine)
    ingestInFlight.set(n)
    try {
      await next()
    } finally {
      n--
      bytes -= size
      mine.n--
      mine.bytes -= size
      if (mine.n === 0) bySender.delete(key)
      ingestInFlight.set(n)
    }
  }
}

/** A backpressure signal from the pipeline as the contract's 429 with Retry-After. */
export function asHttpError(e: unknown): unknown {
  if (e instanceof BackpressureError)
    return new ApiError(429, 'too_many_requests', e.message, undefined, { 'Retry-After': String(e.retryAfterSeconds) })
  if (e instanceof SpoolWriteError)
    return new ApiError(503, 'unavailable', e.message, undefined, { 'Retry-After': '5' })
  return e
}

/** `POST /ingest/v1/{grid-events|terminal-status|hotline-tickets}` and CloudEvents, as the contract fixes them. */
export function httpIngestRoutes(opts: HttpSourceOptions): Hono {
  const app = new Hono<SenderEnv>()
  app.use('/ingest/v1/*', requireSender(opts))

  const limit = bodyLimit({
    maxSize: opts.maxBodyBytes,
    onError: (c) => c.json(errorBody('payload_too_large', `the body is over ${opts.maxBodyBytes} bytes`), 413),
  })

  // One budget for every ingest route: requests at once, and bytes of bodies held at once; each sender a share of it.
  const inFlight = inFlightLimit<SenderEnv>({
    max: opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    maxBytes: opts.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES,
    bodyLimitBytes: opts.maxBodyBytes,
    senderShare: opts.senderShare ?? DEFAULT_SENDER_SHARE,
    senderOf: (c) => c.var.sender.key,
  })
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_SECONDS * 1000

  // Before /:stream, which would take "cloudevents" for a stream name.
  app.post('/ingest/v1/cloudevents', inFlight, limit, async (c) => {
    const events = toEvents(headersOf(c), await readBody(c, opts.maxBodyBytes, bodyTimeoutMs))
    try {
      return c.json(await ingestEvents(opts.pipeline, events, c.var.sender.region))
    } catch (e) {
      throw asHttpError(e)
    }
  })

  app.post('/ingest/v1/:stream', inFlight, limit, async (c) => {
    const stream = c.req.param('stream') as StreamName
    if (!STREAM_NAMES.includes(stream))
      throw new ApiError(404, 'not_found', `no stream ${stream}; streams: ${STREAM_NAMES.join(', ')}`)
    const contentType = c.req.header('content-type') ?? ''
    const origin = { source: 'http', region: c.var.sender.region }
    // Parsed records live only inside prepare(): nothing but the encoded batch waits on the store.
    const prepared = readBody(c, opts.maxBodyBytes, bodyTimeoutMs).then((text) =>
      prepareBody(opts.pipeline, stream, contentType, text, origin),
    )
    try {
      return c.json(await opts.pipeline.commit(await prepared))
    } catch (e) {
      throw asHttpError(e)
    }
  })

  // The api mounts plain Hono apps; the sender variable stays inside these routes.
  const routes = new Hono()
  routes.route('/', app)
  return routes
}
