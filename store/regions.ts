import type { City } from '#core/city.js'
import { depthOf } from '#core/regions.js'
import type { Store } from './client.js'
import { tableName, tables } from './schema.js'
import { sql } from './sql.js'

/** Load the city's regions into the `regions` table when it does not hold exactly them. */
export async function syncRegions(store: Store, city: City): Promise<void> {
  const rs = await store.query({
    ...sql`SELECT count() AS n FROM ${tables.regions} FINAL`.toQuery(),
    format: 'JSONEachRow',
  })
  const [{ n }] = await rs.json<{ n: string }>()
  if (Number(n) === city.regions.size) return
  await store.command(sql`TRUNCATE TABLE ${tables.regions}`.toQuery())
  await store.insert({
    table: tableName.regions,
    format: 'JSONEachRow',
    values: [...city.regions.values()].map((r) => ({
      code: r.code,
      name: r.name,
      level: r.level,
      depth: depthOf(r.level),
      parent: r.parent ?? '',
      lon: r.centroid[0],
      lat: r.centroid[1],
    })),
  })
}
