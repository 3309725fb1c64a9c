import { z } from 'zod'
import { LEVELS } from '../regions.js'
import { RegionCodeSchema } from './common.js'

// A thematic layer (专题图层) is a file in dashboards/layers/: a query over the streams plus a way
// to draw it. This schema is the single definition: the loader, the api, the studio's completion
// (via the generated JSON Schema in dashboards/schemas/) and docs/layers.md all come from it.

export const HUMAN_ROLES = ['admin', 'operator', 'leader', 'analyst'] as const
export const LayerRoleSchema = z.enum(HUMAN_ROLES)

export const IdSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{1,63}$/,
    'an id is 2–64 characters: lower-case letters, digits, _ and -, starting with a letter',
  )
  .describe('Unique id; also the file name without .yaml.')

export const TitleSchema = z
  .object({
    zh: z.string().min(1).max(40).describe('Chinese title'),
    en: z.string().min(1).max(60).describe('English title'),
  })
  .strict()
  .describe('Titles in Chinese and English.')

/** ClickHouse types a declared parameter may have; each maps to a JSON type in the query string. */
export const PARAM_TYPES = ['String', 'Int64', 'UInt32', 'Float64'] as const
export const ParamSchema = z
  .object({
    type: z.enum(PARAM_TYPES).describe('ClickHouse type of the bound parameter {name:Type}.'),
    default: z.union([z.string(), z.number()]).describe('Value used when the request does not give one.'),
    description: z.string().max(200).optional(),
  })
  .strict()
export type LayerParam = z.infer<typeof ParamSchema>

/** Names the sandbox binds itself: a layer may not declare them. */
export const RESERVED_PARAMS = ['region', 'from', 'to', 'now', 'level', 'child_depth', 'depth'] as const

const ColumnName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a result column name')
const HexColor = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'a colour is #rrggbb or #rrggbbaa')

export const ColorScaleSchema = z
  .object({
    field: ColumnName.describe('Result column the colour is computed from.'),
    scale: z
      .enum(['linear', 'quantize', 'ordinal'])
      .default('linear')
      .describe('linear: interpolate over domain; quantize: equal steps; ordinal: one colour per domain value.'),
    domain: z
      .array(z.union([z.number(), z.string()]))
      .min(1)
      .describe('Numbers for linear/quantize ([min, max]), values for ordinal.'),
    colors: z.array(HexColor).min(1).describe('Colours: the ramp, or one per ordinal value.'),
    other: HexColor.optional().describe('Ordinal: colour of a value not in the domain.'),
  })
  .strict()
export const ColorSchema = z
  .union([HexColor, ColorScaleSchema])
  .describe('A fixed colour or a colour scale over a column.')
export type ColorScale = z.infer<typeof ColorScaleSchema>

export const SizeScaleSchema = z
  .object({
    field: ColumnName,
    domain: z.tuple([z.number(), z.number()]).describe('Input range of the column.'),
    range: z.tuple([z.number(), z.number()]).describe('Output range (pixels or metres).'),
  })
  .strict()
export const OrdinalSizeSchema = z
  .object({
    field: ColumnName,
    scale: z.literal('ordinal'),
    domain: z.array(z.string()).min(1).describe('Values of the column.'),
    sizes: z.array(z.number().nonnegative()).min(1).describe('One size per domain value.'),
    other: z.number().nonnegative().default(4).describe('Size of a value not in the domain.'),
  })
  .strict()
  .refine((s) => s.sizes.length === s.domain.length, { message: 'one size per domain value' })
export const SizeSchema = z
  .union([z.number().nonnegative(), SizeScaleSchema, OrdinalSizeSchema])
  .describe('A fixed size, a linear scale over a numeric column, or one size per value of a column.')
export type SizeSpec = z.infer<typeof SizeSchema>

export const PositionSchema = z
  .object({ lon: ColumnName.default('lon'), lat: ColumnName.default('lat') })
  .strict()
  .describe('Columns holding WGS84 longitude and latitude.')

