import { z } from 'zod'
import {
  BreakdownBySchema,
  BreakdownSchema,
  CatalogNamesSchema,
  CompareSchema,
  EventDetailSchema,
  EventSummarySchema,
  IntervalSchema,
  MetricSchema,
  OverviewSchema,
  PageSchema,
  RegionInfoSchema,
  RegionCollectionSchema,
  RegionOutlineSchema,
  StatusSchema,
  TerminalDetailSchema,
  TerminalSummarySchema,
  TicketDetailSchema,
  TicketSummarySchema,
  TimeseriesSchema,
} from '../schemas/api.js'
import { MetricListSchema } from '../schemas/metrics.js'
import { RangeQuery, RegionParam, TimeParam, V1, declare, errors, json } from './http.js'

// ---- aggregates ---------------------------------------------------------------------------------
const Compare = { compare: CompareSchema.optional() }

export const metrics = declare({
  method: 'get',
  path: `${V1}/metrics`,
  tags: ['aggregates'],
  summary: 'The metric catalogue',
  responses: { 200: json(MetricListSchema), ...errors },
})
export const catalog = declare({
  method: 'get',
  path: `${V1}/catalog`,
  tags: ['aggregates'],
  summary: 'Display names of catalogue ids',
  responses: { 200: json(CatalogNamesSchema), ...errors },
})
export const overview = declare({
  method: 'get',
  path: `${V1}/overview`,
  tags: ['aggregates'],
  summary: 'KPIs of a region over a range (compare=previous adds the period before)',
  request: { query: z.object({ region: RegionParam, ...RangeQuery.shape, ...Compare }) },
  responses: { 200: json(OverviewSchema), ...errors },
})
export const timeseries = declare({
  method: 'get',
  path: `${V1}/timeseries`,
  tags: ['aggregates'],
  summary: 'One metric per interval',
  request: {
    query: z.object({
      metric: MetricSchema,
      region: RegionParam,
      ...RangeQuery.shape,
      interval: IntervalSchema.default('1h'),
      ...Compare,
    }),
  },
  responses: { 200: json(TimeseriesSchema), ...errors },
})
export const breakdown = declare({
  method: 'get',
  path: `${V1}/breakdown`,
  tags: ['aggregates'],
  summary: 'One metric by child region, category, status, department, channel or loop step',
  request: {
    query: z.object({
      metric: MetricSchema,
      by: BreakdownBySchema,
      region: RegionParam,
      ...RangeQuery.shape,
      ...Compare,
    }),
  },
  responses: { 200: json(BreakdownSchema), ...errors },
})

export const status = declare({
  method: 'get',
  path: `${V1}/status`,
  tags: ['aggregates'],
  summary: "The store's freshness (ingest lag), whether its history is still loading, and the server's clock",
  responses: { 200: json(StatusSchema), ...errors },
})

// ---- regions ------------------------------------------------------------------------------------
const Code = z.object({ code: z.string() })

export const region = declare({
  method: 'get',
  path: `${V1}/regions/{code}`,
  tags: ['regions'],
  summary: 'A region with its children and breadcrumb',
  request: { params: Code },
  responses: { 200: json(RegionInfoSchema), ...errors },
})
export const regionChildren = declare({
  method: 'get',
  path: `${V1}/regions/{code}/children.geojson`,
  tags: ['regions'],
  summary: "The children's outlines (GeoJSON FeatureCollection)",
  request: { params: Code },
  responses: { 200: json(RegionCollectionSchema), ...errors },
})
export const regionOutline = declare({
  method: 'get',
  path: `${V1}/regions/{code}/outline.geojson`,
  tags: ['regions'],
  summary: "The region's outline (GeoJSON Feature; null when the city has none for it)",
  request: { params: Code },
  responses: { 200: json(RegionOutlineSchema.nullable()), ...errors },
})

// ---- records ------------------------------------------------------------------------------------
// The status filters of each list: api/queries/records.ts holds the SQL of each (a test checks both name the same).
export const EVENT_STATUS_FILTERS = [
  'open',
  'closed',
  'overdue',
  'reported',
  'verified',
  'dispatched',
  'handled',
  'submitted',
  'evaluated',
] as const
export const TICKET_STATUS_FILTERS = [
  'open',
  'closed',
  'created',
  'dispatched',
  'accepted',
  'replied',
  'reopened',
  'rated',
] as const
export const TERMINAL_STATUS_FILTERS = ['online', 'offline', 'fault', 'maintenance', 'down'] as const

const Limit = z.coerce.number().int().min(1).max(1000).default(100)
/** The query of a record list: the region (default the caller's), a status filter, a page. */
const listQuery = <K extends string>(statuses: readonly [K, ...K[]]) =>
  z.object({
    region: RegionParam,
    status: z.enum(statuses).optional(),
    category: z.string().max(64).optional(),
    limit: Limit,
    cursor: z.string().max(200).optional(),
    since: TimeParam.optional(),
  })
/** A record id: letters, digits and . _ : - only. */
const Id = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w.:-]+$/),
})

export const events = declare({
  method: 'get',
  path: `${V1}/events`,
  tags: ['records'],
  summary: 'Events, newest first, by cursor',
  request: { query: listQuery(EVENT_STATUS_FILTERS) },
  responses: { 200: json(PageSchema(EventSummarySchema)), ...errors },
})
export const event = declare({
  method: 'get',
  path: `${V1}/events/{id}`,
  tags: ['records'],
  summary: 'One event with its whole timeline',
  request: { params: Id },
  responses: { 200: json(EventDetailSchema), ...errors },
})
export const tickets = declare({
  method: 'get',
  path: `${V1}/tickets`,
  tags: ['records'],
  summary: 'Hotline tickets, newest first, by cursor',
  request: { query: listQuery(TICKET_STATUS_FILTERS) },
  responses: { 200: json(PageSchema(TicketSummarySchema)), ...errors },
})
export const ticket = declare({
  method: 'get',
  path: `${V1}/tickets/{id}`,
  tags: ['records'],
  summary: 'One ticket with its whole timeline',
  request: { params: Id },
  responses: { 200: json(TicketDetailSchema), ...errors },
})
export const terminals = declare({
  method: 'get',
  path: `${V1}/terminals`,
  tags: ['records'],
  summary: 'Terminals by latest status',
  request: {
    query: z.object({
      region: RegionParam,
      status: z.enum(TERMINAL_STATUS_FILTERS).optional(),
      limit: Limit,
      cursor: z.string().max(64).optional(),
    }),
  },
  responses: { 200: json(PageSchema(TerminalSummarySchema)), ...errors },
})
export const terminal = declare({
  method: 'get',
  path: `${V1}/terminals/{id}`,
  tags: ['records'],
  summary: 'One terminal with its recent reports',
  request: { params: Id },
  responses: { 200: json(TerminalDetailSchema), ...errors },
})
