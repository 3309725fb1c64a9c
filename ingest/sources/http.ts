import { gunzipSync } from 'node:zlib'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { STREAM_NAMES, type StreamName } from '../../core/schemas/records.js'
import { ApiError, errorBody } from '../../server/errors.js'
import { ingestInFlight } from '../../server/metrics.js'
import type { TokenService } from '../../api/auth/tokens.js'
import { bearer } from '../../api/auth/tokens.js'
import { BackpressureError } from '../sink/backpressure.js'
import { SpoolWriteError } from '../sink/spool.js'
import { headersOf, ingestEvents, toEvents } from './cloudevents.js'
import type { IngestPipeline } from '../pipeline/index.js'

export interface HttpSourceOptions {
  pipeline: IngestPipeline
  /** Static ingest tokens (IOC_INGEST_TOKENS; the demo token under IOC_DEMO=1). */
  ingestTokens: ReadonlySet<string>
  /** Session tokens of users: admin and ingest roles may send too. */
  tokens: TokenService
  maxBodyBytes: number
  /** Requests read or processed at once; more get 429, so senders cannot grow our memory without bound. */
  maxInFlight?: number
  /** Bytes of request bodies held at once (256 MiB by default). */
  maxInFlightBytes?: number
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
export function prepareBody(pipeline: IngestPipeline, stream: StreamName, contentType: string, text: string, source: string) {
  const type = mediaType(contentType)
  if (NDJSON.has(type)) return pipeline.prepareNdjson(stream, text, source)
  if (type === 'application/json') return pipeline.prepare(stream, parseJsonBody(text), source)
  throw new ApiError(415, 'unsupported_media_type', `send application/json or application/x-ndjson, not ${type || 'no content type'}`)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The body as text: gunzipped when `Content-Encoding: gzip` (bounded by the same limit, so a small
 * bomb cannot expand into memory), and valid UTF-8 or a 400.
 */
export async function readBody(c: Context, maxBytes: number): Promise<string> {
  let bytes: Uint8Array = new Uint8Array(await c.req.arrayBuffer())
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding === 'gzip' || encoding === 'x-gzip') {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ApiError(413, 'payload_too_large', `the body is over ${maxBytes} bytes once decompressed`)
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
 * 429 beyond `max` concurrent requests or `maxBytes` of bodies being held at once (a body without
 * Content-Length counts as the body limit), so senders cannot grow our memory without bound.
 */
export function inFlightLimit(max: number, maxBytes: number, bodyLimitBytes: number) {
  let n = 0
  let bytes = 0
  return async (c: Context, next: () => Promise<void>) => {
    const declared = Number(c.req.header('content-length'))
    const size = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, bodyLimitBytes) : bodyLimitBytes
    if (n >= max || (n > 0 && bytes + size > maxBytes)) {
      throw new ApiError(429, 'too_many_requests', `too many ingest requests at once (${n}, ${bytes} bytes); retry later`, undefined, { 'Retry-After': '1' })
    }
    n++
    bytes += size
    ingestInFlight.set(n)
    try {
      await next()
    } finally {
      n--
      bytes -= size
      ingestInFlight.set(n)
    }
  }
}

/** A backpressure signal from the pipeline as the contract's 429 with Retry-After. */
export function asHttpError(e: unknown): unknown {
  if (e instanceof BackpressureError) return new ApiError(429, 'too_many_requests', e.message, undefined, { 'Retry-After': String(e.retryAfterSeconds) })
  if (e instanceof SpoolWriteError) return new ApiError(503, 'unavailable', e.message, undefined, { 'Retry-After': '5' })
  return e
}

/** `POST /ingest/v1/{grid-events|terminal-status|hotline-tickets}` as the contract fixes them. */
export function httpIngestRoutes(opts: HttpSourceOptions): Hono {
  const app = new Hono()

  app.use('/ingest/v1/*', async (c, next) => {
    const token = bearer(c.req.header('authorization'))
    if (!token) throw new ApiError(401, 'unauthorized', 'an ingest token is required (Authorization: Bearer …)')
    if (opts.ingestTokens.has(token)) return next()
    const user = await opts.tokens.verify(token)
    if (!user) throw new ApiError(401, 'unauthorized', 'the ingest token is not valid')
    if (user.role !== 'ingest' && user.role !== 'admin') throw new ApiError(403, 'forbidden', `role ${user.role} may not send data`)
    return next()
  })

  const limit = bodyLimit({
    maxSize: opts.maxBodyBytes,
    onError: (c) => c.json(errorBody('payload_too_large', `the body is over ${opts.maxBodyBytes} bytes`), 413),
  })

  // One budget for every ingest route: requests at once, and bytes of bodies held at once.
  const inFlight = inFlightLimit(opts.maxInFlight ?? 64, opts.maxInFlightBytes ?? 256 << 20, opts.maxBodyBytes)

  // Before /:stream, which would take "cloudevents" for a stream name.
  app.post('/ingest/v1/cloudevents', inFlight, limit, async (c: Context) => {
    const events = toEvents(headersOf(c), await readBody(c, opts.maxBodyBytes))
    try {
      return c.json(await ingestEvents(opts.pipeline, events))
    } catch (e) {
      throw asHttpError(e)
    }
  })

  app.post(
    '/ingest/v1/:stream',
    inFlight,
    limit,
    async (c: Context) => {
      const stream = c.req.param('stream') as StreamName
      if (!STREAM_NAMES.includes(stream)) throw new ApiError(404, 'not_found', `no stream ${stream}; streams: ${STREAM_NAMES.join(', ')}`)
      const contentType = c.req.header('content-type') ?? ''
      // Parsed records live only inside prepare(): nothing but the encoded batch waits on the store.
      const prepared = readBody(c, opts.maxBodyBytes).then((text) => prepareBody(opts.pipeline, stream, contentType, text, 'http'))
      try {
        return c.json(await opts.pipeline.commit(await prepared))
      } catch (e) {
        throw asHttpError(e)
      }
    },
  )
  return app
}
