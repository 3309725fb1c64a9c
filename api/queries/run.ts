import type { Store } from '#store/client.js'
import type { Sql } from '#store/sql.js'

/** Run a read whose values travel with it (store/sql.ts) and return its rows. */
export async function rows<T>(store: Store, q: Sql): Promise<T[]> {
  const rs = await store.query({ ...q.toQuery(), format: 'JSONEachRow' })
  return rs.json<T>()
}

/** ClickHouse returns 64-bit integers as strings in JSON. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))

export const iso = (v: unknown): string | null => {
  if (v === null || v === undefined || v === '') return null
  // DateTime64 comes back as 'YYYY-MM-DD hh:mm:ss.sss' in UTC.
  return new Date(`${String(v).replace(' ', 'T')}Z`).toISOString()
}
