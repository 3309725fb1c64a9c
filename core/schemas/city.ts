import { z } from 'zod'
import { RoleSchema } from './api.js'
import { RegionCodeSchema } from './common.js'

/** An IANA zone name this runtime knows (Intl throws on an unknown one). */
const TimeZoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz })
      return true
    } catch {
      return false
    }
  },
  { message: 'not an IANA time zone this runtime knows' },
)

/** What the simulator assumes about the city's people beyond its map (see simulator/spatial.ts). */
export const CitySimulatorSchema = z
  .object({
    district_weight: z
      .record(RegionCodeSchema, z.number().positive())
      .default({})
      .describe('How busy each district is relative to the others; an unlisted district counts 1.'),
    dense_districts: z
      .array(RegionCodeSchema)
      .default([])
      .describe('The central districts: hotspots are drawn there and their communities get more terminals.'),
  })
  .strict()

/** How old the newest stored record may get before the screen's header warns (GET /api/v1/status). */
export const FreshnessSchema = z
  .object({
    warn_seconds: z.number().int().positive().default(120).describe('Ingest lag past which the header turns amber.'),
    alarm_seconds: z.number().int().positive().default(600).describe('Ingest lag past which the header turns red.'),
  })
  .strict()
  .refine((f) => f.alarm_seconds > f.warn_seconds, {
    message: 'alarm_seconds must be more than warn_seconds',
    path: ['alarm_seconds'],
  })
export type Freshness = z.infer<typeof FreshnessSchema>

/** One of the contract's demo accounts (IOC_DEMO=1, password demo): which region of this city it sees. */
export const DemoAccountSchema = z
  .object({ name: z.string().min(1).max(64), role: RoleSchema, region: RegionCodeSchema })
  .strict()
export type DemoAccount = z.infer<typeof DemoAccountSchema>

/**
 * The city the system runs for (dashboards/geo/city.yaml, or city.yaml in IOC_CITY_DIR): nothing
 * in product code names a city; the geo files sit beside this file.
 */
export const CityConfigSchema = z
  .object({
    code: RegionCodeSchema.describe("The root region's code: the first row of regions.json with parent null."),
    name: z.string().min(1).max(40).describe('Chinese name, as on the screen: 南京市'),
    name_en: z.string().min(1).max(60),
    time_zone: TimeZoneSchema.describe('The default of IOC_TZ: what "today" is, and the simulated people\'s clock.'),
    geo: z
      .object({
        regions: z.string().min(1).default('regions.json'),
        topology: z.string().min(1),
      })
      .strict()
      .describe('File names relative to this file: regions.json rows and the TopoJSON outlines.'),
    demo_accounts: z.array(DemoAccountSchema).default([]).describe('Loaded only under IOC_DEMO=1.'),
    simulator: CitySimulatorSchema.default({ district_weight: {}, dense_districts: [] }),
    freshness: FreshnessSchema.default({ warn_seconds: 120, alarm_seconds: 600 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Every region the file names lies in this city (the loader checks they exist in regions.json).
    const named = [
      ...c.demo_accounts.map((a, i) => ({ code: a.region, path: ['demo_accounts', i, 'region'] })),
      ...Object.keys(c.simulator.district_weight).map((code) => ({
        code,
        path: ['simulator', 'district_weight', code],
      })),
      ...c.simulator.dense_districts.map((code, i) => ({ code, path: ['simulator', 'dense_districts', i] })),
    ]
    for (const n of named) {
      if (!n.code.startsWith(c.code))
        ctx.addIssue({ code: 'custom', path: n.path, message: `${n.code} is not within ${c.code}` })
    }
  })
export type CityConfig = z.infer<typeof CityConfigSchema>

/** GET /city.json: the city as the screen names it, before anyone signs in (api/routes/city.ts). */
export const CityInfoSchema = z.object({
  code: RegionCodeSchema,
  name: z.string(),
  name_en: z.string(),
  /** The root region's label point: where the map starts before the regions load. */
  center: z.tuple([z.number(), z.number()]),
})
export type CityInfo = z.infer<typeof CityInfoSchema>
