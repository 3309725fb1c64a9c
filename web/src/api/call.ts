import type { z } from 'zod'
import type { Route } from '#core/contract/index'
import { request, type Query } from './http'

// The screen's calls are built on the route declarations of core/contract: the path, its parameters
// and the answer's type come from there (hono/client's hc<AppType> would need a type from api/,
// which web/ may not import).

type Schema<T> = T extends z.ZodType ? T : never
type RequestOf<R extends Route> = NonNullable<R['request']>
type ParamsOf<R extends Route> =
  RequestOf<R> extends { params: infer P } ? { params: z.input<Schema<P>> } : { params?: never }
type QueryOf<R extends Route> =
  RequestOf<R> extends { query: infer Q } ? { query?: z.input<Schema<Q>> } : { query?: never }
type BodyOf<R extends Route> =
  RequestOf<R> extends { body: { content: { 'application/json': { schema: infer B } } } }
    ? { body: z.input<Schema<B>> }
    : { body?: never }

/** What a call of route R takes: its path parameters, query and JSON body as declared. */
export type Input<R extends Route> = ParamsOf<R> &
  QueryOf<R> &
  BodyOf<R> & { auth?: boolean; renew?: boolean; signal?: AbortSignal }
/** The JSON answer of route R when it succeeds (its declared 200). */
export type Answer<R extends Route> = R['responses'] extends {
  200: { content: { 'application/json': { schema: infer S } } }
}
  ? z.output<Schema<S>>
  : never

/** The URL path of a declared route with its `{name}` parameters filled in. */
export function pathOf(route: Route, params: Record<string, string | number> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`${route.path}: no value for {${name}}`)
    return encodeURIComponent(String(value))
  })
}

/** Call a declared route: GET and POST as declared, the answer typed from its schema. */
export function call<R extends Route>(route: R, input: Input<R>): Promise<Answer<R>> {
  const { params, query, body, ...opts } = input as Input<R> & {
    params?: Record<string, string | number>
    query?: Query
    body?: unknown
  }
  const method = route.method === 'post' ? 'POST' : 'GET'
  return request<Answer<R>>(pathOf(route, params), { ...opts, method, query, body })
}
