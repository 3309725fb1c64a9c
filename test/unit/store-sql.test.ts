import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bindParams } from '#store/bind.js'
import { Param, declareIdentifiers, isParamType, sql } from '#store/sql.js'

describe('sql', () => {
  it('makes each value a numbered, typed parameter', () => {
    const q = sql`SELECT * FROM t WHERE code = ${sql.string('3201')} AND n > ${{ UInt32: 5 }} AND ts >= ${sql.ms(1000)}`
    expect(q.toQuery()).toEqual({
      query:
        "SELECT * FROM t WHERE code = {p_0:String} AND n > {p_1:UInt32} AND ts >= fromUnixTimestamp64Milli({p_2:Int64}, 'UTC')",
      query_params: { p_0: '3201', p_1: 5, p_2: 1000 },
    })
  })

  it('merges the values of nested fragments in order, numbering them once for the whole statement', () => {
    const inner = sql`x = ${sql.string('a')} AND y IN ${sql.strings(['b', 'c'])}`
    const q = sql`SELECT ${sql.int64(1)} WHERE (${inner}) OR (${inner}) LIMIT ${sql.uint32(3)}`
    expect(q.toQuery()).toEqual({
      query:
        'SELECT {p_0:Int64} WHERE (x = {p_1:String} AND y IN {p_2:Array(String)}) ' +
        'OR (x = {p_3:String} AND y IN {p_4:Array(String)}) LIMIT {p_5:UInt32}',
      query_params: { p_0: 1, p_1: 'a', p_2: ['b', 'c'], p_3: 'a', p_4: ['b', 'c'], p_5: 3 },
    })
  })

  it('joins fragments with a separator and handles the empty list', () => {
    const q = sql.join([sql`a = ${sql.string('1')}`, sql`b`, sql.int64(2)], sql` AND `)
    expect(q.toQuery()).toEqual({ query: 'a = {p_0:String} AND b AND {p_1:Int64}', query_params: { p_0: '1', p_1: 2 } })
    expect(sql.join([]).toQuery()).toEqual({ query: '', query_params: {} })
    expect(sql.empty().empty).toBe(true)
    expect(sql`x`.empty).toBe(false)
  })

  it('refuses anything that would paste text into the statement', () => {
    const hostile = "x'; DROP TABLE t; --"
    expect(() => sql`SELECT ${hostile as never}`).toThrow(TypeError)
    expect(() => sql`SELECT ${42 as never}`).toThrow(TypeError)
    expect(() => sql`SELECT ${{ 'String} OR 1=1 --': 'x' }}`).toThrow(TypeError)
    expect(() => sql`SELECT ${{ String: 'a', Int64: 1 }}`).toThrow(TypeError)
    expect(() => sql.value("DateTime64(3, 'UTC'') --')", 1)).toThrow(TypeError)
    expect(() => sql.identifier('no_such_table_xyz')).toThrow(TypeError)
  })

  it('refuses a value placed inside a quoted literal, where it would not bind', () => {
    expect(() => sql`SELECT '${sql.string('a')}'`.toQuery()).toThrow(/inside a literal/)
    expect(() => sql`SELECT 1 -- ${sql.string('a')}`.toQuery()).toThrow(/inside a literal/)
  })

  it('accepts the parameter types the binder renders, and only those', () => {
    for (const t of [
      'String',
      'Int64',
      'Array(String)',
      'Nullable(UInt8)',
      "DateTime64(3, 'UTC')",
      'DateTime64(3)',
      'Bool',
    ]) {
      expect(isParamType(t)).toBe(true)
    }
    for (const t of ['', 'Tuple(String)', 'String}', 'Array(String', "DateTime64(3, 'U''TC')", 'Map(String, String)']) {
      expect(isParamType(t)).toBe(false)
    }
  })

  it('names only declared identifiers', () => {
    declareIdentifiers(['test_table_declared'])
    expect(sql`SELECT * FROM ${sql.identifier('test_table_declared')}`.toString()).toBe(
      'SELECT * FROM test_table_declared',
    )
    expect(() => declareIdentifiers(['bad name'])).toThrow(TypeError)
  })

  it('keeps hostile strings out of the statement: they only ever reach it through the binder', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (values) => {
        const frags = values.map((v) => sql`s = ${sql.string(v)}`)
        const { query, query_params } = sql`SELECT 1 WHERE ${sql.join(frags, sql` OR `)}`.toQuery()
        // The statement is the program's text with placeholders, whatever the values.
        expect(query).toBe(`SELECT 1 WHERE ${values.map((_, i) => `s = {p_${i}:String}`).join(' OR ')}`)
        expect(Object.values(query_params)).toEqual(values)
        // Bound for chDB, each value is one escaped literal: the statement around it is unchanged.
        const bound = bindParams(query, query_params)
        const literals = bound.replace(/^SELECT 1 WHERE /, '').split(' OR ')
        expect(literals).toHaveLength(values.length)
        for (const l of literals) expect(l).toMatch(/^s = '([^'\\]|\\.)*'$/s)
      }),
    )
  }, 60_000)

  it('Param checks its type at construction', () => {
    expect(new Param('Array(Int64)', [1]).type).toBe('Array(Int64)')
    expect(() => new Param('String; DROP', 'x')).toThrow(TypeError)
  })
})
