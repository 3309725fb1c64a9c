import { z } from 'zod'

/** Epoch milliseconds, accepted on the wire as ISO 8601 text or a number of ms. */
export const TimestampSchema = z
  .union([
    z.number().int().min(0).max(8_640_000_000_000),
    z
      .string()
      .max(40)
      .refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 time'),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))

export const GridCodeSchema = z.string().regex(/^\d{15}$/, 'a grid code has 15 digits')
export const RegionCodeSchema = z
  .string()
  .regex(/^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$/, 'a region code has 4, 6, 9, 12 or 15 digits')

export const CrsSchema = z.enum(['wgs84', 'gcj02', 'bd09'])
export type Crs = z.infer<typeof CrsSchema>

export const LonSchema = z.number().min(-180).max(180)
export const LatSchema = z.number().min(-90).max(90)

/** Short free text: bounded so a hostile sender cannot make us store megabytes per field. */
export const shortText = (max = 64) => z.string().max(max)
export const longText = (max = 4000) => z.string().max(max)

/** Fields shared by all records that carry a place: a grid code, or a position in a datum. */
export const PlaceShape = {
  grid_code: GridCodeSchema.optional(),
  lon: LonSchema.optional(),
  lat: LatSchema.optional(),
  crs: CrsSchema.optional(),
}

/** A place needs a grid code or both coordinates. */
export function requirePlace(r: { grid_code?: string; lon?: number; lat?: number }, ctx: z.RefinementCtx): void {
  const hasPos = r.lon !== undefined && r.lat !== undefined
  if ((r.lon === undefined) !== (r.lat === undefined)) {
    ctx.addIssue({ code: 'custom', path: [r.lon === undefined ? 'lon' : 'lat'], message: 'lon and lat go together' })
  }
  if (!r.grid_code && !hasPos) {
    ctx.addIssue({ code: 'custom', path: ['grid_code'], message: 'a grid_code or a position (lon, lat) is required' })
  }
}
