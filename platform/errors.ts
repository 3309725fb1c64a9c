import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError } from '#store/errors.js'
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

/** The status and code of each kind of domain error (store/errors.ts): the one place they meet HTTP. */
const DOMAIN_STATUS: Record<DomainError['kind'], { status: ContentfulStatusCode; code: string }> = {
  invalid_request: { status: 400, code: 'bad_request' },
}

/** A domain error as the contract's error: its status and body. */
export function fromDomain(err: DomainError): ApiError {
  const { status, code } = DOMAIN_STATUS[err.kind]
  return new ApiError(status, code, err.message, err.details)
}

/** app.onError handler: known errors keep their status, anything else is a logged 500. */
export function handleError(err: Error, c: Context) {
  if (err instanceof DomainError) err = fromDomain(err)
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers)
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode
    // 400: a body that is not JSON, refused by a declared route's validator before our own checks.
    const code =
      status === 413
        ? 'payload_too_large'
        : status === 401
          ? 'unauthorized'
          : status === 400
            ? 'bad_request'
            : 'http_error'
    return c.json(errorBody(code, err.message || 'request refused'), status)
  }
  log.error({ err, path: c.req.path }, 'unhandled error')
  return c.json(errorBody('internal', 'internal error'), 500)
}
