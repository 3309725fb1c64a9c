import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { log } from './log.js'

/** An error with the status and body the contract fixes: {"error": {code, message, details?}}. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'bad_request', message, details)
export const notFound = (message: string) => new ApiError(404, 'not_found', message)
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message)
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message)

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

/** app.onError handler: known errors keep their status, anything else is a logged 500. */
export function handleError(err: Error, c: Context) {
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers)
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode
    // 400: a body that is not JSON, refused by a declared route's validator before our own checks.
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : status === 400 ? 'bad_request' : 'http_error'
    return c.json(errorBody(code, err.message || 'request refused'), status)
  }
  log.error({ err, path: c.req.path }, 'unhandled error')
  return c.json(errorBody('internal', 'internal error'), 500)
}
