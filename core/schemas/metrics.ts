import { z } from 'zod'

/**
 * The metric catalogue (dashboards/catalog/metrics.yaml): what each metric id means, its unit, how
 * it is computed and which breakdowns it allows. A metric is a combination of a computation `kind`,
 * a record `source`, a named measure and named filters; each name maps to a fixed SQL fragment in
 * api/queries/metrics.ts, so a catalogue edit can add metrics but never SQL. Browser-safe.
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

const Base = {
  id: z.string().regex(/^[a-z_]+\.[a-z0-9_]+$/, 'metric ids are stream.measure'),
  title: MetricTitleSchema,
  unit: z.enum(METRIC_UNITS),
  description: z.string().min(1),
  breakdowns: z.array(MetricBreakdownSchema),
  /** false: a per-step metric has no timeseries (its breakdown by step is the answer). */
  series: z.boolean().default(true),
}

/** Counted from a rollup (a materialized view) per 5-minute bucket: steps, reports, transactions. */
const FlowDef = z.object({
  ...Base,
  kind: z.literal('flow'),
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
  kind: z.literal('cohort'),
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
  kind: z.literal('stock'),
  source: z.enum(['events', 'tickets']),
  where: z.enum(['open', 'overdue']),
})

/** Terminals by their latest status; a series counts distinct terminals reporting each status per interval. */
const LatestDef = z.object({
  ...Base,
  kind: z.literal('latest'),
  source: z.literal('terminals'),
  /** Statuses counted; empty: every terminal. */
  statuses: z.array(z.enum(['online', 'offline', 'fault', 'maintenance'])),
})

/** From each terminal's runs of status over time (the raw status table, by terminal and time). */
const RunsDef = z.object({
  ...Base,
  kind: z.literal('runs'),
  source: z.literal('terminals'),
  measure: z.enum(['availability', 'mttr_minutes']),
})

export const MetricDefSchema = z.discriminatedUnion('kind', [FlowDef, CohortDef, StockDef, LatestDef, RunsDef])
export type MetricDef = z.infer<typeof MetricDefSchema>

export const MetricCatalogSchema = z
  .object({ kind: z.literal('metric-catalog'), schemaVersion: z.literal(1), metrics: z.array(MetricDefSchema).min(1) })
  .superRefine((cat, ctx) => {
    const seen = new Set<string>()
    cat.metrics.forEach((m, i) => {
      const at = (msg: string) => ctx.addIssue({ code: 'custom', path: ['metrics', i], message: `${m.id}: ${msg}` })
      if (seen.has(m.id)) at('the id is used twice')
      seen.add(m.id)
      if (!m.id.startsWith(`${m.source}.`)) at(`the id must start with its source ${m.source}.`)
      if (m.kind === 'cohort' || m.kind === 'stock') {
        const preds: readonly string[] = m.source === 'events' ? EVENT_PREDICATES : TICKET_PREDICATES
        const times: readonly string[] = m.source === 'events' ? EVENT_TIMES : TICKET_TIMES
        for (const p of [m.where, m.kind === 'cohort' ? m.numerator : undefined])
          if (p && !preds.includes(p)) at(`no predicate ${p} for ${m.source} (${preds.join(', ')})`)
        if (m.kind === 'cohort') {
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
      if (m.breakdowns.includes('channel') && m.source !== 'tickets') at('only tickets have a channel')
      if (m.breakdowns.includes('step') && m.kind !== 'cohort') at('only cohort metrics break down by step')
    })
  })
export type MetricCatalog = z.infer<typeof MetricCatalogSchema>

/** What a leader compares: a flow is counted over a span, a stock stands at an instant (docs/metrics.md). */
export const MetricKindSchema = z.enum(['flow', 'stock'])
export type MetricKind = z.infer<typeof MetricKindSchema>
/** How a metric is computed (the catalogue's `compute`; before schemaVersion 2 its `kind`). */
export const METRIC_COMPUTES = ['flow', 'cohort', 'stock', 'latest', 'runs'] as const

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
