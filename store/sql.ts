import { placeholders } from './bind.js'

/**
 * SQL that carries its values. `sql` is a tagged template: every interpolated value becomes a
 * bound parameter `{p_N:Type}` with an explicit ClickHouse type, and an interpolated fragment
 * brings its own values along, so a statement and its parameters cannot drift apart (a value one
 * branch forgot used to fail only at run time). Parameters are numbered when the statement is
 * rendered, so fragments built apart never clash on a name.
 *
 * Nothing here pastes a caller's text into the statement: an interpolation is a fragment, a typed
 * value, or an identifier the schema registry declares (store/schema.ts). The text between
 * interpolations is the program's own.
 *
 * @example
 * const q = sql`SELECT count() FROM t WHERE code = ${sql.string(code)} AND ts >= ${sql.ms(from)}`
 * await store.query({ ...q.toQuery(), format: 'JSONEachRow' })
 * // query: "SELECT count() FROM t WHERE code = {p_0:String} AND ts >= fromUnixTimestamp64Milli({p_1:Int64}, 'UTC')"
 */

/** One value and the ClickHouse type it binds as. */
export class Param {
  constructor(
    readonly type: string,
    readonly value: unknown,
  ) {
    if (!isParamType(type)) throw new TypeError(`sql: ${JSON.stringify(type)} is not a parameter type`)
  }
}

/** A piece of SQL: its text parts with the values between them (texts.length = values.length + 1). */
export class Sql {
  private constructor(
    readonly texts: readonly string[],
    readonly values: readonly Param[],
  ) {}

  /** @internal Built by the tag, `join` and `identifier`; parts are merged so that nesting stays flat. */
  static of(texts: readonly string[], parts: readonly Part[]): Sql {
    const outTexts: string[] = [texts[0]]
    const outValues: Param[] = []
    parts.forEach((part, i) => {
      const v = toPart(part)
      if (v instanceof Sql) {
        outTexts[outTexts.length - 1] += v.texts[0]
        v.values.forEach((value, j) => {
          outValues.push(value)
          outTexts.push(v.texts[j + 1])
        })
        outTexts[outTexts.length - 1] += texts[i + 1]
      } else {
        outValues.push(v)
        outTexts.push(texts[i + 1])
      }
    })
    return new Sql(outTexts, outValues)
  }

  /** True when the fragment has no text (an empty `sql```), e.g. an absent optional clause. */
  get empty(): boolean {
    return this.values.length === 0 && this.texts[0].trim() === ''
  }

  /**
   * The statement with placeholders `{p_0:T}`, `{p_1:T}`… and their values, as `@clickhouse/client`
   * (`query_params`) and store/bind.ts take them. A value placed inside a quoted literal or a
   * comment would silently not bind: that is refused here.
   */
  toQuery(): { query: string; query_params: Record<string, unknown> } {
    let query = this.texts[0]
    const query_params: Record<string, unknown> = {}
    this.values.forEach((p, i) => {
      query += `{p_${i}:${p.type}}${this.texts[i + 1]}`
      query_params[`p_${i}`] = p.value
    })
    const seen = placeholders(query).filter((p) => /^p_\d+$/.test(p.name)).length
    if (seen !== this.values.length) {
      throw new TypeError(
        `sql: ${this.values.length - seen} value(s) sit inside a literal or comment: ${query.slice(0, 200)}`,
      )
    }
    return { query, query_params }
  }

  /** The statement text alone (logs, snapshots). */
  toString(): string {
    return this.toQuery().query
  }
}

/**
 * What may be interpolated: a fragment, a typed value (`sql.string(x)`), or a one-key object naming
 * the type (`${{ String: code }}`, `${{ 'Array(String)': ids }}`).
 */
export type Part = Sql | Param | { readonly [type: string]: unknown }

function toPart(part: Part): Sql | Param {
  if (part instanceof Sql || part instanceof Param) return part
  if (part !== null && typeof part === 'object' && !Array.isArray(part)) {
    const keys = Object.keys(part)
    if (keys.length === 1) return new Param(keys[0], part[keys[0]])
  }
  throw new TypeError(`sql: interpolate a fragment or a typed value ({ String: x }, sql.string(x)), not ${typeof part}`)
}

