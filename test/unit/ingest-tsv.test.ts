import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { recordOf } from '#ingest/sources/mqtt.js'
import { completeLines } from '#ingest/sink/spool.js'
import { COLUMNS, decodeLine, encodeLine, escapeTsv, unescapeTsv } from '#ingest/sink/tsv.js'

describe('TSV lines for the spool and the insert', () => {
  it('escapes and unescapes any text to itself, on one line with no raw tab', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeTsv(s)
        expect(e).not.toMatch(/[\t\n\r\0]/)
        expect(unescapeTsv(e)).toBe(s)
      }),
    )
  })

  it('encodes a record with its placement and decodes it back to the row the live feed gets', () => {
    const line = encodeLine(
      COLUMNS['grid-events'],
      {
        event_id: 'E-1',
        step: 'reported',
        ts: '2026-11-23T09:00:00+08:00',
        category: 'a.b',
        grid_code: 'ignored',
        lon: 1,
        crs: 'gcj02',
        description: 'two\tcells\nand a line',
      },
      {
        grid_code: '320102002001001',
        community: '320102002001',
        street: '320102002',
        district: '320102',
        lon: 118.8,
        lat: 32.05,
      },
    )
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1).split('\t')).toHaveLength(COLUMNS['grid-events'].length)
    expect(decodeLine(COLUMNS['grid-events'], line.slice(0, -1))).toEqual({
      event_id: 'E-1',
      step: 'reported',
      ts: Date.parse('2026-11-23T01:00:00Z'),
      category: 'a.b',
      grid_code: '320102002001001',
      community: '320102002001',
      street: '320102002',
      district: '320102',
      lon: 118.8,
      lat: 32.05,
      source: '',
      department: '',
      priority: 3,
      deadline: null,
      reporter: '',
      description: 'two\tcells\nand a line',
      evaluation: '',
    })
  })

  it('drops a line cut by a crash from a spool segment', () => {
    expect(completeLines('a\tb\nc\td\ne\t')).toBe('a\tb\nc\td\n')
    expect(completeLines('half')).toBe('')
  })
})

describe('MQTT messages as terminal records', () => {
  it('takes the terminal id from the topic and refuses a payload that disagrees or is not JSON', () => {
    expect(recordOf('ioc/terminals/T-9/status', Buffer.from('{"status":"online"}'))).toEqual({
      item: { status: 'online', terminal_id: 'T-9' },
    })
    expect(recordOf('ioc/terminals/T-9/status', Buffer.from('{"terminal_id":"T-8"}')).parseError).toMatch(
      /does not match/,
    )
    expect(recordOf('ioc/terminals/T-9/status', Buffer.from([0xff, 0xfe])).parseError).toMatch(/not JSON/)
  })
})
