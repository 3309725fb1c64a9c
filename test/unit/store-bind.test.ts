import { describe, expect, it } from 'vitest'
import { BindError, bindParams, placeholders, stringLiteral } from '#store/bind.js'

describe('bindParams', () => {
  it('puts a String as a plain literal and any other type in a cast, as a server does', () => {
    expect(bindParams('SELECT {s:String}, {n:UInt32}, {t:DateTime64(3)}', { s: 'a', n: 5, t: '1700000000.123' })).toBe(
      "SELECT 'a', _CAST(5, 'UInt32'), _CAST(toDecimal64('1700000000.123', 3), 'DateTime64(3)')",
    )
    expect(bindParams('SELECT {ids:Array(String)}, {e:Array(Int64)}', { ids: ["x'y", 'z'], e: [] })).toBe(
      "SELECT _CAST(['x\\'y', 'z'], 'Array(String)'), _CAST([], 'Array(Int64)')",
    )
  })

  it('escapes what could end a literal', () => {
    expect(stringLiteral("a'b\\c\n\u0000")).toBe("'a\\'b\\\\c\\x0a\\x00'")
    expect(bindParams('SELECT {s:String}', { s: "'; DROP TABLE t; --" })).toBe("SELECT '\\'; DROP TABLE t; --'")
  })

  it('leaves placeholders inside literals, quoted names and comments alone', () => {
    const sql = `SELECT '{a:String}', "{a:String}", \`{a:String}\`, $$ {a:String} $$, $x$ {a:String} $x$ -- {a:String}
      # {a:String}
      /* {a:String} /* nested {a:String} */ {a:String} */ {a:String}`
    expect(placeholders(sql).map((p) => sql.slice(p.start, p.end))).toEqual(['{a:String}'])
    expect(bindParams("SELECT 'it''s {a:String}', 'back\\' {a:String}', {a:String}", { a: 'v' })).toBe(
      "SELECT 'it''s {a:String}', 'back\\' {a:String}', 'v'",
    )
  })

  it('reads types with parentheses and quotes, and spaces around the parts', () => {
    expect(bindParams("SELECT { t : DateTime64(3, 'UTC') }", { t: '2026-01-01 00:00:00' })).toBe(
      "SELECT _CAST('2026-01-01 00:00:00', 'DateTime64(3, \\'UTC\\')')",
    )
    expect(bindParams('SELECT {n:Nullable(Int64)}', { n: null })).toBe("SELECT _CAST(NULL, 'Nullable(Int64)')")
  })

  it('leaves braces that are not placeholders (map literals, format strings)', () => {
    expect(bindParams("SELECT {'k': 1}, format('{}', 1)", {})).toBe("SELECT {'k': 1}, format('{}', 1)")
  })

  it('refuses a missing value, a value of the wrong kind, and a type it cannot bind', () => {
    expect(() => bindParams('SELECT {a:String}', {})).toThrow(/Substitution a is not set/)
    expect(() => bindParams('SELECT {n:Int64}', { n: 1.5 })).toThrow(BindError)
    expect(() => bindParams('SELECT {n:Int64}', { n: '12abc' })).toThrow(/not an integer/)
    expect(() => bindParams('SELECT {s:String}', { s: 5 })).toThrow(/not a string/)
    expect(() => bindParams('SELECT {a:Array(String)}', { a: 'x' })).toThrow(/not an array/)
    expect(() => bindParams('SELECT * FROM {t:Identifier}', { t: 'x' })).toThrow(/not supported/)
  })
})
