import { z } from 'zod'
import { AlertRuleSchema } from '#core/schemas/alert.js'
import { LayerSchema } from '#core/schemas/layer.js'
import { DEPRECATED_TABLES, VIEWS } from './sandbox.js'

// The schema reference of docs/layers.md and the JSON Schemas of dashboards/schemas/, both made
// from the zod schemas so they cannot drift (test/unit/layers-docs.test.ts checks they are current).

type Json = {
  type?: string | string[]
  description?: string
  default?: unknown
  enum?: unknown[]
  const?: unknown
  pattern?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minItems?: number
  maxItems?: number
  minLength?: number
  maxLength?: number
  properties?: Record<string, Json>
  required?: string[]
  items?: Json | Json[]
  prefixItems?: Json[]
  additionalProperties?: Json | boolean
  oneOf?: Json[]
  anyOf?: Json[]
}

export function jsonSchemas(): { 'layer.schema.json': object; 'alert.schema.json': object } {
  const opts = { io: 'input', unrepresentable: 'any' } as const
  return {
    'layer.schema.json': { ...z.toJSONSchema(LayerSchema, opts), title: 'Thematic layer (dashboards/layers/*.yaml)' },
    'alert.schema.json': { ...z.toJSONSchema(AlertRuleSchema, opts), title: 'Alert rule (dashboards/alerts/*.yaml)' },
  }
}

function typeOf(s: Json): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(' | ')
  const alts = s.oneOf ?? s.anyOf
  if (alts) return alts.map(typeOf).join(' or ')
  if (s.type === 'array') {
    if (s.prefixItems) return `[${s.prefixItems.map(typeOf).join(', ')}]`
    return `list of ${s.items && !Array.isArray(s.items) ? typeOf(s.items) : 'values'}`
  }
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object')
    return 'map of name → object'
  if (s.type === 'object') return 'object'
  if (Array.isArray(s.type)) return s.type.join(' or ')
  if (s.type === 'string' && s.pattern) return `text (\`${s.pattern}\`)`
  return s.type ?? 'any'
}

function limits(s: Json): string {
  const l: string[] = []
  if (s.minimum !== undefined) l.push(`≥ ${s.minimum}`)
  if (s.exclusiveMinimum !== undefined) l.push(`> ${s.exclusiveMinimum}`)
  if (s.maximum !== undefined) l.push(`≤ ${s.maximum}`)
  if (s.minItems !== undefined) l.push(`${s.minItems}+ items`)
  if (s.maxItems !== undefined) l.push(`≤ ${s.maxItems} items`)
  if (s.maxLength !== undefined) l.push(`≤ ${s.maxLength} chars`)
  return l.join(', ')
}

const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function fieldRows(s: Json, prefix: string, out: string[], sections: string[]): void {
  const required = new Set(s.required ?? [])
  for (const [name, f] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`
    const need =
      required.has(name) && f.default === undefined
        ? 'required'
        : f.default !== undefined
          ? `default \`${JSON.stringify(f.default)}\``
          : 'optional'
    const desc = [f.description, limits(f)].filter(Boolean).join(' ')
    const variants = f.oneOf ?? f.anyOf
    const objectVariants = variants?.filter((v) => v.type === 'object' && v.properties) ?? []
    const tag =
      objectVariants.length > 1
        ? Object.keys(objectVariants[0].properties!).find((k) =>
            objectVariants.every((v) => v.properties![k]?.const !== undefined),
          )
        : undefined
    if (tag) {
      // A tagged union (draw, legend, condition): one table per variant.
      out.push(
        `| \`${path}\` | one of ${objectVariants.length} kinds (by \`${tag}\`) | ${need} | ${cellText(desc)} See below. |`,
      )
      for (const v of objectVariants) {
        const kind = String(v.properties![tag!].const)
        const rows: string[] = []
        fieldRows(v, `${path}.`, rows, sections)
        sections.push(
          `#### \`${path}.${tag}: ${kind}\`\n\n| field | type | | meaning |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`,
        )
      }
      continue
    }
    out.push(`| \`${path}\` | ${cellText(typeOf(f))} | ${need} | ${cellText(desc)} |`)
    // Untagged object alternatives (a linear or an ordinal size scale): their fields in one list.
    const merged =
      objectVariants.length > 1
        ? { type: 'object', properties: Object.assign({}, ...objectVariants.map((v) => v.properties)) }
        : undefined
    const obj = merged ?? variants?.find((v) => v.type === 'object' && v.properties) ?? f
    if (obj.type === 'object' && obj.properties) fieldRows(obj, `${path}.`, out, sections)
    if (f.type === 'object' && f.additionalProperties && typeof f.additionalProperties === 'object')
      fieldRows(f.additionalProperties, `${path}.<name>.`, out, sections)
    if (f.type === 'array' && f.items && !Array.isArray(f.items) && f.items.type === 'object')
      fieldRows(f.items, `${path}[].`, out, sections)
  }
}

function table(title: string, schema: Json): string {
  const rows: string[] = []
  const sections: string[] = []
  fieldRows(schema, '', rows, sections)
  return `### ${title}\n\n| field | type | | meaning |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n\n${sections.join('\n')}`
}

/** The generated part of docs/layers.md. */
export function renderReference(): string {
  const s = jsonSchemas()
  const views = Object.entries(VIEWS)
    .map(([t, { scope }]) => `\`${t}\` (scoped by \`${scope}\`)`)
    .join(', ')
  const deprecated = Object.entries(DEPRECATED_TABLES)
    .map(([t, { use }]) => `\`${t}\` → \`${use}\``)
    .join(', ')
  return [
    '<!-- reference:start (generated by `npm run layers:check -- --write` from core/schemas/layer.ts and alert.ts; do not edit) -->',
    '',
    `Views a query reads: ${views}.`,
    '',
    `Deprecated, still read (each with the view to read instead): ${deprecated}.`,
    '',
    table('Layer file (`dashboards/layers/<id>.yaml`)', s['layer.schema.json'] as Json),
    table('Alert rule file (`dashboards/alerts/<id>.yaml`)', s['alert.schema.json'] as Json),
    '<!-- reference:end -->',
  ].join('\n')
}

/** docs/layers.md with its reference part replaced by the current one. */
export function withReference(doc: string): string {
  const start = doc.indexOf('<!-- reference:start')
  const end = doc.indexOf('<!-- reference:end -->')
  if (start < 0 || end < 0) throw new Error('docs/layers.md has no <!-- reference:start … reference:end --> markers')
  return doc.slice(0, start) + renderReference() + doc.slice(end + '<!-- reference:end -->'.length)
}
