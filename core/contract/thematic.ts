import { z } from 'zod'
import { AlertListSchema, AlertRuleSchema, AlertSchema, AssignBodySchema } from '../schemas/alert.js'
import { FileErrorSchema, FRAME_MEDIA_TYPE, LayerListSchema } from '../schemas/layer.js'
import { ScreenListSchema, ScreenSchema } from '../schemas/screen.js'
import { RangeQuery, RegionParam, V1, body, declare, errorAnswer, errors, json } from './http.js'

/** A layer's data: the columnar frame (core/schemas/layer.ts), not JSON. */
const frame = {
  description: `the columnar frame (${FRAME_MEDIA_TYPE}): u32 header length, JSON header, typed columns`,
  content: { [FRAME_MEDIA_TYPE]: { schema: z.string().meta({ format: 'binary' }) } },
}
const FileId = z.string()

// ---- layers -------------------------------------------------------------------------------------
export const layers = declare({
  method: 'get',
  path: `${V1}/layers`,
  tags: ['layers'],
  summary: "The layers open to the caller's role and region (file problems for analysts and admins)",
  responses: { 200: json(LayerListSchema), ...errors },
})
export const layerData = declare({
  method: 'get',
  path: `${V1}/layers/{id}/data`,
  tags: ['layers'],
  summary: "One layer's rows for a region and range; the layer's declared parameters come as more query parameters",
  request: { params: z.object({ id: FileId }), query: z.object({ region: RegionParam, ...RangeQuery.shape }) },
  responses: { 200: frame, ...errors, 422: errorAnswer('the query went over its limits') },
})

// ---- alerts -------------------------------------------------------------------------------------
const AlertId = z.object({ id: z.string() })
const conflict = errorAnswer('the alert is already resolved')

export const alerts = declare({
  method: 'get',
  path: `${V1}/alerts`,
  tags: ['alerts'],
  summary: "Alerts in the caller's region, newest first",
  request: {
    query: z.object({
      region: RegionParam,
      ...RangeQuery.shape,
      status: z.enum(['active', 'firing', 'acknowledged', 'resolved']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: json(AlertListSchema), ...errors },
})
export const alertRules = declare({
  method: 'get',
  path: `${V1}/alerts/rules`,
  tags: ['alerts'],
  summary: "The alert rules about the caller's region (file problems for analysts and admins)",
  responses: { 200: json(z.object({ rules: z.array(AlertRuleSchema), errors: z.array(FileErrorSchema) })), ...errors },
})
export const acknowledgeAlert = declare({
  method: 'post',
  path: `${V1}/alerts/{id}/acknowledge`,
  tags: ['alerts'],
  summary: 'Acknowledge an alert (operator, admin)',
  request: { params: AlertId },
  responses: { 200: json(AlertSchema), ...errors, 409: conflict },
})
export const assignAlert = declare({
  method: 'post',
  path: `${V1}/alerts/{id}/assign`,
  tags: ['alerts'],
  summary: 'Assign an alert to someone (operator, admin)',
  request: { params: AlertId, body: body(AssignBodySchema) },
  responses: { 200: json(AlertSchema), ...errors, 409: conflict },
})

// ---- the studio (analyst, admin) ----------------------------------------------------------------
export const StudioKindSchema = z.enum(['layers', 'alerts'])
export type StudioKind = z.infer<typeof StudioKindSchema>
const Kind = z.object({ kind: StudioKindSchema })
const TextBody = z.object({ text: z.string().min(1).max(100_000) })
const invalid = errorAnswer('the draft does not validate: details.errors lists why')

export const studioList = declare({
  method: 'get',
  path: `${V1}/studio/{kind}`,
  tags: ['studio'],
  summary: 'The ids of the layer or rule files, and the problems of those that do not validate',
  request: { params: Kind },
  responses: { 200: json(z.object({ ids: z.array(z.string()), errors: z.array(FileErrorSchema) })), ...errors },
})
export const studioRead = declare({
  method: 'get',
  path: `${V1}/studio/{kind}/{id}`,
  tags: ['studio'],
  summary: 'One file as text',
  // Checked by the handler: an unknown kind or id is a 404 like a missing file.
  request: { params: z.object({ kind: z.string(), id: z.string() }) },
  responses: { 200: json(z.object({ id: z.string(), text: z.string() })), ...errors },
})
export const studioValidate = declare({
  method: 'post',
  path: `${V1}/studio/{kind}/validate`,
  tags: ['studio'],
  summary: 'Validate a draft file (its SQL is checked against the sandbox)',
  request: { params: Kind, body: body(TextBody) },
  responses: {
    // Errors make a draft invalid; warnings (a deprecated table it reads) do not.
    200: json(z.object({ errors: z.array(FileErrorSchema), warnings: z.array(FileErrorSchema) })),
    ...errors,
  },
})
export const studioRun = declare({
  method: 'post',
  path: `${V1}/studio/layers/run`,
  tags: ['studio'],
  summary: "Run a draft layer in the caller's scope: the layer route's frame, with x-ioc-total-ms",
  request: {
    body: body(
      TextBody.extend({ region: z.string().optional(), from: z.string().optional(), to: z.string().optional() }),
    ),
  },
  responses: { 200: frame, ...errors, 422: errorAnswer('the query went over its limits') },
})
export const studioDryRun = declare({
  method: 'post',
  path: `${V1}/studio/alerts/dry-run`,
  tags: ['studio'],
  summary: 'A draft rule over the past week: when it would have fired and cleared (nothing is stored)',
  request: { body: body(TextBody) },
  responses: {
    200: json(
      z.object({
        evaluations: z.number(),
        fired: z.number(),
        elapsed_ms: z.number(),
        events: z.array(
          z.object({
            at: z.string(),
            kind: z.enum(['fire', 'resolve']),
            key: z.string(),
            region: z.string(),
            value: z.number(),
            detail: z.string(),
            /** The detail in English, for the English screen. */
            detail_en: z.string(),
          }),
        ),
      }),
    ),
    ...errors,
    422: errorAnswer('the query went over its limits'),
  },
})
export const studioSave = declare({
  method: 'post',
  path: `${V1}/studio/{kind}/{id}/save`,
  tags: ['studio'],
  summary: 'Save a valid file under its id (audited; the watcher reloads it)',
  request: { params: z.object({ kind: StudioKindSchema, id: z.string() }), body: body(TextBody) },
  responses: {
    200: json(z.object({ saved: z.string(), action: z.enum(['create', 'update']) })),
    ...errors,
    400: invalid,
  },
})

// ---- screens ------------------------------------------------------------------------------------
export const screens = declare({
  method: 'get',
  path: `${V1}/screens`,
  tags: ['screens'],
  summary: 'The screen files of dashboards/screens, for the carousel',
  responses: { 200: json(ScreenListSchema), ...errors },
})
export const screen = declare({
  method: 'get',
  path: `${V1}/screens/{id}`,
  tags: ['screens'],
  summary: "One screen's layout",
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: json(ScreenSchema), ...errors, 500: errorAnswer('the screen file is invalid') },
})
