import { OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { ErrorBodySchema } from '#core/schemas/api.js'
import { ApiError, badRequest } from '#platform/errors.js'
import type { Env } from './context.js'

type Target = 'query' | 'param' | 'json' | 'form' | 'header' | 'cookie'

/**
 * A request that does not match its declaration (core/contract) is a 400 naming the first bad
 * part, as the hand-written checks answered before: `parameter region: …` for the query and the
 * path, `body text: …` for a JSON body; details `{parameter}`.
 */
export function invalidRequest(target: string, error: z.ZodError): ApiError {
  const issue = error.issues[0]
  const name = issue.path.join('.')
  if (target === 'json' || target === 'form') {
    return badRequest(name ? `body ${name}: ${issue.message}` : `body: ${issue.message}`, { parameter: name })
  }
  const parameter = name || (target as Target)
  return badRequest(`parameter ${parameter}: ${issue.message}`, { parameter })
}

/** What a validation hook is told (whatever the route's input type). */
export type Validated = { target: string } & ({ success: true } | { success: false; error: z.ZodError })

/** The hook of every declared route: failures go through app.onError like any other refusal. */
export function contractHook(result: Validated): undefined {
  if (!result.success) throw invalidRequest(result.target, result.error)
  return undefined
}

/** A router whose routes are declared in core/contract, validated and typed from the declaration. */
export const contractApp = () => new OpenAPIHono<Env>({ defaultHook: contractHook })

const INFO = {
  title: 'Open IOC API',
  version: '1',
  description:
    'City operations centre: aggregates at every level, records, live socket. ' +
    'Errors are {"error": {code, message, details?}}.',
}

/**
 * The OpenAPI 3 document: every declared route (core/contract, registered by the app), then the
 * app's other routes (ingest's, Open311's) by path so the document covers the whole app.
 */
export function openApiDocument(app: OpenAPIHono<Env>): Record<string, unknown> {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  })
  const doc = app.getOpenAPIDocument({ openapi: '3.0.3', info: INFO, security: [{ bearer: [] }] })
  const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>
  const schema = z.toJSONSchema(ErrorBodySchema, { io: 'output', target: 'openapi-3.0' })
  const errors = { description: 'error', content: { 'application/json': { schema } } }
  for (const r of app.routes) {
    if (!r.path.startsWith('/api/') && !r.path.startsWith('/ingest/') && !r.path.startsWith('/open311/')) continue
    if (r.method === 'ALL' || r.path.endsWith('*')) continue
    const path = r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')
    const method = r.method.toLowerCase()
    if (paths[path]?.[method]) continue
    paths[path] ??= {}
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    paths[path][method] = {
      summary: `${r.method} ${path}`,
      tags: [path.split('/')[1]],
      ...(params.length ? { parameters: params } : {}),
      responses: { '200': { description: 'ok' }, default: errors },
    }
  }
  return { ...doc, paths }
}
