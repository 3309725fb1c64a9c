import { z } from 'zod'

/**
 * The metric catalogue (dashboards/catalog/metrics.yaml): what each metric id means, its unit, whether a
 * leader compares it as a flow or a stock (`kind`), how it is computed and which breakdowns it allows.
 * A metric is a combination of a computation (`compute`), a record `source`, a named measure and named
 * filters; each name maps to a fixed SQL fragment in api/queries/metrics.ts, so a catalogue edit can add
 * metrics but never SQL. Browser-safe.
 */
export const METRIC_BREAKDOWNS = ['child', 'category', 'status', 'department', 'channel', 'step'] as const
export const MetricBreakdownSchema = z.enum(METRIC_BREAKDOWNS)

export const MetricTitleSchema = z.object({ zh: z.string().min(1), en: z.string().min(1) })
export const METRIC_UNITS = ['count', 'ratio', 'minutes'] as const

/** Predicates over a record's state now (cohort and stock metrics). */
export const EVENT_PREDICATES = ['all', 'open', 'closed', 'overdue', 'rework'] as const
export const TICKET_PREDICATES = [
  'all',
  'open',
  'closed',
  'rated',
  'satisfied',
  'replied',
  'reopened',
  'repeat',
] as const
/** Timestamps of a record's state, for durations. */
export const EVENT_TIMES = ['reported_at', 'evaluated_at'] as const
export const TICKET_TIMES = ['created_at', 'replied_at', 'closed_at'] as const

/** What a leader compares: a flow is counted over a span, a stock stands at an instant (docs/metrics.md). */
export const MetricKindSchema = z.enum(['flow', 'stock'])
export type MetricKind = z.infer<typeof MetricKindSchema>
/** How a metric is computed (the catalogue's `compute`; before schemaVersion 2 its `kind`). */
export const METRIC_COMPUTES = ['flow', 'cohort', 'stock', 'latest', 'runs'] as const

const Base = {
  id: z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/, 'metric ids are stream.measure'),
  title: MetricTitleSchema,
  unit: z.enum(METRIC_UNITS),
  kind: MetricKindSchema,
  /** What the number means, in both languages: a screen shows it on hover or tap. */
  definition: MetricTitleSchema,
  breakdowns: z.array(MetricBreakdownSchema),
  /** false: a per-step metric has no timeseries (its breakdown by step is the answer). */
  series: z.boolean().default(true),
}

/** Counted from a rollup (a materialized view) per 5-minute bucket: steps, reports, transactions. */
const FlowDef = z.object({
  ...Base,
  compute: z.literal('flow'),
  source: z.enum(['events', 'tickets', 'terminals']),
  /** Steps (events, tickets) counted; bound as a parameter. */
  steps: z.array(z.string().regex(/^[a-z_]+$/)).optional(),
  measure: z.enum(['count', 'transactions']),
  /** A breakdown by status is of the records counted, by where they stand now: this predicate picks them. */
  status_cohort: z.enum([...EVENT_PREDICATES, ...TICKET_PREDICATES]).optional(),
})

const Duration = z.object({ from: z.string(), to: z.string() })
/** Folded from the per-record state tables: records that started in the range and their state now. */
const CohortDef = z.object({
  ...Base,
  compute: z.literal('cohort'),
  source: z.enum(['events', 'tickets']),
  /** Which records of the cohort are measured. */
  where: z.string().default('all'),
  measure: z.enum(['count', 'rate', 'avg_minutes', 'p90_minutes', 'step_reached', 'step_minutes']),
  /** rate: the share of `where` records that also match this predicate. */
  numerator: z.string().optional(),
  /** avg_minutes, p90_minutes: from one timestamp to another. */
  duration: Duration.optional(),
})

/** A state at a point: open/overdue now over the range's cohort; at the end of each interval in a series. */
const StockDef = z.object({
  ...Base,
  compute: z.literal('stock'),
  source: z.enum(['events', 'tickets']),
  where: z.enum(['open', 'overdue']),
})

/**
 * Terminals by their latest status (a share of all terminals with measure share); a series counts distinct
 * terminals reporting each status per interval.
 */
const LatestDef = z.object({
  ...Base,
  compute: z.literal('latest'),
  source: z.literal('terminals'),
  /** Statuses counted; empty: every terminal. */
  statuses: z.array(z.enum(['online', 'offline', 'fault', 'maintenance'])),
  /** count: the terminals in those statuses; share: their share of all terminals (0..1). */
  measure: z.enum(['count', 'share']).default('count'),
})

/** From each terminal's runs of status over time (the raw status table, by terminal and time). */
const RunsDef = z.object({
  ...Base,
  compute: z.literal('runs'),
  source: z.literal('terminals'),
  measure: z.enum(['availability', 'mttr_minutes']),
})

