/**
 * Query parameters bound into the SQL text, the way ClickHouse's own ReplaceQueryParameterVisitor
 * does it on a server: each `{name:Type}` outside string literals, quoted identifiers and comments
 * becomes a literal (`'text'` for a String, `_CAST(literal, 'Type')` for any other type).
 *
 * Why: chDB's native binder serializes every parameterized query of the process on one chain (a
 * workaround for a race in libchdb's parameter state), so one analyst's 8-second query held every
 * other query with parameters — the operator's overview, ingest's insert — behind it. Queries
 * without parameters run in parallel on separate connections; binding here lets each workload run
 * on its own connection (store/lanes.ts). A server connection keeps ClickHouse's own binding.
 *
 * Values are typed by the placeholder's declared type and rendered as escaped literals, so a value
 * can never become SQL; an unsupported type or a value that does not fit its type is an error.
 */

export class BindError extends Error {
  override name = 'BindError'
}

/** A placeholder found in the SQL text: where it is and what it declares. */
interface Placeholder {
  start: number
  end: number
  name: string
  type: string
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y
const SPACE = /\s*/y

/** The end (exclusive) of a quoted token starting at `i` (quote char q): backslash escapes and doubled quotes. */
function skipQuoted(sql: string, i: number, q: string): number {
  for (let j = i + 1; j < sql.length; j++) {
    const c = sql[j]
    if (c === '\\') j++
    else if (c === q) {
      if (sql[j + 1] === q) j++
      else return j + 1
    }
  }
  return sql.length
}

/** The end of a `/* … *\/` comment starting at `i`; ClickHouse nests them, as the SQL standard says. */
function skipBlockComment(sql: string, i: number): number {
  let depth = 0
  for (let j = i; j < sql.length - 1; j++) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth++
      j++
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--
      j++
      if (depth === 0) return j + 1
    }
  }
  return sql.length
}

/** `$tag$ … $tag$` (tag may be empty): the end of the heredoc starting at `i`, or -1 when `$` starts none. */
function skipHeredoc(sql: string, i: number): number {
  const m = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y
  m.lastIndex = i
  const open = m.exec(sql)
  if (!open) return -1
  const close = sql.indexOf(open[0], i + open[0].length)
  return close < 0 ? sql.length : close + open[0].length
}

/** `{name:Type}` at `i`: the type may hold parentheses and quoted strings (`DateTime64(3, 'UTC')`). */
function placeholderAt(sql: string, i: number): Placeholder | undefined {
  let j = i + 1
  SPACE.lastIndex = j
  j += SPACE.exec(sql)![0].length
  IDENT.lastIndex = j
  const name = IDENT.exec(sql)
  if (!name) return undefined
  j += name[0].length
  SPACE.lastIndex = j
  j += SPACE.exec(sql)![0].length
  if (sql[j] !== ':') return undefined
  const typeStart = j + 1
  let depth = 0
  for (j = typeStart; j < sql.length; j++) {
    const c = sql[j]
    if (c === "'" || c === '"' || c === '`') j = skipQuoted(sql, j, c) - 1
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === '}' && depth === 0) {
      const type = sql.slice(typeStart, j).trim()
      return type ? { start: i, end: j + 1, name: name[0], type } : undefined
    } else if (c === '{' || c === ';') return undefined
  }
  return undefined
}

/** Every placeholder of the SQL text, outside literals, quoted identifiers and comments. */
export function placeholders(sql: string): Placeholder[] {
  const found: Placeholder[] = []
  for (let i = 0; i < sql.length;) {
    const c = sql[i]
    if (c === "'" || c === '"' || c === '`') i = skipQuoted(sql, i, c)
    else if (c === '-' && sql[i + 1] === '-') i = endOfLine(sql, i)
    else if (c === '#') i = endOfLine(sql, i)
    else if (c === '/' && sql[i + 1] === '*') i = skipBlockComment(sql, i)
    else if (c === '$') {
      const end = skipHeredoc(sql, i)
      i = end < 0 ? i + 1 : end
    } else if (c === '{') {
      const p = placeholderAt(sql, i)
      if (p) found.push(p)
      i = p ? p.end : i + 1
    } else i++
  }
  return found
}

function endOfLine(sql: string, i: number): number {
  const n = sql.indexOf('\n', i)
  return n < 0 ? sql.length : n + 1
}