/**
 * The types a parameter may declare: the ones store/bind.ts renders, wrapped in Nullable,
 * LowCardinality or Array. The type is written into the statement, so it is checked as strictly as a value.
 */
const BASE_TYPE =
  /^(String|UUID|IPv4|IPv6|Bool|U?Int(8|16|32|64|128|256)|Float(32|64)|Date|Date32|DateTime|DateTime64\(\d( *, *'[A-Za-z0-9_/+-]+')?\))$/
export function isParamType(type: string): boolean {
  const wrapped = /^(Nullable|LowCardinality|Array)\((.*)\)$/s.exec(type)
  return wrapped ? isParamType(wrapped[2]) : BASE_TYPE.test(type)
}

/** Names a statement may carry as identifiers: set once by the schema registry (store/schema.ts). */
const knownNames = new Set<string>()

/** @internal The registry declares its table and column names here at load. */
export function declareIdentifiers(names: Iterable<string>): void {
  for (const n of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new TypeError(`sql: ${JSON.stringify(n)} is not a plain identifier`)
    knownNames.add(n)
  }
}

type Tag = ((texts: TemplateStringsArray, ...parts: Part[]) => Sql) & typeof helpers

const helpers = {
  /** A value of any parameter type. */
  value: (type: string, value: unknown) => new Param(type, value),
  string: (value: string) => new Param('String', value),
  strings: (value: readonly string[]) => new Param('Array(String)', value),
  int64: (value: number | bigint) => new Param('Int64', value),
  int64s: (value: readonly number[]) => new Param('Array(Int64)', value),
  uint8: (value: number) => new Param('UInt8', value),
  uint32: (value: number) => new Param('UInt32', value),
  uint64: (value: number | bigint) => new Param('UInt64', value),
  float64: (value: number) => new Param('Float64', value),
  bool: (value: boolean) => new Param('Bool', value),
  /** Epoch milliseconds as a DateTime64(3) in UTC. */
  ms: (epochMs: number): Sql => Sql.of(['fromUnixTimestamp64Milli(', ", 'UTC')"], [new Param('Int64', epochMs)]),
  /** Fragments separated by `sep` (`, ` by default). */
  join: (parts: readonly Part[], sep: Sql = Sql.of([', '], [])): Sql => {
    const texts = ['']
    const all: Part[] = []
    parts.forEach((p, i) => {
      if (i > 0) {
        all.push(sep)
        texts.push('')
      }
      all.push(p)
      texts.push('')
    })
    return Sql.of(texts, all)
  },
  /** A table or column name the schema registry declares; any other name is refused. */
  identifier: (name: string): Sql => {
    if (!knownNames.has(name)) throw new TypeError(`sql: ${JSON.stringify(name)} is not a declared table or column`)
    return Sql.of([name], [])
  },
  /** A column type in DDL (a staging table's), checked as strictly as a parameter's type. */
  type: (type: string): Sql => {
    if (!isParamType(type)) throw new TypeError(`sql: ${JSON.stringify(type)} is not a column type`)
    return Sql.of([type], [])
  },
  /**
   * A deduplication token as a quoted literal: a SETTINGS clause takes no parameters, so the token
   * (the program's own UUID) is checked to be a plain word before it is written.
   */
  token: (token: string): Sql => {
    if (!/^[A-Za-z0-9_:-]{1,100}$/.test(token))
      throw new TypeError(`sql: insert token must be [A-Za-z0-9_:-]{1,100}: ${token}`)
    return Sql.of([`'${token}'`], [])
  },
  /**
   * A position the grammar needs as a literal (`tupleElement(t, 2)`): a small non-negative integer
   * of the program's own, never a value from outside.
   */
  position: (n: number): Sql => {
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`sql: a position is a non-negative integer: ${n}`)
    return Sql.of([String(n)], [])
  },
  /** The empty fragment. */
  empty: (): Sql => Sql.of([''], []),
}

export const sql: Tag = Object.assign((texts: TemplateStringsArray, ...parts: Part[]) => Sql.of(texts, parts), helpers)
