/** Defaults of the ingest routes' limits, declared once for the routes and for platform/env.ts. */
/** Ingest requests read or processed at once, across every sender. */
export const DEFAULT_MAX_IN_FLIGHT = 64
/** Bytes of ingest bodies held at once, across every sender. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 256 << 20
/** The share of both budgets one sender (a credential from one address) may hold: 16 requests, 64 MiB. */
export const DEFAULT_SENDER_SHARE = 0.25