const position = PositionSchema.default({ lon: 'lon', lat: 'lat' })
const tooltip = z.array(ColumnName).max(12).default([]).describe('Columns shown in the tooltip.')

const Scatter = z
  .object({
    type: z.literal('scatter'),
    position,
    color: ColorSchema.default('#4fc3f7'),
    radius: SizeSchema.default(5),
    radius_units: z.enum(['pixels', 'meters']).default('pixels'),
    stroke: ColorSchema.default('#030a18c8').describe('Outline colour: fixed or a scale (a ring coloured by status).'),
    stroke_width: z.number().min(0).max(10).default(1).describe('Outline width in pixels.'),
    tooltip,
  })
  .strict()
const Icon = z
  .object({
    type: z.literal('icon'),
    position,
    icon: z.enum(['pin', 'triangle', 'square', 'diamond']).default('pin'),
    color: ColorSchema.default('#ffb300'),
    size: SizeSchema.default(24),
    tooltip,
  })
  .strict()
const Heatmap = z
  .object({
    type: z.literal('heatmap'),
    position,
    weight: ColumnName.optional().describe('Column weighting each point.'),
    radius_pixels: z.number().min(1).max(200).default(30),
    colors: z.array(HexColor).min(2).optional(),
    tooltip,
  })
  .strict()
const Hexagon = z
  .object({
    type: z.literal('hexagon'),
    position,
    weight: ColumnName.optional(),
    radius: z
      .union([z.number().min(20).max(20000), z.literal('auto')])
      .default(500)
      .describe('Hexagon radius in metres; auto: about 40 hexagons across the region in view, 15 m to 5 km.'),
    colors: z.array(HexColor).min(2).optional(),
    color_scale: z
      .enum(['linear', 'sqrt'])
      .default('linear')
      .describe("How a cell's count picks its colour step; sqrt keeps a few busy cells from washing the rest out."),
    extruded: z.boolean().default(true),
    elevation_scale: z.number().min(0).default(20),
    opacity: z.number().min(0).max(1).default(0.8),
    tooltip,
  })
  .strict()
const Grid = z
  .object({
    type: z.literal('grid'),
    position,
    weight: ColumnName.optional(),
    cell_size: z.number().min(20).max(20000).default(500).describe('Cell size in metres.'),
    colors: z.array(HexColor).min(2).optional(),
    extruded: z.boolean().default(false),
    elevation_scale: z.number().min(0).default(20),
    tooltip,
  })
  .strict()
const Arc = z
  .object({
    type: z.literal('arc'),
    source: PositionSchema,
    target: PositionSchema,
    color: ColorSchema.default('#4fc3f7'),
    target_color: HexColor.optional(),
    width: SizeSchema.default(2),
    shape: z
      .enum(['arc', 'flat'])
      .default('arc')
      .describe(
        "arc: deck.gl's 3D arc; flat: a curve bowed in the map's plane, which reads as an arc on an unpitched map.",
      ),
    target_ring: z.number().min(0).max(40).default(0).describe('Radius in pixels of a ring at each target (0: none).'),
    tooltip,
  })
  .strict()
const Path = z
  .object({
    type: z.literal('path'),
    path: ColumnName.describe('Column of type Array(Tuple(Float64, Float64)): the vertices [lon, lat].'),
    color: ColorSchema.default('#4fc3f7'),
    width: SizeSchema.default(3),
    tooltip,
  })
  .strict()
const Text = z
  .object({
    type: z.literal('text'),
    position,
    text: ColumnName.describe('Column with the label.'),
    color: ColorSchema.default('#e0f7ff'),
    size: SizeSchema.default(14),
    tooltip,
  })
  .strict()
const Choropleth = z
  .object({
    type: z.literal('choropleth'),
    key: ColumnName.default('region').describe(
      "Column holding the region code of a child of the current region (the current level's children).",
    ),
    color: ColorScaleSchema,
    opacity: z.number().min(0).max(1).default(0.7),
    tooltip,
  })
  .strict()

