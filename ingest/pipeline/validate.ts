import type { z } from 'zod'

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
