import { z } from 'zod'

/**
 * A screen is a file (dashboards/screens/*.yaml): which panels sit where, which layers the map
 * starts with, and how long the wall's carousel dwells on it. Browser-safe: the web app imports
 * the types, the api validates the files with these schemas.
 */

export const LocalizedSchema = z.object({ zh: z.string().min(1).max(40), en: z.string().min(1).max(60) }).strict()
export type Localized = z.infer<typeof LocalizedSchema>

/** Panel kinds the screen knows how to draw (web/src/panels/registry.ts maps each to a component). */
export const PANEL_TYPES = [
  'kpi',
  'funnel',
  'trend',
  'ranking',
  'categories',
  'overdue',
  'terminals',
  'hotline',
  'satisfaction',
  'hotspots',
  'live-feed',
  'alerts',
] as const
export const PanelTypeSchema = z.enum(PANEL_TYPES)
export type PanelType = z.infer<typeof PanelTypeSchema>

/** Where a panel sits on the 1920×1080 design canvas: the two side columns or the strip above the map. */
export const SLOTS = ['left', 'right', 'top'] as const
export const SlotSchema = z.enum(SLOTS)
export type Slot = z.infer<typeof SlotSchema>

/**
 * KPI cards the screen can show: each maps to a field of the overview answer (or a ratio of two),
 * so a file cannot ask for a card that would only ever show a dash.
 */
export const KPI_METRICS = [
  'events.reported',
  'events.open',
  'events.closed',
  'events.overdue',
  'events.closure_rate',
  'events.avg_handle_minutes',
  'tickets.created',
  'tickets.open',
  'tickets.closed',
  'tickets.satisfaction_rate',
  'tickets.avg_response_minutes',
  'terminals.total',
  'terminals.online',
  'terminals.offline',
  'terminals.fault',
  'terminals.online_rate',
] as const
export type KpiMetric = (typeof KPI_METRICS)[number]
/**
 * Card ids of older screen files, read as their new id. `terminals.availability` showed online / total
 * now, while the catalogue's metric of that id is the time-weighted availability: the card is
 * `terminals.online_rate`, and files written before keep loading.
 */
export const KPI_METRIC_ALIASES: Readonly<Record<string, KpiMetric>> = {
  'terminals.availability': 'terminals.online_rate',
}
export const KpiMetricSchema = z.preprocess(
  (v) => (typeof v === 'string' ? (KPI_METRIC_ALIASES[v] ?? v) : v),
  z.enum(KPI_METRICS),
)

export const PanelSchema = z
  .object({
    type: PanelTypeSchema,
    slot: SlotSchema,
    /** Share of its column's height (flex grow); the top strip ignores it. */
    size: z.number().int().min(1).max(6).default(2),
    /** Overrides the panel's own title. */
    title: LocalizedSchema.optional(),
    /** For `kpi`: the cards, in order. */
    metrics: z.array(KpiMetricSchema).min(1).max(8).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'kpi' && !p.metrics)
      ctx.addIssue({ code: 'custom', path: ['metrics'], message: 'a kpi panel lists its metrics' })
    if (p.type !== 'kpi' && p.metrics)
      ctx.addIssue({ code: 'custom', path: ['metrics'], message: `only a kpi panel takes metrics, not ${p.type}` })
  })
export type Panel = z.infer<typeof PanelSchema>

export const ScreenSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'an id is lower-case letters, digits and dashes'),
    title: LocalizedSchema,
    panels: z.array(PanelSchema).min(1).max(16),
    map: z
      .object({
        /** Layers switched on when the screen opens: ids of dashboards/layers files. */
        layers: z
          .array(z.string().regex(/^[a-z][a-z0-9._-]{1,60}$/))
          .max(12)
          .default(['events']),
      })
      .strict()
      .default({ layers: ['events'] }),
    carousel: z
      .object({ dwell_seconds: z.number().int().min(10).max(3600).default(60) })
      .strict()
      .default({ dwell_seconds: 60 }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const top = s.panels.filter((p) => p.slot === 'top')
    if (top.length > 1) ctx.addIssue({ code: 'custom', path: ['panels'], message: 'at most one panel in the top slot' })
    for (const slot of ['left', 'right'] as const) {
      if (s.panels.filter((p) => p.slot === slot).length > 5)
        ctx.addIssue({ code: 'custom', path: ['panels'], message: `at most 5 panels in the ${slot} column` })
    }
  })
export type Screen = z.infer<typeof ScreenSchema>

export const ScreenListSchema = z.object({
  screens: z.array(z.object({ id: z.string(), title: LocalizedSchema, dwell_seconds: z.number() })),
  /** Files that failed validation: named, so an operator can fix them; the others are still served. */
  errors: z.array(z.object({ file: z.string(), path: z.string(), message: z.string() })),
})
export type ScreenList = z.infer<typeof ScreenListSchema>
