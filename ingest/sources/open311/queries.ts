import type { Store } from '#store/client.js'
import { tables } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'

/**
 * One ticket as Open311 lists it, folded from its steps in ticket_state; fields named as the ticket's
 * (core/schemas/records.ts).
 */
export interface RequestRow {
  ticket_id: string
  service_code: string
  lon: number
  lat: number
  grid_code: string
  address: string | null
  description: string | null
  agency: string | null
  created_ms: string
  updated_ms: string
  expected_ms: string | null
  latest_step: string
}

export interface RequestFilter {
  ids: string[]
  codes: string[]
  statuses: ('open' | 'closed')[]
  /** Only requests inside this region ('' for the whole city). */
  region: string
  from: number
  to: number
  limit: number
}

// A ticket is closed once its latest step is closed or rated (a reopened one is open again).
const requestsSql = (f: RequestFilter, t: Sql = tables.ticketState) => {
  const [ids, codes, statuses] = [sql.strings(f.ids), sql.strings(f.codes), sql.strings(f.statuses)]
  return sql`
SELECT ticket_id,
  anyLast(${t}.category) AS service_code, anyLast(${t}.lon) AS lon, anyLast(${t}.lat) AS lat,
  anyLast(${t}.grid_code) AS grid_code, anyLast(${t}.address) AS address,
  anyLast(${t}.description) AS description, anyLast(${t}.department) AS agency,
  toString(toUnixTimestamp64Milli(min(created_at))) AS created_ms,
  toString(toUnixTimestamp64Milli(max(latest).1)) AS updated_ms,
  toString(toUnixTimestamp64Milli(max(deadline))) AS expected_ms,
  max(latest).2 AS latest_step
FROM ${t}
WHERE (empty(${ids}) OR has(${ids}, ticket_id)) AND startsWith(${t}.grid_code, ${sql.string(f.region)})
GROUP BY ticket_id
HAVING created_ms IS NOT NULL
  AND min(created_at) >= ${sql.ms(f.from)} AND min(created_at) < ${sql.ms(f.to)}
  AND (empty(${codes}) OR has(${codes}, service_code))
  AND (empty(${statuses}) OR has(${statuses}, if(latest_step IN ('closed', 'rated'), 'closed', 'open')))
ORDER BY min(created_at) DESC, ticket_id
LIMIT ${sql.uint32(f.limit)}`
}

export async function findRequests(store: Store, f: RequestFilter): Promise<RequestRow[]> {
  const rs = await store.query({ ...requestsSql(f).toQuery(), format: 'JSONEachRow' })
  return rs.json<RequestRow>()
}