export const DrawSchema = z
  .discriminatedUnion('type', [Scatter, Icon, Heatmap, Hexagon, Grid, Arc, Path, Text, Choropleth])
  .describe('How the rows are drawn: a deck.gl layer kind and its encodings.')
export type LayerDraw = z.infer<typeof DrawSchema>
export type DrawType = LayerDraw['type']

/**
 * Legend text: a `{zh, en}` pair the screen shows in its language, or a single string shown as is in
 * both (files written before the pair keep working).
 */
export const legendText = (max: number, min = 0) =>
  z
    .union([
      z.string().min(min).max(max),
      z
        .object({
          zh: z.string().min(min).max(max).describe('Chinese'),
          // English runs longer than the Chinese it translates.
          en: z
            .string()
            .min(min)
            .max(Math.round(max * 1.5))
            .describe('English'),
        })
        .strict(),
    ])
    .describe('Text in Chinese and English ({zh, en}), or one string shown as is in both languages.')
export type LegendText = z.infer<ReturnType<typeof legendText>>

export const LegendSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('gradient'),
        colors: z.array(HexColor).min(2),
        labels: z.tuple([legendText(200), legendText(200)]).describe('Low and high end.'),
        unit: legendText(20).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('categories'),
        items: z
          .array(z.object({ label: legendText(40, 1), color: HexColor }).strict())
          .min(1)
          .max(16),
      })
      .strict(),
  ])
  .describe('What the map legend shows for this layer.')
export type LayerLegend = z.infer<typeof LegendSchema>

// ---- live updates ------------------------------------------------------------------------------
// A layer over records the live socket pushes (events, tickets, terminals) can take each push as a
// row without waiting for its next reload: the row with the same `key` is replaced (or a new one
// added); result columns named like a field of the pushed record take its value, `derive`d columns
// are computed from the record by rules, and any other column keeps the row's last loaded value.
export const LIVE_TOPICS = ['events', 'tickets', 'terminals'] as const
const DeriveRuleSchema = z
  .object({
    field: ColumnName.describe('Field of the pushed record.'),
    in: z.array(z.string()).min(1).optional().describe('The rule holds when the field is one of these values.'),
    past: z
      .boolean()
      .optional()
      .describe('true: the rule holds when the field is a time before now; false: when it is not.'),
    value: z.string().describe('Value of the derived column when the rule holds.'),
  })
  .strict()
  .refine((r) => (r.in === undefined) !== (r.past === undefined), { message: 'a rule has either `in` or `past`' })
export const LiveSchema = z
  .object({
    topic: z.enum(LIVE_TOPICS).describe('Records pushed on this topic of the live socket update the layer.'),
    key: ColumnName.describe('Result column and record field that identify a row (event_id, terminal_id …).'),
    max_rows: z.number().int().min(1).max(200_000).default(1500).describe('Rows kept; the oldest go first.'),
    derive: z
      .record(ColumnName, z.object({ rules: z.array(DeriveRuleSchema).min(1), otherwise: z.string() }).strict())
      .default({})
      .describe('Columns computed from a pushed record: the first rule that holds gives the value, else `otherwise`.'),
  })
  .strict()
  .describe('Take pushed records as rows between reloads.')
export type LayerLive = z.infer<typeof LiveSchema>

const SqlSchema = z
  .string()
  .min(10)
  .max(20_000)
  .describe(
    'One SELECT. Bound parameters: {region:String}, {from:DateTime64(3)}, {to:DateTime64(3)}, {now:DateTime64(3)}, ' +
      '{child_depth:UInt8} and the declared params. It reads the views (docs/layers.md, "The views"), unqualified.',
  )