export const MetricDefSchema = z.discriminatedUnion('compute', [FlowDef, CohortDef, StockDef, LatestDef, RunsDef])
export type MetricDef = z.infer<typeof MetricDefSchema>

/** The catalogue's current format; older files are migrated on load (migrateMetricCatalog). */
export const METRIC_CATALOG_VERSION = 2

export const MetricCatalogSchema = z
  .object({
    kind: z.literal('metric-catalog'),
    schemaVersion: z.literal(METRIC_CATALOG_VERSION),
    metrics: z.array(MetricDefSchema).min(1),
  })
  .superRefine((cat, ctx) => {
    const seen = new Set<string>()
    cat.metrics.forEach((m, i) => {
      const at = (msg: string) => ctx.addIssue({ code: 'custom', path: ['metrics', i], message: `${m.id}: ${msg}` })
      if (seen.has(m.id)) at('the id is used twice')
      seen.add(m.id)
      if (!m.id.startsWith(`${m.source}.`)) at(`the id must start with its source ${m.source}.`)
      if (m.compute === 'cohort' || m.compute === 'stock') {
        const preds: readonly string[] = m.source === 'events' ? EVENT_PREDICATES : TICKET_PREDICATES
        const times: readonly string[] = m.source === 'events' ? EVENT_TIMES : TICKET_TIMES
        for (const p of [m.where, m.compute === 'cohort' ? m.numerator : undefined])
          if (p && !preds.includes(p)) at(`no predicate ${p} for ${m.source} (${preds.join(', ')})`)
        if (m.compute === 'cohort') {
          if (m.measure === 'rate' && !m.numerator) at('a rate needs a numerator')
          if ((m.measure === 'avg_minutes' || m.measure === 'p90_minutes') && !m.duration)
            at('a duration measure needs duration {from, to}')
          for (const t of m.duration ? [m.duration.from, m.duration.to] : [])
            if (!times.includes(t)) at(`no time ${t} for ${m.source} (${times.join(', ')})`)
          if (
            (m.measure === 'step_reached' || m.measure === 'step_minutes') &&
            (m.source !== 'events' || !m.breakdowns.includes('step'))
          ) {
            at('per-step measures are of events, with a breakdown by step')
          }
        }
      }
      if (m.compute === 'latest' && m.measure === 'share' && !m.statuses.length) at('a share needs statuses')
      if (m.breakdowns.includes('channel') && m.source !== 'tickets') at('only tickets have a channel')
      if (m.breakdowns.includes('step') && m.compute !== 'cohort') at('only cohort metrics break down by step')
    })
  })
export type MetricCatalog = z.infer<typeof MetricCatalogSchema>

/**
 * A catalogue file of an older schemaVersion, brought to the current one step by step (as Grafana migrates a
 * dashboard): a file written for an earlier release keeps loading. Anything not recognised is left as it is,
 * for the schema to name.
 */
export function migrateMetricCatalog(raw: unknown): unknown {
  if (!isRecord(raw) || raw.schemaVersion !== 1 || !Array.isArray(raw.metrics)) return raw
  return { ...raw, schemaVersion: 2, metrics: raw.metrics.map(metricV1toV2) }
}

/**
 * Version 1 → 2: `kind` (which SQL) becomes `compute`; `kind` is now what a leader compares: stock for the
 * states (stock, latest), flow for everything counted or averaged over a span; the one-language
 * `description` becomes `definition` in both languages.
 */
function metricV1toV2(m: unknown): unknown {
  if (!isRecord(m)) return m
  const { kind, description, ...rest } = m
  const out: Record<string, unknown> = { ...rest, compute: kind }
  out.kind = kind === 'stock' || kind === 'latest' ? 'stock' : 'flow'
  if (typeof description === 'string') out.definition = { zh: description, en: description }
  return out
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** One metric as GET /api/v1/metrics lists it. */
export const MetricInfoSchema = z.object({
  id: z.string(),
  title: MetricTitleSchema,
  unit: z.enum(METRIC_UNITS),
  /** flow: compared over the same elapsed part of the previous period; stock: at the same instant of it. */
  kind: MetricKindSchema,
  compute: z.enum(METRIC_COMPUTES),
  /** The definition in English (kept for older clients); `definition` has it in both languages. */
  description: z.string(),
  definition: MetricTitleSchema,
  breakdowns: z.array(MetricBreakdownSchema),
  series: z.boolean(),
})
export type MetricInfo = z.infer<typeof MetricInfoSchema>
export const MetricListSchema = z.object({ metrics: z.array(MetricInfoSchema) })
export type MetricList = z.infer<typeof MetricListSchema>
