import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStores, type StoreSet } from '#store/client.js'

/**
 * The store's own binding (store/bind.ts) against chDB's native binding as the oracle, and the
 * point of it: parameterized queries of different workloads run side by side.
 */
let dir: string
let stores: StoreSet
let native: ClickHouseClient
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ioc-workloads-'))
  stores = await openStores({ dataDir: dir, database: 'ioc' })
  native = createClient({ connection: createChdbConnection({ path: dir }) } as Parameters<typeof createClient>[0])
})
afterAll(async () => {
  await native?.close()
  await stores?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function both(query: string, query_params: Record<string, unknown>) {
  const ours = await (await stores.interactive.query({ query, query_params, format: 'JSONEachRow' })).json()
  const theirs = await (await native.query({ query, query_params, format: 'JSONEachRow' })).json()
  return { ours, theirs }
}

/** Characters that end or open literals, comments and placeholders, more often than chance would pick them. */
const tricky = fc.constantFrom(
  "'",
  '\\',
  '"',
  '`',
  '\n',
  '\t',
  '\0',
  '{',
  '}',
  ':',
  '$',
  '-',
  '/',
  '*',
  '#',
  ';',
  'a',
  'é',
  '中',
)

describe('binding in the store', () => {
  it('gives what chDB binds itself, for any text, list and number', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: tricky, maxLength: 40 })),
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: tricky, maxLength: 12 })), {
          maxLength: 5,
        }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        async (s, list, n, ms) => {
          // Strings with a lone surrogate cannot cross either binding as UTF-8; both sides see the same text.
          const text = Buffer.from(s, 'utf8').toString('utf8')
          const { ours, theirs } = await both(
            `SELECT {s:String} AS s, length({s:String}) AS len, {list:Array(String)} AS list, {n:Int64} AS n,
                    {t:DateTime64(3)} AS t, '{s:String}' AS kept -- {s:String}`,
            { s: text, list, n, t: (ms / 1000).toFixed(3) },
          )
          expect(ours).toEqual(theirs)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('runs a parameterized query of one workload while another workload runs a long one', async () => {
    const order: string[] = []
    const long = stores.adhoc
      .query({ query: 'SELECT sleep(2) AS s WHERE {x:UInt8} = 1', query_params: { x: 1 }, format: 'JSONEachRow' })
      .then((r) => r.json())
      .then(() => order.push('adhoc'))
    // Let the long one start first.
    await new Promise((r) => setTimeout(r, 200))
    await (
      await stores.interactive.query({
        query: 'SELECT {region:String} AS r',
        query_params: { region: '320102' },
        format: 'JSONEachRow',
      })
    ).json()
    order.push('interactive')
    await long
    expect(order).toEqual(['interactive', 'adhoc'])
  })
})