/** A ClickHouse string literal: backslash and quote escaped, control characters as \xHH. */
export function stringLiteral(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`
}

/** `Nullable(T)` and `LowCardinality(T)` bind as T (a null is NULL). */
function unwrap(type: string): { inner: string; nullable: boolean } {
  let t = type.trim()
  let nullable = false
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/s.exec(t)
    if (!m) return { inner: t, nullable }
    if (m[1] === 'Nullable') nullable = true
    t = m[2].trim()
  }
}

const INTEGER = /^[-+]?\d+$/
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

function fail(name: string, type: string, value: unknown, why: string): never {
  const shown = typeof value === 'string' ? value.slice(0, 40) : String(value).slice(0, 40)
  throw new BindError(`query parameter ${name}: ${shown} cannot be bound as ${type}: ${why}`)
}

/** The literal of one value of `type` (without the outer cast), or an error naming the parameter. */
function literal(name: string, type: string, value: unknown): string {
  const { inner } = unwrap(type)
  if (value === null || value === undefined) return 'NULL'
  const array = /^Array\((.*)\)$/s.exec(inner)
  if (array) {
    if (!Array.isArray(value)) fail(name, type, value, 'not an array')
    return `[${value.map((v) => literal(name, array[1], v)).join(', ')}]`
  }
  if (/^(String|FixedString\(\d+\)|UUID|IPv4|IPv6|Enum(8|16)?\(.*\))$/s.test(inner)) {
    if (typeof value !== 'string') fail(name, type, value, 'not a string')
    return stringLiteral(value)
  }
  if (/^U?Int(8|16|32|64|128|256)$/.test(inner)) {
    if (typeof value === 'bigint') return value.toString()
    if (typeof value === 'number' && Number.isInteger(value)) return String(value)
    if (typeof value === 'string' && INTEGER.test(value)) return value
    fail(name, type, value, 'not an integer')
  }
  if (/^(Float(32|64)|Decimal(32|64|128|256)?\(.*\))$/s.test(inner)) {
    if (typeof value === 'number')
      return Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : String(value)
    if (typeof value === 'string' && DECIMAL.test(value)) return value
    fail(name, type, value, 'not a number')
  }
  if (inner === 'Bool') {
    if (typeof value !== 'boolean') fail(name, type, value, 'not a boolean')
    return value ? 'true' : 'false'
  }
  if (/^(Date|Date32|DateTime|DateTime64)(\(.*\))?$/s.test(inner)) {
    // A unix timestamp in seconds (a fraction for milliseconds) goes through a decimal, which casts
    // to a time exactly ('0.000' read as text would be taken for a date); other text is a date-time.
    const text =
      value instanceof Date
        ? (value.getTime() / 1000).toFixed(3)
        : typeof value === 'number' && Number.isFinite(value)
          ? String(value)
          : value
    if (typeof text !== 'string') fail(name, type, value, 'not a date or time')
    const unix = /^\d+(?:\.(\d{1,9}))?$/.exec(text)
    return unix ? `toDecimal64(${stringLiteral(text)}, ${unix[1]?.length ?? 0})` : stringLiteral(text)
  }
  throw new BindError(
    `query parameter ${name}: type ${type} is not supported here (bind String, numbers, dates and arrays of them)`,
  )
}

/** `{name:Type}` → the literal a server would put there; a String stays a plain string literal. */
function render(p: Placeholder, value: unknown): string {
  const lit = literal(p.name, p.type, value)
  return unwrap(p.type).inner === 'String' && lit !== 'NULL' ? lit : `_CAST(${lit}, ${stringLiteral(p.type)})`
}

/**
 * The SQL text with every `{name:Type}` replaced by its value's literal. A placeholder without a
 * value is an error, as on a server ("Substitution … is not set").
 *
 * @example
 * bindParams('SELECT * FROM t WHERE code = {region:String} AND n > {n:UInt32}', { region: "32'01", n: 5 })
 * // "SELECT * FROM t WHERE code = '32\\'01' AND n > _CAST(5, 'UInt32')"
 */
export function bindParams(sql: string, params: Record<string, unknown>): string {
  let out = ''
  let at = 0
  for (const p of placeholders(sql)) {
    if (!Object.hasOwn(params, p.name))
      throw new BindError(`Substitution ${p.name} is not set: the query has {${p.name}:${p.type}} and no value for it`)
    out += sql.slice(at, p.start) + render(p, params[p.name])
    at = p.end
  }
  return out + sql.slice(at)
}
