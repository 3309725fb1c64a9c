import type { MultiPolygon, Polygon } from 'geojson'
import { z } from 'zod'
import { LEVELS } from '../regions.js'
import type { Enrichment, GridEvent, HotlineTicket, TerminalStatus } from './records.js'

export const LevelSchema = z.enum(LEVELS)
export const RoleSchema = z.enum(['admin', 'operator', 'leader', 'analyst', 'ingest'])
export type Role = z.infer<typeof RoleSchema>

export const UserSchema = z.object({ name: z.string(), role: RoleSchema, region: z.string() })
export type User = z.infer<typeof UserSchema>

export const LoginRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
})
export const LoginResponseSchema = z.object({ token: z.string(), user: UserSchema })
export type LoginResponse = z.infer<typeof LoginResponseSchema>
/** GET /api/v1/auth/login: what the sign-in page needs before anyone has signed in. */
export const LoginInfoSchema = z.object({
  demo: z.boolean(),
  tz: z.string(),
  /** Single sign-on through the city's identity provider, when configured: `url` starts it. */
  oidc: z.object({ enabled: z.boolean(), url: z.string().optional() }),
})
export type LoginInfo = z.infer<typeof LoginInfoSchema>

export const RegionRefSchema = z.object({ code: z.string(), name: z.string(), level: LevelSchema })
export type RegionRef = z.infer<typeof RegionRefSchema>
export const RegionInfoSchema = RegionRefSchema.extend({
  parent: z.string().nullable(),
  centroid: z.tuple([z.number(), z.number()]),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  children: z.array(RegionRefSchema),
  /** From the city down to this region: the breadcrumb. */
  path: z.array(RegionRefSchema),
})
export type RegionInfo = z.infer<typeof RegionInfoSchema>

/** A region as a GeoJSON feature; `centroid` ([lon, lat]) is on the children's, where labels go. */
const RegionGeometrySchema = z
  .custom<Polygon | MultiPolygon>((g) => {
    const type = (g as { type?: unknown } | null)?.type
    return (
      (type === 'Polygon' || type === 'MultiPolygon') && Array.isArray((g as { coordinates?: unknown }).coordinates)
    )
  }, 'a Polygon or MultiPolygon')
  .meta({ type: 'object', description: 'GeoJSON Polygon or MultiPolygon' })
const RegionFeaturePropsSchema = z.object({
  code: z.string(),
  name: z.string(),
  level: LevelSchema,
  parent: z.string().nullable(),
  centroid: z.tuple([z.number(), z.number()]).optional(),
})
export const RegionOutlineSchema = z.object({
  type: z.literal('Feature'),
  properties: RegionFeaturePropsSchema,
  geometry: RegionGeometrySchema,
})
export type RegionOutline = z.infer<typeof RegionOutlineSchema>
export const RegionCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(RegionOutlineSchema.extend({ properties: RegionFeaturePropsSchema.required({ centroid: true }) })),
})
export type RegionCollection = z.infer<typeof RegionCollectionSchema>

const OverviewBodySchema = z.object({
  region: z.string(),
  from: z.string(),
  to: z.string(),
  events: z.object({
    reported: z.number(),
    open: z.number(),
    closed: z.number(),
    overdue: z.number(),
    closure_rate: z.number(),
    avg_handle_minutes: z.number(),
  }),
  tickets: z.object({
    created: z.number(),
    open: z.number(),
    closed: z.number(),
    satisfaction_rate: z.number(),
    avg_response_minutes: z.number(),
    /** Tickets rated: satisfaction_rate is 0 when none is, which a screen should not show as 0 %. */
    rated: z.number(),
    /** Tickets replied to: the base of avg_response_minutes. */
    replied: z.number(),
  }),
  terminals: z.object({ total: z.number(), online: z.number(), offline: z.number(), fault: z.number() }),
})
/**
 * With compare=previous, `previous` is the same answer for the period of the same length just before, compared like
 * with like: a flow (reported, closed, created …) over the same elapsed part of that period (`from`..`to`), a stock
 * (open, overdue, online, fault …) as it stood at the same instant of that period (`at`).
 */
export const PreviousOverviewSchema = OverviewBodySchema.extend({
  /** The instant of the previous period at which its stocks are judged: the answer's instant minus the period. */
  at: z.string(),
})
export const OverviewSchema = OverviewBodySchema.extend({
  previous: PreviousOverviewSchema.optional(),
  /** When the numbers were computed (the server's clock, or the instant asked for). */
  computed_at: z.string().optional(),
})
export type Overview = z.infer<typeof OverviewSchema>

export const METRICS = [
  'events.reported',
  'events.closed',
  'events.open',
  'events.overdue',
  'tickets.created',
  'tickets.closed',
  'terminals.online',
  'terminals.fault',
] as const
/**
 * The contract's minimum set above; the metrics answered are those of dashboards/catalog/metrics.yaml (GET
 * /api/v1/metrics).
 */
