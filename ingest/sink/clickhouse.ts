import type { Store } from '../../store/client.js'
import type { StreamName } from '../../core/schemas/records.js'
import { batchSize, ingestDuplicates, insertSeconds } from '../../server/metrics.js'
import { TABLES, rowKey, type Row } from './rows.js'

/**
 * Writes one stream's batch: drops the records already stored (the same id, step and ts, from a
 * retry or a replay), so the raw table and every rollup fed from it count each record once.
 * Returns the rows actually inserted.
 */
export function createTableWriter(store: Store, stream: StreamName) {
  const { table, id, hasStep } = TABLES[stream]
  // Identifiers come from the constant table map, never from input; values are bound.
  const existingSql = `SELECT toString(${id}) AS id, ${hasStep ? 'toString(step)' : "''"} AS step, toString(toUnixTimestamp64Milli(ts)) AS ms
    FROM ${table}
    WHERE ${id} IN {ids:Array(String)} AND ts BETWEEN fromUnixTimestamp64Milli({lo:Int64}, 'UTC') AND fromUnixTimestamp64Milli({hi:Int64}, 'UTC')`

  return async function write(rows: Row[]): Promise<Row[]> {
    const fresh = new Map<string, Row>()
    for (const r of rows) {
      const k = rowKey(stream, r)
      if (!fresh.has(k)) fresh.set(k, r)
    }
    let lo = Infinity
    let hi = -Infinity
    const ids = new Set<string>()
    for (const r of fresh.values()) {
      ids.add(String(r[id]))
      const ts = r.ts as number
      if (ts < lo) lo = ts
      if (ts > hi) hi = ts
    }
    if (fresh.size > 0) {
      const existing = await store.query({
        query: existingSql,
        query_params: { ids: [...ids], lo, hi },
        format: 'JSONEachRow',
      })
      for (const e of await existing.json<{ id: string; step: string; ms: string }>()) {
        fresh.delete(hasStep ? `${e.id}|${e.step}|${e.ms}` : `${e.id}|${e.ms}`)
      }
    }
    const out = [...fresh.values()]
    ingestDuplicates.inc({ stream }, rows.length - out.length)
    if (out.length === 0) return out
    const end = insertSeconds.startTimer({ table })
    await store.insert({ table, values: out, format: 'JSONEachRow' })
    end()
    batchSize.observe({ table }, out.length)
    return out
  }
}
