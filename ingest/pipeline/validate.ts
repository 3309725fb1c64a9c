import { Ajv2020 } from 'ajv/dist/2020.js'
import { toJSONSchema, type z } from 'zod'

export interface RecordError {
  index: number
  path: string
  message: string
}

export type Step<T> = { ok: true; value: T } | { ok: false; path: string; message: string }

/** Dotted path of a zod issue (`evaluation`, `items.2.lon`); the record itself is ''. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.')
}

/** Validate one record against its stream's schema: the first issue names the field and why. */
export function validateRecord<S extends z.ZodType>(schema: S, raw: unknown): Step<z.infer<S>> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]
  return { ok: false, path: issuePath(issue.path), message: issue.message }
}

/**
 * A compiled validator generated from the same zod schema (zod → JSON Schema → ajv), about ten
 * times cheaper per record than zod's parse. JSON Schema cannot say what the schema's refinements
 * say (a time that parses, a place that is given), so those few checks follow here; a record that
 * fails any check goes through zod, which names the field and the reason. zod stays the authority:
 * a record the fast path accepts is one zod accepts (test/unit/ingest-validate.test.ts checks it).
 * The accepted record is the parsed input itself, not a copy; its times are still wire values.
 */
export function createFastValidator<S extends z.ZodType>(
  schema: S,
): (raw: unknown) => Step<Readonly<Record<string, unknown>>> {
  const check = ajv.compile(toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as object)
  return (raw) => {
    if (check(raw) && refinementsHold(raw as Record<string, unknown>))
      return { ok: true, value: raw as Record<string, unknown> }
    const slow = validateRecord(schema, raw)
    // zod accepting what the fast path refused is legitimate (ajv is stricter on nothing we know of, but zod decides).
    return slow.ok ? { ok: true, value: raw as Record<string, unknown> } : slow
  }
}

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false })

const parses = (v: unknown) =>
  v === undefined || typeof v === 'number' || (typeof v === 'string' && !Number.isNaN(Date.parse(v)))

/** What the schemas' refine/superRefine add to their JSON Schema: times that parse, a place. */
function refinementsHold(r: Record<string, unknown>): boolean {
  if (!parses(r.ts) || !parses(r.deadline)) return false
  const hasLon = r.lon !== undefined
  if (hasLon !== (r.lat !== undefined)) return false
  return hasLon || (typeof r.grid_code === 'string' && r.grid_code !== '')
}