export const MetricSchema = z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/, 'a metric id is stream.measure')
export type Metric = z.infer<typeof MetricSchema>
export const CompareSchema = z.enum(['previous'])
export const INTERVALS = ['5m', '15m', '1h', '1d'] as const
/** Spelled as the API answers them, or in words a script might use (`hour`, `day`, `5min`). */
const INTERVAL_ALIASES: Record<string, (typeof INTERVALS)[number]> = {
  '5min': '5m',
  '15min': '15m',
  hour: '1h',
  '60m': '1h',
  day: '1d',
  '24h': '1d',
}
export const IntervalSchema = z.preprocess(
  (v) => (typeof v === 'string' ? (INTERVAL_ALIASES[v] ?? v) : v),
  z.enum(INTERVALS),
)
export type Interval = z.infer<typeof IntervalSchema>
export const BREAKDOWNS = ['child', 'category', 'status', 'department', 'channel', 'step'] as const
export const BreakdownBySchema = z.enum(BREAKDOWNS)
export type BreakdownBy = z.infer<typeof BreakdownBySchema>

/**
 * One bucket of a series: `v` is null for a bucket that starts after the range's end or after now (no data yet is not
 * zero); the bucket holding now is `partial`.
 */
export const PointSchema = z.object({ t: z.string(), v: z.number().nullable(), partial: z.literal(true).optional() })
export type Point = z.infer<typeof PointSchema>
export const TimeseriesSchema = z.object({
  metric: MetricSchema,
  interval: IntervalSchema,
  points: z.array(PointSchema),
  /** compare=previous: the previous period's values, one per point (t of the previous period). */
  previous: z.array(PointSchema).optional(),
  computed_at: z.string().optional(),
})
export type Timeseries = z.infer<typeof TimeseriesSchema>
export const BreakdownSchema = z.object({
  metric: MetricSchema,
  by: BreakdownBySchema,
  /** With compare=previous each row has the previous period's `previous` value. */
  rows: z.array(z.object({ key: z.string(), name: z.string(), value: z.number(), previous: z.number().optional() })),
  computed_at: z.string().optional(),
})
export type Breakdown = z.infer<typeof BreakdownSchema>

export const EventSummarySchema = z.object({
  event_id: z.string(),
  category: z.string(),
  status: z.string(),
  grid_code: z.string(),
  lon: z.number(),
  lat: z.number(),
  department: z.string(),
  priority: z.number(),
  reported_at: z.string(),
  deadline: z.string().nullable(),
  closed_at: z.string().nullable(),
  overdue: z.boolean(),
  description: z.string(),
})
export type EventSummary = z.infer<typeof EventSummarySchema>
export const TicketSummarySchema = z.object({
  ticket_id: z.string(),
  category: z.string(),
  channel: z.string(),
  status: z.string(),
  grid_code: z.string(),
  lon: z.number(),
  lat: z.number(),
  department: z.string(),
  created_at: z.string(),
  closed_at: z.string().nullable(),
  satisfaction: z.string(),
  address: z.string(),
  description: z.string(),
})
export type TicketSummary = z.infer<typeof TicketSummarySchema>
export const TerminalSummarySchema = z.object({
  terminal_id: z.string(),
  status: z.string(),
  ts: z.string(),
  since: z.string(),
  grid_code: z.string(),
  lon: z.number(),
  lat: z.number(),
  site: z.string(),
  fault_code: z.string(),
  paper_pct: z.number().nullable(),
  transactions: z.number(),
  /**
   * Set when the terminal's last report is older than IOC_TERMINAL_SILENCE_MINUTES: the time of that report. Its
   * `status` is then `offline` whatever it last reported.
   */
  silent_since: z.string().nullable().optional(),
})
export type TerminalSummary = z.infer<typeof TerminalSummarySchema>
/**
 * One stored step of an event or ticket: its columns as stored (`step` is typed optional as the query layer reads
 * rows).
 */
export const TimelineStepSchema = z
  .object({ step: z.string().optional(), ts: z.string(), deadline: z.string().nullable() })
  .catchall(z.unknown())
export const PageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() })

/** Where a record lies: the names of its district, street and community codes. */
const PlaceSchema = z.object({ district: z.string(), street: z.string(), community: z.string() })
/** GET /api/v1/events/{id}: the event as of its latest step, with every step. */
export const EventDetailSchema = EventSummarySchema.extend({
  ...PlaceSchema.shape,
  source: z.string(),
  evaluation: z.string(),
  timeline: z.array(TimelineStepSchema),
})
export type EventDetail = z.infer<typeof EventDetailSchema>
/** GET /api/v1/tickets/{id}: the ticket as of its latest step, with every step. */
export const TicketDetailSchema = TicketSummarySchema.extend({
  ...PlaceSchema.shape,
  timeline: z.array(TimelineStepSchema),
})
export type TicketDetail = z.infer<typeof TicketDetailSchema>
/** GET /api/v1/terminals/{id}: the latest report, and the recent ones oldest first. */
export const TerminalDetailSchema = TerminalSummarySchema.omit({ since: true, transactions: true }).extend({
  ...PlaceSchema.shape,
  timeline: z.array(
    z.object({
      ts: z.string(),
      status: z.string(),
      fault_code: z.string(),
      paper_pct: z.number().nullable(),
      transactions: z.number(),
    }),
  ),
})
export type TerminalDetail = z.infer<typeof TerminalDetailSchema>

