import type { Context } from 'hono'
import { CloudEvent, HTTP } from 'cloudevents'
import type { StreamName } from '#core/schemas/records.js'
import { ApiError } from '#platform/errors.js'
import type { IngestPipeline, IngestResult } from '../pipeline/index.js'
import type { RecordError } from '../pipeline/validate.js'

/** The contract's CloudEvents types and the stream each feeds. */
export const CLOUDEVENT_TYPES: Record<string, StreamName> = {
  'ioc.grid.event': 'grid-events',
  'ioc.terminal.status': 'terminal-status',
  'ioc.hotline.ticket': 'hotline-tickets',
}

/**
 * The events of a CloudEvents 1.0 HTTP request, in structured, binary or batch mode, parsed by the
 * official SDK (`HTTP.toEvent`). Every event is validated strictly (the SDK parses structured
 * events leniently); an envelope that is not a CloudEvent is a 400 for the request.
 */
export function toEvents(headers: Record<string, string>, body: string): CloudEvent<unknown>[] {
  try {
    const parsed = HTTP.toEvent({ headers, body })
    // The SDK returns CloudEvent instances typed as the V1 interface; a constructed one validates itself.
    return (Array.isArray(parsed) ? parsed : [parsed]).map((e) => {
      if (!(e instanceof CloudEvent)) return new CloudEvent<unknown>(e)
      e.validate()
      return e as CloudEvent<unknown>
    })
  } catch (e) {
    const err = e as Error & { errors?: unknown }
    const details = Array.isArray(err.errors) ? err.errors : undefined
    throw new ApiError(400, 'bad_cloudevent', `not a valid CloudEvents 1.0 request: ${err.message}`, details)
  }
}

/**
 * Each event's `data` is one record of the stream its `type` names. A batch may mix types; the
 * answer's indexes are positions in the request, and an unknown type rejects that event only.
 * `region`: an ingest user's, whose records must lie in it.
 */
export async function ingestEvents(
  pipeline: IngestPipeline,
  events: CloudEvent<unknown>[],
  region?: string,
): Promise<IngestResult> {
  const byStream = new Map<StreamName, { items: unknown[]; positions: number[] }>()
  const unknown: (RecordError & { raw: unknown })[] = []
  events.forEach((e, position) => {
    const stream = CLOUDEVENT_TYPES[e.type]
    if (!stream) {
      const message = `unknown type ${e.type}; types: ${Object.keys(CLOUDEVENT_TYPES).join(', ')}`
      unknown.push({ index: position, path: 'type', message, raw: e.toJSON() })
      return
    }
    const group = byStream.get(stream) ?? { items: [], positions: [] }
    group.items.push(e.data)
    group.positions.push(position)
    byStream.set(stream, group)
  })
  // Prepare every stream first (a 429 refuses the whole request before anything is spooled).
  const prepared = [...byStream].map(([stream, g]) => ({
    g,
    p: pipeline.prepare(stream, g.items, { source: 'cloudevents', region }),
  }))
  const errors: RecordError[] = unknown.map(({ raw: _raw, ...e }) => e)
  if (unknown.length) await pipeline.rejectOnly('cloudevents', 'cloudevents', unknown)
  let accepted = 0
  for (const { g, p } of prepared) {
    const r = await pipeline.commit(p)
    accepted += r.accepted
    for (const err of r.errors)
      errors.push({ ...err, index: g.positions[err.index], path: err.path ? `data.${err.path}` : 'data' })
  }
  errors.sort((a, b) => a.index - b.index)
  return { accepted, rejected: errors.length, errors }
}

/** Request headers as the SDK wants them: a plain object. */
export function headersOf(c: Context): Record<string, string> {
  const out: Record<string, string> = {}
  c.req.raw.headers.forEach((v, k) => (out[k] = v))
  return out
}
