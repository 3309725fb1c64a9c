import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EVENT_STATUS_FILTERS, TERMINAL_STATUS_FILTERS, TICKET_STATUS_FILTERS, routes } from '#core/contract/index.js'
import {
  EVENT_STATUS_FILTER_KEYS,
  TERMINAL_STATUS_FILTER_KEYS,
  TICKET_STATUS_FILTER_KEYS,
} from '#api/queries/records.js'
import { invalidRequest } from '#api/openapi.js'
import { pathOf } from '../../web/src/api/call.js'
import { answerSchema, declarationOf } from '../support/contract.js'

describe('core/contract', () => {
  it('offers the status filters the query layer has SQL for, no more and no fewer', () => {
    expect([...EVENT_STATUS_FILTERS].sort()).toEqual([...EVENT_STATUS_FILTER_KEYS].sort())
    expect([...TICKET_STATUS_FILTERS].sort()).toEqual([...TICKET_STATUS_FILTER_KEYS].sort())
    expect([...TERMINAL_STATUS_FILTERS].sort()).toEqual([...TERMINAL_STATUS_FILTER_KEYS].sort())
  })

  it('declares each method and path once, under /api/v1, with an error body for 400', () => {
    const keys = Object.values(routes).map((r) => `${r.method} ${r.path}`)
    expect(new Set(keys).size).toBe(keys.length)
    for (const r of Object.values(routes)) {
      expect(r.path).toMatch(/^\/api\/v1\//)
      expect(answerSchema(r, 400)?.safeParse({ error: { code: 'bad_request', message: 'x' } }).success).toBe(true)
    }
  })

  it('validates a query as the api did before: parsed times, defaults, a bad value refused', () => {
    const q = routes.timeseries.request.query
    expect(q.parse({ metric: 'events.reported', from: '2026-01-01T00:00:00Z' })).toMatchObject({
      interval: '1h',
      from: Date.parse('2026-01-01T00:00:00Z'),
    })
    expect(q.parse({ metric: 'events.reported', interval: 'hour' }).interval).toBe('1h')
    expect(q.safeParse({ metric: 'events.reported', from: 'yesterday' }).success).toBe(false)
    expect(routes.events.request.query.parse({ limit: '20' }).limit).toBe(20)
    expect(routes.events.request.query.safeParse({ status: 'nonsense' }).success).toBe(false)
  })

  it('finds the declaration of a request, literal paths before parameters', () => {
    expect(declarationOf('GET', '/api/v1/alerts/rules')).toBe(routes.alertRules)
    expect(declarationOf('POST', '/api/v1/alerts/A1/assign')).toBe(routes.assignAlert)
    expect(declarationOf('POST', '/api/v1/studio/layers/run')).toBe(routes.studioRun)
    expect(declarationOf('GET', '/api/v1/regions/3201/children.geojson')).toBe(routes.regionChildren)
    expect(declarationOf('GET', '/api/v1/nowhere')).toBeUndefined()
  })
})

describe('the screen client', () => {
  it('fills and encodes path parameters from the declaration', () => {
    expect(pathOf(routes.event, { id: 'E 1/2' })).toBe('/api/v1/events/E%201%2F2')
    expect(pathOf(routes.studioSave, { kind: 'layers', id: 'heat' })).toBe('/api/v1/studio/layers/heat/save')
    expect(() => pathOf(routes.region)).toThrow(/code/)
  })
})

describe('a request that does not match its declaration', () => {
  const fail = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value)
    if (r.success) throw new Error('expected a failure')
    return r.error
  }
  it('is a 400 naming the parameter or body field', () => {
    const q = invalidRequest('query', fail(routes.events.request.query, { limit: '0' }))
    expect({ status: q.status, code: q.code, details: q.details }).toEqual({
      status: 400,
      code: 'bad_request',
      details: { parameter: 'limit' },
    })
    expect(q.message).toMatch(/^parameter limit: /)
    const b = invalidRequest('json', fail(routes.studioValidate.request.body.content['application/json'].schema, {}))
    expect(b.message).toMatch(/^body text: /)
    expect(b.details).toEqual({ parameter: 'text' })
  })
})