/**
 * GET /api/v1/status: how fresh the store is and whether its history is complete, for the screen's header.
 * `now` is the server's clock: the screen keeps its own clock to it, so "today" is the server's today.
 */
export const StatusSchema = z.object({
  now: z.string(),
  /** The history being written behind live records (the in-process simulator's backfill); loading until complete. */
  history: z.object({
    loading: z.boolean(),
    /**
     * The span the history covers when complete, and how far the pass in progress has written (the
     * newest hours are written first, each pass oldest first: `progress` is the share done).
     */
    from: z.string().nullable(),
    to: z.string().nullable(),
    until: z.string().nullable(),
    /** The share of the history's time written so far, 0–1 (1 when there is none). */
    progress: z.number().min(0).max(1),
  }),
  /** The newest stored record of each stream (its `ts`), null when the stream is empty. */
  newest: z.object({ events: z.string().nullable(), tickets: z.string().nullable(), terminals: z.string().nullable() }),
  /** now − the newest stored record of any stream, in seconds; null when the store is empty. */
  lag_seconds: z.number().nullable(),
  /** The header turns amber past `warn_seconds` of lag and red past `alarm_seconds` (city.yaml `freshness`). */
  freshness: z.object({ warn_seconds: z.number(), alarm_seconds: z.number() }),
  /** IOC_TERMINAL_SILENCE_MINUTES: a terminal silent longer than this counts as offline. */
  terminal_silence_minutes: z.number(),
})
export type Status = z.infer<typeof StatusSchema>

const NamesByStreamSchema = z.object({
  events: z.record(z.string(), z.string()),
  tickets: z.record(z.string(), z.string()),
})
/**
 * Display names of catalogue ids (matters, classes, departments, channels, categories) per stream, in Chinese as
 * ever; `en` has the same ids in English (optional: older servers do not send it).
 */
export const CatalogNamesSchema = NamesByStreamSchema.extend({ en: NamesByStreamSchema.optional() })
export type CatalogNamesBody = z.infer<typeof CatalogNamesSchema>

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
})

/** Socket messages. */
export const TOPICS = ['events', 'tickets', 'terminals', 'kpi', 'alerts'] as const
export const TopicSchema = z.enum(TOPICS)
export type Topic = z.infer<typeof TopicSchema>
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string() }),
  z.object({
    type: z.literal('subscribe'),
    topics: z.array(TopicSchema).min(1),
    region: z.string(),
    /**
     * Resume: the last `seq` this client saw and the `epoch` it came with; missed records are replayed or a `resync` is
     * sent.
     */
    since: z.number().int().nonnegative().optional(),
    epoch: z.string().max(64).optional(),
  }),
  z.object({ type: z.literal('unsubscribe') }),
  z.object({ type: z.literal('ping') }),
])
export type ClientMessage = z.infer<typeof ClientMessageSchema>
/** A stored record as the live socket sends it: enriched, with its times as ISO 8601 text. */
type Live<T> = Omit<T, 'ts' | 'deadline' | 'crs'> & Enrichment & { ts: string; deadline?: string | null }
export type LiveEvent = Live<GridEvent>
export type LiveTicket = Live<HotlineTicket>
export type LiveTerminal = Live<TerminalStatus>

/**
 * Records and alerts carry `seq`, increasing per server process (named by `epoch`): a client that
 * reconnects sends both back in its subscribe to be replayed what it missed.
 */
export type ServerMessage =
  | { type: 'events'; region: string; seq?: number; data: LiveEvent }
  | { type: 'tickets'; region: string; seq?: number; data: LiveTicket }
  | { type: 'terminals'; region: string; seq?: number; data: LiveTerminal }
  | { type: 'alerts'; region: string; seq?: number; data: unknown }
  | { type: 'kpi'; region: string; data: Overview }
  | { type: 'heartbeat'; ts: string }
  | { type: 'subscribed'; region: string; topics: Topic[]; epoch?: string; seq?: number; replayed?: number }
  /** The missed messages cannot be replayed (another server process, or older than its buffer): fetch a fresh view. */
  | { type: 'resync'; region: string; reason: string; epoch: string; seq: number }
  /** This client was too slow and `count` messages were not sent to it; `seq` is the latest it could resume from. */
  | { type: 'dropped'; count: number; seq: number }
  | { type: 'error'; code: string; message: string }