export const LayerSchema = z
  .object({
    id: IdSchema,
    title: TitleSchema,
    description: z.string().max(1000).default('').describe('What the layer shows and why.'),
    scope: RegionCodeSchema.optional().describe(
      'The region the layer is about: its data never leaves it, it is listed to users whose region overlaps it, and only users inside it may change the file. Absent: the whole city.',
    ),
    levels: z.array(z.enum(LEVELS)).min(1).describe('Levels of the region in scope at which the layer applies.'),
    params: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a parameter name'), ParamSchema)
      .default({})
      .refine((p) => Object.keys(p).every((k) => !(RESERVED_PARAMS as readonly string[]).includes(k)), {
        message: `region, from, to, now and child_depth are bound by the sandbox`,
      })
      .describe('Extra bound parameters with their types and defaults.'),
    sql: SqlSchema,
    draw: DrawSchema,
    legend: LegendSchema,
    refresh_seconds: z
      .number()
      .int()
      .min(10)
      .max(86_400)
      .default(300)
      .describe('How often the screen reloads the layer.'),
    live: LiveSchema.optional(),
    roles: z
      .array(LayerRoleSchema)
      .min(1)
      .default([...HUMAN_ROLES])
      .describe('Roles that may use the layer.'),
  })
  .strict()
export type Layer = z.infer<typeof LayerSchema>
export type LayerInput = z.input<typeof LayerSchema>

/** What GET /api/v1/layers lists for each layer. */
export const LayerSummarySchema = z.object({
  id: z.string(),
  title: TitleSchema,
  description: z.string(),
  levels: z.array(z.enum(LEVELS)),
  draw: DrawSchema,
  legend: LegendSchema,
  refresh_seconds: z.number(),
  params: z.record(z.string(), ParamSchema),
  live: LiveSchema.optional(),
})
export type LayerSummary = z.infer<typeof LayerSummarySchema>
/** One problem in one file, where an analyst can find it. */
export const FileErrorSchema = z.object({
  file: z.string(),
  line: z.number().nullable(),
  field: z.string(),
  message: z.string(),
})
export type FileError = z.infer<typeof FileErrorSchema>
export const LayerListSchema = z.object({
  layers: z.array(LayerSummarySchema),
  /** Files that did not validate: the others keep working. */
  errors: z.array(FileErrorSchema),
})
export type LayerList = z.infer<typeof LayerListSchema>

// ---- the columnar frame -------------------------------------------------------------------------
// GET /api/v1/layers/{id}/data answers `application/vnd.ioc.columns`: a little-endian u32 header
// length, the JSON header, padding to 8 bytes, then each column's typed array at its offset.
// Numbers travel as Float64/Float32 arrays that deck.gl takes as binary attributes; text columns as
// a dictionary plus Uint32 indices. No per-row objects anywhere on the wire.
export const FRAME_MEDIA_TYPE = 'application/vnd.ioc.columns'
export const FrameColumnSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string(), kind: z.literal('f64'), offset: z.number(), dbType: z.string() }),
  z.object({ name: z.string(), kind: z.literal('f32'), offset: z.number(), dbType: z.string() }),
  z.object({
    name: z.string(),
    kind: z.literal('dict'),
    offset: z.number(),
    dbType: z.string(),
    dict: z.array(z.string()),
  }),
  /** Array of [lon, lat] points per row: `starts` (Uint32, length+1) then Float64 xy pairs. */
  z.object({
    name: z.string(),
    kind: z.literal('path'),
    offset: z.number(),
    dbType: z.string(),
    points: z.number(),
    coordsOffset: z.number(),
  }),
])
export type FrameColumn = z.infer<typeof FrameColumnSchema>
export const FrameHeaderSchema = z.object({
  layer: z.string(),
  region: z.string(),
  rows: z.number(),
  truncated: z.boolean(),
  elapsed_ms: z.number(),
  rows_read: z.number(),
  bytes_read: z.number(),
  columns: z.array(FrameColumnSchema),
})
export type FrameHeader = z.infer<typeof FrameHeaderSchema>
