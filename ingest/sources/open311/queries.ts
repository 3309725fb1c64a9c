import type { Store } from '#store/client.js'

/** One ticket as Open311 lists it, folded from its steps in ticket_state; fields named as the ticket's (core/schemas/records.ts). */
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
const SQL = `
SELECT ticket_id,
  anyLast(ticket_state.category) AS service_code, anyLast(ticket_state.lon) AS lon, anyLast(ticket_state.lat) AS lat,
  anyLast(ticket_state.grid_code) AS grid_code, anyLast(ticket_state.address) AS address,
  anyLast(ticket_state.description) AS description, anyLast(ticket_state.department) AS agency,
  toString(toUnixTimestamp64Milli(min(created_at))) AS created_ms,
  toString(toUnixTimestamp64Milli(max(latest).1)) AS updated_ms,
  toString(toUnixTimestamp64Milli(max(deadline))) AS expected_ms,
  max(latest).2 AS latest_step
FROM ticket_state
WHERE (empty({ids:Array(String)}) OR has({ids:Array(String)}, ticket_id)) AND startsWith(ticket_state.grid_code, {region:String})
GROUP BY ticket_id
HAVING created_ms IS NOT NULL
  AND min(created_at) >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND min(created_at) < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
  AND (empty({codes:Array(String)}) OR has({codes:Array(String)}, service_code))
  AND (empty({statuses:Array(String)}) OR has({statuses:Array(String)}, if(latest_step IN ('closed', 'rated'), 'closed', 'open')))
ORDER BY min(created_at) DESC, ticket_id
LIMIT {limit:UInt32}`

export async function findRequests(store: Store, f: RequestFilter): Promise<RequestRow[]> {
  const rs = await store.query({
    query: SQL,
    query_params: { ids: f.ids, codes: f.codes, statuses: f.statuses, region: f.region, from: f.from, to: f.to, limit: f.limit },
    format: 'JSONEachRow',
  })
  return rs.json<RequestRow>()
}
