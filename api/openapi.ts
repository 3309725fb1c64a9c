import { z } from 'zod'
import {
  BreakdownBySchema,
  BreakdownSchema,
  CatalogNamesSchema,
  CompareSchema,
  ErrorBodySchema,
  EventSummarySchema,
  IntervalSchema,
  LoginInfoSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MetricSchema,
  OverviewSchema,
  PageSchema,
  RegionInfoSchema,
  TerminalSummarySchema,
  TicketSummarySchema,
  TimelineStepSchema,
  TimeseriesSchema,
} from '#core/schemas/api.js'
import { MetricListSchema } from '#core/schemas/metrics.js'

/** One documented operation: its parameters and answer are the zod schemas the code uses. */
interface Operation {
  method: 'get' | 'post'
  path: string
  summary: string
  query?: z.ZodObject
  body?: z.ZodType
  response?: z.ZodType
  /** Public: no Bearer token needed. */
  open?: boolean
}

const Iso = z.string().describe('ISO 8601 time')
const Range = { from: Iso.optional(), to: Iso.optional() }
const Region = { region: z.string().regex(/^\d+$/).optional().describe("region code (default: the caller's region)") }
const List = z.object({
  ...Region,
  status: z.string().optional(),
  category: z.string().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().optional(),
  since: Iso.optional(),
})
const Record = <T extends z.ZodObject>(s: T) => s.extend({ timeline: z.array(TimelineStepSchema) })

export const OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/v1/auth/login', summary: 'What the sign-in page needs: demo mode, time zone, single sign-on', response: LoginInfoSchema, open: true },
  { method: 'post', path: '/api/v1/auth/login', summary: 'Sign in with a local account', body: LoginRequestSchema, response: LoginResponseSchema, open: true },
  { method: 'post', path: '/api/v1/auth/refresh', summary: 'Trade a valid session token for a fresh one', response: LoginResponseSchema },
  { method: 'get', path: '/api/v1/auth/oidc/start', summary: "Start single sign-on at the city's identity provider (302)", open: true },
  { method: 'get', path: '/api/v1/auth/oidc/callback', summary: 'Where the provider returns; 302 to /login#token=…', open: true },
  { method: 'get', path: '/api/v1/metrics', summary: 'The metric catalogue', response: MetricListSchema },
  { method: 'get', path: '/api/v1/catalog', summary: 'Display names of catalogue ids', response: CatalogNamesSchema },
  { method: 'get', path: '/api/v1/regions/{code}', summary: 'A region with its children and breadcrumb', response: RegionInfoSchema },
  { method: 'get', path: '/api/v1/regions/{code}/children.geojson', summary: "The children's outlines (GeoJSON FeatureCollection)" },
  { method: 'get', path: '/api/v1/regions/{code}/outline.geojson', summary: "The region's outline (GeoJSON Feature)" },
  {
    method: 'get',
    path: '/api/v1/overview',
    summary: 'KPIs of a region over a range (compare=previous adds the period before)',
    query: z.object({ ...Region, ...Range, compare: CompareSchema.optional() }),
    response: OverviewSchema,
  },
  {
    method: 'get',
    path: '/api/v1/timeseries',
    summary: 'One metric per interval',
    query: z.object({ metric: MetricSchema, ...Region, ...Range, interval: IntervalSchema.optional(), compare: CompareSchema.optional() }),
    response: TimeseriesSchema,
  },
  {
    method: 'get',
    path: '/api/v1/breakdown',
    summary: 'One metric by child region, category, status, department, channel or loop step',
    query: z.object({ metric: MetricSchema, by: BreakdownBySchema, ...Region, ...Range, compare: CompareSchema.optional() }),
    response: BreakdownSchema,
  },
  { method: 'get', path: '/api/v1/events', summary: 'Events, newest first, by cursor', query: List, response: PageSchema(EventSummarySchema) },
  { method: 'get', path: '/api/v1/events/{id}', summary: 'One event with its whole timeline', response: Record(EventSummarySchema) },
  { method: 'get', path: '/api/v1/tickets', summary: 'Hotline tickets, newest first, by cursor', query: List, response: PageSchema(TicketSummarySchema) },
  { method: 'get', path: '/api/v1/tickets/{id}', summary: 'One ticket with its whole timeline', response: Record(TicketSummarySchema) },
  { method: 'get', path: '/api/v1/terminals', summary: 'Terminals by latest status', query: List.omit({ category: true, since: true }), response: PageSchema(TerminalSummarySchema) },
  { method: 'get', path: '/api/v1/terminals/{id}', summary: "One terminal with its recent reports", response: Record(TerminalSummarySchema.omit({ since: true, transactions: true })) },
  { method: 'get', path: '/api/v1/live', summary: 'WebSocket upgrade: subscriptions by topic and region (see the messages in core/schemas/api.ts)' },
  { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', open: true },
  { method: 'get', path: '/api/v1/docs', summary: 'This document as a page', open: true },
]

const json = (s: z.ZodType) => z.toJSONSchema(s, { io: 'output', unrepresentable: 'any', target: 'openapi-3.0' })
const input = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' })

/** The OpenAPI 3 document: the operations above, and the app's other routes (other modules') by path. */
export function openApiDocument(appRoutes: Array<{ method: string; path: string }>): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  const errors = { description: 'error', content: { 'application/json': { schema: json(ErrorBodySchema) } } }
  for (const op of OPERATIONS) {
    const params: unknown[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    if (op.query) {
      for (const [name, field] of Object.entries(op.query.shape)) {
        params.push({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, schema: input(field as z.ZodType) })
      }
    }
    paths[op.path] ??= {}
    paths[op.path][op.method] = {
      summary: op.summary,
      ...(op.open ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: input(op.body) } } } } : {}),
      responses: {
        '200': op.response ? { description: 'ok', content: { 'application/json': { schema: json(op.response) } } } : { description: 'ok' },
        ...(op.open ? {} : { '401': errors, '403': errors }),
        '400': errors,
        '404': errors,
        '429': errors,
      },
    }
  }
  // Routes of other modules (layers, alerts, screens …) are listed by path so the document covers the app.
  for (const r of appRoutes) {
    if (!r.path.startsWith('/api/') && !r.path.startsWith('/ingest/')) continue
    if (r.method === 'ALL' || r.path.endsWith('*')) continue
    const path = r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')
    const method = r.method.toLowerCase()
    if (paths[path]?.[method]) continue
    paths[path] ??= {}
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    paths[path][method] = { summary: `${r.method} ${path}`, ...(params.length ? { parameters: params } : {}), responses: { '200': { description: 'ok' }, default: errors } }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Open IOC API', version: '1', description: 'City operations centre: aggregates at every level, records, live socket. Errors are {"error": {code, message, details?}}.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  }
}
