import { z } from 'zod'

/** The event catalogue (事项目录): classes of matters, each matter owned by a department with a deadline. */
export const DepartmentSchema = z.object({
  id: z.string().regex(/^[a-z_]+$/),
  name: z.string(),
  name_en: z.string(),
  /** Typical hours from dispatch to handled; drives the simulator and the SLA defaults. */
  handle_hours: z.number().positive(),
})
export const MatterSchema = z.object({
  id: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'matter ids are class.matter'),
  name: z.string(),
  name_en: z.string(),
  department: z.string(),
  /** Deadline from report to close, in hours. */
  sla_hours: z.number().positive(),
  /** Relative frequency, for the simulator's category mix. */
  weight: z.number().nonnegative().default(1),
})
export const EventClassSchema = z.object({
  id: z.string().regex(/^[a-z_]+$/),
  name: z.string(),
  name_en: z.string(),
  matters: z.array(MatterSchema).min(1),
})
export const EventCatalogSchema = z.object({
  kind: z.literal('event-catalog'),
  schemaVersion: z.literal(1),
  departments: z.array(DepartmentSchema).min(1),
  classes: z.array(EventClassSchema).min(1),
})
export type EventCatalog = z.infer<typeof EventCatalogSchema>

export const HotlineCategorySchema = z.object({
  id: z.string().regex(/^[a-z_]+$/),
  name: z.string(),
  name_en: z.string(),
  department: z.string(),
  sla_hours: z.number().positive(),
  weight: z.number().nonnegative().default(1),
})
export const HotlineCatalogSchema = z.object({
  kind: z.literal('hotline-catalog'),
  schemaVersion: z.literal(1),
  channels: z.array(
    z.object({ id: z.string(), name: z.string(), name_en: z.string(), weight: z.number().nonnegative() }),
  ),
  categories: z.array(HotlineCategorySchema).min(1),
})
export type HotlineCatalog = z.infer<typeof HotlineCatalogSchema>

/** The fields of a GeoReport v2 service request. */
export const OPEN311_REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
] as const
/** A caller's own words and address: personal data (core/personal.ts), never published without a token. */
export const OPEN311_PERSONAL_FIELDS = ['description', 'address'] as const

/** dashboards/catalog/open311.yaml: what the city publishes of its service requests to anyone. */
export const Open311PublicationSchema = z
  .object({
    kind: z.literal('open311-publication'),
    schemaVersion: z.literal(1),
    public: z.boolean().describe('Whether GET requests.json answers without a token at all.'),
    fields: z
      .array(z.enum(OPEN311_REQUEST_FIELDS))
      .refine((f) => !f.some((x) => (OPEN311_PERSONAL_FIELDS as readonly string[]).includes(x)), {
        message: `${OPEN311_PERSONAL_FIELDS.join(' and ')} are personal data and cannot be published`,
      })
      .describe('Fields answered without a token; lat and long are the centre of the request’s grid.'),
  })
  .strict()
export type Open311Publication = z.infer<typeof Open311PublicationSchema>

export { classOf } from '../category.js'
