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
  channels: z.array(z.object({ id: z.string(), name: z.string(), name_en: z.string(), weight: z.number().nonnegative() })),
  categories: z.array(HotlineCategorySchema).min(1),
})
export type HotlineCatalog = z.infer<typeof HotlineCatalogSchema>

export { classOf } from '../category.js'
