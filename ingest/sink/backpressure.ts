/** The spool is past its bound: the sender should retry after this many seconds (429 Retry-After). */
export class BackpressureError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('ingest is behind; retry later')
  }
}
