import { describe, expect, it } from 'vitest'
import { GridEventSchema, HotlineTicketSchema, TerminalStatusSchema } from '#core/schemas/records.js'
import { validateRecord } from '#ingest/pipeline/validate.js'

const grid = '320102002001003'

describe('record schemas', () => {
  it('accepts ISO 8601 and epoch ms times and normalises them to ms', () => {
    const a = GridEventSchema.parse({
      event_id: 'E1',
      step: 'reported',
      ts: '2026-11-20T08:00:00+08:00',
      category: 'x',
      grid_code: grid,
    })
    const b = GridEventSchema.parse({
      event_id: 'E1',
      step: 'reported',
      ts: 1795564800000,
      category: 'x',
      grid_code: grid,
    })
    expect(a.ts).toBe(Date.parse('2026-11-20T00:00:00Z'))
    expect(typeof b.ts).toBe('number')
  })

  it('requires a grid code or a position', () => {
    const r = validateRecord(GridEventSchema, { event_id: 'E1', step: 'reported', ts: 1, category: 'x' })
    expect(r).toEqual({ ok: false, path: 'grid_code', message: 'a grid_code or a position (lon, lat) is required' })
    expect(
      validateRecord(GridEventSchema, { event_id: 'E1', step: 'reported', ts: 1, category: 'x', lon: 118.8, lat: 32 })
        .ok,
    ).toBe(true)
    expect(
      validateRecord(GridEventSchema, { event_id: 'E1', step: 'reported', ts: 1, category: 'x', lon: 118.8 }),
    ).toMatchObject({
      ok: false,
      path: 'lat',
    })
  })

  it('names the field and the reason of the first problem', () => {
    expect(
      validateRecord(GridEventSchema, { event_id: 'E1', step: 'closed', ts: 1, category: 'x', grid_code: grid }),
    ).toMatchObject({ ok: false, path: 'step' })
    expect(
      validateRecord(TerminalStatusSchema, { terminal_id: 'T', ts: 'yesterday', status: 'online', grid_code: grid }),
    ).toMatchObject({
      ok: false,
      path: 'ts',
    })
    expect(
      validateRecord(TerminalStatusSchema, { terminal_id: 'T', ts: 1, status: 'online', grid_code: '3201' }),
    ).toMatchObject({
      ok: false,
      path: 'grid_code',
    })
    expect(
      validateRecord(HotlineTicketSchema, {
        ticket_id: 'T',
        step: 'rated',
        ts: 1,
        category: 'x',
        grid_code: grid,
        satisfaction: 'great',
      }),
    ).toMatchObject({
      ok: false,
      path: 'satisfaction',
    })
  })

  it('bounds strings and numbers', () => {
    expect(
      validateRecord(GridEventSchema, {
        event_id: 'E1',
        step: 'reported',
        ts: 1,
        category: 'x',
        grid_code: grid,
        description: 'x'.repeat(5000),
      }).ok,
    ).toBe(false)
    expect(
      validateRecord(GridEventSchema, { event_id: 'E 1', step: 'reported', ts: 1, category: 'x', grid_code: grid }),
    ).toMatchObject({ ok: false, path: 'event_id' })
    expect(
      validateRecord(TerminalStatusSchema, {
        terminal_id: 'T',
        ts: 1,
        status: 'online',
        grid_code: grid,
        paper_pct: 101,
      }),
    ).toMatchObject({ ok: false, path: 'paper_pct' })
    expect(
      validateRecord(GridEventSchema, { event_id: 'E1', step: 'reported', ts: 1e300, category: 'x', grid_code: grid }),
    ).toMatchObject({ ok: false, path: 'ts' })
    expect(
      validateRecord(GridEventSchema, { event_id: 'E1', step: 'reported', ts: 1, category: 'x', lon: 200, lat: 32 }),
    ).toMatchObject({ ok: false, path: 'lon' })
  })

  it('refuses what is not an object', () => {
    expect(validateRecord(GridEventSchema, 'hello').ok).toBe(false)
    expect(validateRecord(GridEventSchema, null).ok).toBe(false)
    expect(validateRecord(GridEventSchema, [1, 2]).ok).toBe(false)
  })
})
