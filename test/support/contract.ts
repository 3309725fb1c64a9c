import type { Hono } from 'hono'
import { z } from 'zod'
import { routes, type Route } from '#core/contract/index.js'
import { ErrorBodySchema } from '#core/schemas/api.js'

const declared = Object.values(routes).map((route: Route) => ({
  route,
  method: route.method.toUpperCase(),
  // `{code}` matches one path segment, as the router does.
  pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
}))

/** The declaration a request answers to (exact paths first: /alerts/rules before /alerts/{id}). */
export function declarationOf(method: string, path: string): Route | undefined {
  const found = declared.filter((d) => d.method === method && d.pattern.test(path))
  return (found.find((d) => !d.route.path.includes('{')) ?? found[0])?.route
}

/** The schema a JSON answer must match: its status's declared one; any error status has the error body. */
export function answerSchema(route: Route, status: number): z.ZodType | undefined {
  const answer = route.responses[status] as { content?: Record<string, { schema?: unknown }> } | undefined
  const schema = answer?.content?.['application/json']?.schema
  if (schema instanceof z.ZodType) return schema
  return status >= 400 ? ErrorBodySchema : undefined
}

export class ContractViolation extends Error {}

/**
 * Checks every JSON answer the app gives under /api/ against its declaration in core/contract, so
 * each api integration test also proves the answers it gets are the documented ones. A violation
 * throws out of `app.request`, failing the test that made the request.
 */
export function checkAnswers<A extends Pick<Hono, 'request'>>(app: A, seen?: Map<string, number>): A {
  const request = app.request.bind(app)
  const checked: A['request'] = async (input, init, env, ctx) => {
    const res = await request(input, init, env, ctx)
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost')
    const method = (input instanceof Request ? input.method : (init?.method ?? 'GET')).toUpperCase()
    if (!url.pathname.startsWith('/api/')) return res
    const route = declarationOf(method, url.pathname)
    const what = `${method} ${url.pathname} → ${res.status}`
    // A path no route serves is a 404 with the error body; any other undeclared answer is a violation.
    if (!route && res.status !== 404) throw new ContractViolation(`${what}: no declaration in core/contract`)
    if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) return res
    const schema = route ? answerSchema(route, res.status) : ErrorBodySchema
    if (!schema) throw new ContractViolation(`${what}: status ${res.status} is not declared`)
    const parsed = schema.safeParse(await res.clone().json())
    if (!parsed.success) throw new ContractViolation(`${what}: ${z.prettifyError(parsed.error)}`)
    if (route) seen?.set(`${route.method} ${route.path}`, (seen.get(`${route.method} ${route.path}`) ?? 0) + 1)
    return res
  }
  app.request = checked
  return app
}
