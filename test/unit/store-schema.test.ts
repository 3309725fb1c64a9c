import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { STREAMS, STREAM_NAMES } from '#core/schemas/records.js'
import { COLUMNS } from '#ingest/sink/tsv.js'
import { TABLES } from '#store/rows.js'
import { RAW_COLUMNS } from '#store/schema.js'
import { schemaDoc } from '#store/schema-doc.js'

/** The records senders send (core/schemas/records.ts) against the raw tables of the schema registry. */

/** Input fields that are not stored as such: the datum of a position (ingest converts it to WGS84). */
const NOT_STORED = new Set(['crs'])
/** Columns enrichment fills from the grid rather than the sender. */
const ENRICHED = new Set(['community', 'street', 'district'])

describe('records and the schema registry', () => {
  for (const stream of STREAM_NAMES) {
    const table = TABLES[stream].table
    const columns = RAW_COLUMNS[table].map((c) => c.name)
    it(`${stream}: every input field is a column of ${table}`, () => {
      const fields = Object.keys(STREAMS[stream].schema.shape).filter((f) => !NOT_STORED.has(f))
      expect(fields.filter((f) => !columns.includes(f))).toEqual([])
    })
    it(`${stream}: every column of ${table} ingest writes comes from the record or enrichment`, () => {
      const fields = new Set(Object.keys(STREAMS[stream].schema.shape))
      const written = COLUMNS[stream].map((c) => c.name)
      expect(written.filter((c) => !fields.has(c) && !ENRICHED.has(c))).toEqual([])
      // The encoder writes every column the table does not fill itself, in the table's order.
      expect(written).toEqual(RAW_COLUMNS[table].filter((c) => !('default' in c)).map((c) => c.name))
    })
  }
})

describe('docs/schema.md', () => {
  it('is the registry as `npm run db:docs` writes it', () => {
    const file = readFileSync(fileURLToPath(new URL('../../docs/schema.md', import.meta.url)), 'utf8')
    expect(file, 'docs/schema.md is stale: run npm run db:docs').toBe(schemaDoc())
  })
})
