import { z } from 'zod'
import { LEVELS } from '../regions.js'
import { RegionCodeSchema } from './common.js'
import { IdSchema, ParamSchema, RESERVED_PARAMS, TitleSchema } from './layer.js'

// An alert rule is a file in dashboards/alerts/: a query plus a condition. The query returns one
// row per thing watched, with a `key` (what the alert is about, e.g. a terminal id or a street
// code), a `region` (code of where it is), a numeric `value`, and optionally `label`, `lon`, `lat`,
// `since` (for duration) or `deadline` (for SLA).

const Op = z.enum(['>', '>=', '<', '<='])

export const ConditionSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('threshold'),
        op: Op.default('>='),
        value: z.number().describe('Fires when `value op this`.'),
        clear: z
          .number()
          .optional()
          .describe('Hysteresis: a firing alert clears only past this (default: the threshold itself).'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('rise'),
        window_minutes: z
          .number()
          .int()
          .min(5)
          .max(1440)
          .default(60)
          .describe('The window ending now that is compared.'),
        weeks: z.number().int().min(2).max(12).default(4).describe('Past weeks whose same window is the baseline.'),
        min_weeks: z
          .number()
          .int()
          .min(1)
          .max(12)
          .default(2)
          .describe('Past weeks that must hold data (any row) for a verdict: no history, no alert.'),
        z: z.number().positive().default(3).describe('Robust z-score ((value − median) / (1.4826 · MAD)) that fires.'),
        clear_z: z.number().default(1.5).describe('Hysteresis: z-score under which a firing alert clears.'),
        min_value: z.number().min(0).default(5).describe('Ignore rows whose value is under this (noise).'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('duration'),
        minutes: z.number().positive().describe('Fires when now − `since` (a column) is at least this.'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('sla'),
        grace_minutes: z.number().min(0).default(0).describe('Fires when now is past `deadline` (a column) plus this.'),
      })
      .strict(),
  ])
  .describe('When a row of the query is an alert.')
export type AlertCondition = z.infer<typeof ConditionSchema>

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM')
export const QuietSchema = z
  .object({
    from: HHMM,
    to: HHMM.describe('End (exclusive); may be before `from` for a period across midnight.'),
    days: z
      .array(z.number().int().min(1).max(7))
      .optional()
      .describe('ISO weekdays (1 Monday … 7 Sunday); every day when absent.'),
  })
  .strict()
  .describe('A period (city time) in which the rule raises no new alert; firing ones still clear.')

export const SeveritySchema = z.enum(['info', 'warning', 'critical'])
export type Severity = z.infer<typeof SeveritySchema>

export const AlertRuleSchema = z
  .object({
    id: IdSchema,
    title: TitleSchema,
    description: z.string().max(1000).default(''),
    severity: SeveritySchema,
    scope: RegionCodeSchema.optional().describe(
      "The rule watches this region and below; {region} is bound to it. Absent: the city's root region.",
    ),
    params: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), ParamSchema)
      .default({})
      .refine((p) => Object.keys(p).every((k) => !(RESERVED_PARAMS as readonly string[]).includes(k)), {
        message: 'region, from, to, now are bound by the sandbox',
      }),
    query: z
      .string()
      .min(10)
      .max(20_000)
      .describe(
        'One SELECT returning key, region, value (and label, lon, lat, since or deadline). Bound: {region}, {from}, {to}, {now}.',
      ),
    condition: ConditionSchema,
    lookback_minutes: z
      .number()
      .int()
      .min(5)
      .max(10_080)
      .default(60)
      .describe('{from} is now minus this (rise: the window).'),
    every_seconds: z.number().int().min(10).max(86_400).default(60).describe('How often the evaluator runs the rule.'),
    quiet: z.array(QuietSchema).default([]),
    level: z.enum(LEVELS).optional().describe('Level of the `region` column, for the list and the map.'),
  })
  .strict()
/** A loaded rule: its scope resolved (a file that names none watches the whole city). */
export type AlertRule = z.infer<typeof AlertRuleSchema> & { scope: string }

/** The rule files' schema in a city whose root region is `root`. */
export function alertRuleSchemaFor(root: string) {
  return AlertRuleSchema.transform((r): AlertRule => ({ ...r, scope: r.scope ?? root }))
}

export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const
export const AlertStatusSchema = z.enum(ALERT_STATUSES)

/** An alert as stored, listed and pushed on the `alerts` topic. */
export const AlertSchema = z.object({
  alert_id: z.string(),
  rule_id: z.string(),
  key: z.string(),
  region: z.string(),
  severity: SeveritySchema,
  /** The rule's Chinese title when the alert fired. */
  title: z.string(),
  /** Its English title; absent on an alert raised before alerts carried one. */
  title_en: z.string().optional(),
  message: z.string(),
  /** The message in English (place names stay as the geo data has them); absent like `title_en`. */
  message_en: z.string().optional(),
  value: z.number(),
  lon: z.number().nullable(),
  lat: z.number().nullable(),
  status: AlertStatusSchema,
  assignee: z.string(),
  acked_by: z.string(),
  fired_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  version: z.number(),
})
export type Alert = z.infer<typeof AlertSchema>

export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) })
export const AssignBodySchema = z.object({ assignee: z.string().min(1).max(64) }).strict()
