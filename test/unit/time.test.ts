import { describe, expect, it } from 'vitest'
import { startOfDay, tzOffsetMs } from '#core/time.js'
import { splitStatements } from '#store/migrate.js'

describe('city time', () => {
  it('finds midnight in Asia/Shanghai', () => {
    expect(new Date(startOfDay(Date.parse('2026-11-20T15:59:00Z'), 'Asia/Shanghai')).toISOString()).toBe(
      '2026-11-19T16:00:00.000Z',
    )
    expect(new Date(startOfDay(Date.parse('2026-11-20T16:00:00Z'), 'Asia/Shanghai')).toISOString()).toBe(
      '2026-11-20T16:00:00.000Z',
    )
    expect(tzOffsetMs(Date.now(), 'Asia/Shanghai')).toBe(8 * 3_600_000)
  })
  it('handles zones with daylight saving', () => {
    expect(new Date(startOfDay(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toISOString()).toBe(
      '2026-06-30T22:00:00.000Z',
    )
  })
})

describe('migrations', () => {
  it('split into statements without comments', () => {
    expect(
      splitStatements('-- a table\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nCREATE VIEW b AS SELECT 1;\n'),
    ).toEqual(['CREATE TABLE a (x UInt8) ENGINE = Memory', 'CREATE VIEW b AS SELECT 1'])
  })
})
