import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { STREAM_NAMES, type StreamName } from '../../core/schemas/records.js'
import { ApiError, errorBody } from '../../server/errors.js'
import type { TokenService } from '../../api/auth/tokens.js'
import { bearer } from '../../api/auth/tokens.js'
import { BackpressureError } from '../sink/batcher.js'
import type { IngestPipeline } from '../pipeline/index.js'

export interface HttpSourceOptions {
  pipeline: IngestPipeline
  /** Static ingest tokens (IOC_INGEST_TOKENS; the demo token under IOC_DEMO=1). */
  ingestTokens: ReadonlySet<string>
  /** Session tokens of users: admin and ingest roles may send too. */
  tokens: TokenService
  maxBodyBytes: number
}

interface Parsed {
  items: unknown[]
  /** Lines of an NDJSON body that were not JSON, by index: rejected, the rest still stored. */
  unreadable: Map<number, string>
}

export function parseBody(contentType: string, text: string): Parsed {
  const type = contentType.split(';')[0].trim().toLowerCase()
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') {
    const items: unknown[] = []
    const unreadable = new Map<number, string>()
    let index = 0
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      try {
        items.push(JSON.parse(line))
      } catch (e) {
        unreadable.set(index, `not JSON: ${(e as Error).message}`)
        items.push(line)
      }
      index++
    }
    return { items, unreadable }
  }
  if (type === 'application/json') {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (e) {
      throw new ApiError(400, 'bad_json', `the body is not JSON: ${(e as Error).message}`)
    }
    return { items: Array.isArray(body) ? body : [body], unreadable: new Map() }
  }
  throw new ApiError(415, 'unsupported_media_type', `send application/json or application/x-ndjson, not ${type || 'no content type'}`)
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

  app.post(
    '/ingest/v1/:stream',
    bodyLimit({
      maxSize: opts.maxBodyBytes,
      onError: (c) => c.json(errorBody('payload_too_large', `the body is over ${opts.maxBodyBytes} bytes`), 413),
    }),
    async (c: Context) => {
      const stream = c.req.param('stream') as StreamName
      if (!STREAM_NAMES.includes(stream)) throw new ApiError(404, 'not_found', `no stream ${stream}; streams: ${STREAM_NAMES.join(', ')}`)
      const { items, unreadable } = parseBody(c.req.header('content-type') ?? '', await c.req.text())
      try {
        const result = await opts.pipeline.ingest(stream, items, 'http', unreadable)
        return c.json(result)
      } catch (e) {
        if (e instanceof BackpressureError) {
          throw new ApiError(429, 'too_many_requests', e.message, undefined, { 'Retry-After': String(e.retryAfterSeconds) })
        }
        throw e
      }
    },
  )
  return app
}
