import type { RouteConfig } from '@hono/zod-openapi'
import { z } from 'zod'
import { ErrorBodySchema } from '../schemas/api.js'

// Plain zod and a type-only import keep this folder browser-safe: the screen imports these very
// declarations to build its calls, the api registers them with @hono/zod-openapi.

export const V1 = '/api/v1'

/** One route of the contract: method, path (`{name}` for a path parameter), request and answers. */
export type Route = RouteConfig
/** Keeps the literal type of a declaration (its path, schemas and statuses) while checking its shape. */
export const declare = <const R extends Route>(route: R): R => route

/** A JSON answer with its schema. */
export const json = <S extends z.ZodType>(schema: S, description = 'ok') => ({
  description,
  content: { 'application/json': { schema } },
})

const error = json(ErrorBodySchema, 'error: {"error": {code, message, details?}}')
/** The error answers of a route anyone may call (no Bearer token, so no 401/403 from the token check). */
export const openErrors = { 400: error, 404: error, 429: error }
/** The error answers every signed-in route may give. */
export const errors = { ...openErrors, 401: error, 403: error }
/** The error body with another description (409, 422, 500 …). */
export const errorAnswer = (description: string) => json(ErrorBodySchema, description)
/** A route anyone may call: no Bearer token (the document's default security is the token). */
export const OPEN: { security: [] } = { security: [] }

/** A JSON request body, required. */
export const body = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
})

const Iso = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 time')
  .transform((s) => Date.parse(s))
  .meta({ description: 'ISO 8601 time', format: 'date-time' })
/** An ISO 8601 time in a query string, parsed to epoch ms. */
export const TimeParam = Iso
/** from/to: the default is today in the city's time zone. */
export const RangeQuery = z.object({ from: TimeParam.optional(), to: TimeParam.optional() })
/** The region asked about; absent is the caller's own (the server checks it against the token). */
export const RegionParam = z.string().optional().meta({ description: "region code (default: the caller's region)" })
