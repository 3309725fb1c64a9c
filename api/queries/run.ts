import type { Store } from '#store/client.js'

export type Params = Record<string, unknown>

/** Run a read with bound parameters ({name:Type} in the SQL) and return its rows. */
export async function rows<T>(store: Store, sql: string, params: Params = {}): Promise<T[]> {
  const rs = await store.query({ query: sql, query_params: params, format: 'JSONEachRow' })
  return rs.json<T>()
}

/** Epoch ms as a bound DateTime64 in SQL: use `ms({name:Int64})`-style through this fragment. */
export const at = (name: string) => `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`

/** ClickHouse returns 64-bit integers as strings in JSON. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))

export const iso = (v: unknown): string | null => {
  if (v === null || v === undefined || v === '') return null
  // DateTime64 comes back as 'YYYY-MM-DD hh:mm:ss.sss' in UTC.
  return new Date(`${String(v).replace(' ', 'T')}Z`).toISOString()
}
