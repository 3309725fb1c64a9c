import { describe, expect, it } from 'vitest'
import { previousOf } from '#api/queries/aggregates.js'
import { DEFAULT_TERMINAL_SILENCE_MINUTES } from '#core/terminals.js'
import { DomainError } from '#store/errors.js'

const H = 3_600_000
const DAY = 24 * H
const from = Date.parse('2026-11-20T00:00:00+08:00')
const base = { region: '3201', from, to: from + DAY, silenceMs: DEFAULT_TERMINAL_SILENCE_MINUTES * 60_000 }

describe('compare=previous: the scope of the previous period', () => {
  it('today until 14:20 against yesterday until 14:20, stocks judged at 14:20 yesterday', () => {
    const now = from + 14 * H + 20 * 60_000
    expect(previousOf({ ...base, now })).toEqual({
      ...base,
      from: from - DAY,
      to: now - DAY,
      now: now - DAY,
      at: now - DAY,
    })
  })

  it('a range already over compares whole periods; its stocks at the same distance back from now', () => {
    const now = from + 3 * DAY
    expect(previousOf({ ...base, now })).toMatchObject({ from: from - DAY, to: from, at: now - DAY })
  })

  it('follows the instant asked for rather than the clock', () => {
    const at = from + 9 * H
    expect(previousOf({ ...base, now: from + 2 * DAY, at })).toMatchObject({ to: at - DAY, at: at - DAY })
  })

  it('refuses a range that has not begun, naming compare', () => {
    const scope = { ...base, now: from - H }
    expect(() => previousOf(scope)).toThrow(DomainError)
    try {
      previousOf(scope)
    } catch (e) {
      expect((e as DomainError).details).toEqual({ parameter: 'compare' })
      expect((e as DomainError).message).toContain('compare')
    }
  })
})
