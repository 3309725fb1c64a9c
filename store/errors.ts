/**
 * Errors of the query layer (store/, api/queries/) in its own terms: the caller asked for something
 * the data cannot answer. They carry no HTTP status; platform/errors.ts maps each kind to the status
 * and body the contract fixes, in one place.
 */
export class DomainError extends Error {
  override name = 'DomainError'
  constructor(
    /** What went wrong, from the caller's side. */
    readonly kind: 'invalid_request',
    message: string,
    /** Which input was wrong, e.g. `{ parameter: 'by' }`. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message)
  }
}

/** A request the query layer cannot answer as asked (an unknown region, a breakdown a metric lacks). */
export const invalidRequest = (message: string, details?: Readonly<Record<string, unknown>>) =>
  new DomainError('invalid_request', message, details)
