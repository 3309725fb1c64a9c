import { z } from 'zod'
import type { Role } from './schemas/api.js'

/**
 * Personal data (个人信息) as a class of record fields, declared once on the record schemas
 * (core/schemas/records.ts) with `.meta(personal(…))`:
 * - `text`: free text by or about a person (a caller's description and address, a reporter's name):
 *   it can hold names, phone and ID-card numbers, house numbers;
 * - `position`: the exact place of a citizen's request.
 * Where it may go, and the audit of who read it: docs/security.md.
 */
export type PersonalClass = 'text' | 'position'

/**
 * Whether a role may see personal data, in its scope; every such read is audited. Analysts see
 * de-identified rows everywhere; the live socket and the SQL sandbox carry none for anyone.
 */
export function seesPersonalData(role: Role): boolean {
  return role === 'admin' || role === 'operator' || role === 'leader'
}

/** The meta of a personal field: `shortText(256).optional().meta(personal('text'))`. */
export const personal = (kind: PersonalClass) => ({ personal: kind })

export interface PersonalFields {
  /** Fields blanked in a de-identified row. */
  text: readonly string[]
  /** Coordinate fields moved to the centre of the record's grid in a de-identified row. */
  position: readonly string[]
}

function classOf(field: z.ZodType): PersonalClass | undefined {
  const own = z.globalRegistry.get(field)?.personal
  if (own === 'text' || own === 'position') return own
  return field instanceof z.ZodOptional || field instanceof z.ZodNullable || field instanceof z.ZodDefault
    ? classOf(field.unwrap() as z.ZodType)
    : undefined
}

/** The personal fields of a record schema, read from its fields' meta. */
export function personalFields(schema: z.ZodObject): PersonalFields {
  const text: string[] = []
  const position: string[] = []
  for (const [name, field] of Object.entries(schema.shape)) {
    const kind = classOf(field as z.ZodType)
    if (kind === 'text') text.push(name)
    if (kind === 'position') position.push(name)
  }
  return { text, position }
}

/**
 * Rows as a reader of `role` may see them: whole for a role that sees personal data, after
 * `onWhole` is told which ones (the caller's audit); de-identified otherwise. Every way out that
 * hands records to a user (lists, Open311, exports) goes through here.
 */
export function releaseTo<T extends object>(
  role: Role,
  rows: T[],
  fields: PersonalFields,
  centre: (row: T) => readonly [number, number] | undefined,
  onWhole: (rows: T[]) => void,
): T[] {
  if (!seesPersonalData(role)) return rows.map((r) => deidentify(r, fields, () => centre(r)))
  if (rows.length > 0) onWhole(rows)
  return rows
}

/**
 * A row without its personal data: text fields empty, a position moved to `centre` (the centre of
 * the record's grid; coordinates rounded to 0.01° when the grid is unknown). Other fields stay.
 *
 * @example
 * deidentify({ ticket_id: 'T1', address: '中山路 5 号', lon: 118.7812, lat: 32.0611 }, { text: ['address'], position:
 * ['lon', 'lat'] }, () => [118.78, 32.06])
 * // { ticket_id: 'T1', address: '', lon: 118.78, lat: 32.06 }
 */
export function deidentify<T extends object>(
  row: T,
  fields: PersonalFields,
  centre: () => readonly [number, number] | undefined,
): T {
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>) }
  for (const f of fields.text) if (f in out) out[f] = out[f] === null ? null : ''
  if (fields.position.length === 2 && fields.position.every((f) => typeof out[f] === 'number')) {
    const [lonField, latField] = fields.position
    const c = centre() ?? [
      Math.round((out[lonField] as number) * 100) / 100,
      Math.round((out[latField] as number) * 100) / 100,
    ]
    out[lonField] = c[0]
    out[latField] = c[1]
  }
  return out as T
}
