import type { City } from '#core/city.js'
import { depthOf } from '#core/regions.js'
import type { Store } from './client.js'

/** Load the city's regions into the `regions` table when it does not hold exactly them. */
export async function syncRegions(store: Store, city: City): Promise<void> {
  const rs = await store.query({ query: 'SELECT count() AS n FROM regions FINAL', format: 'JSONEachRow' })
  const [{ n }] = await rs.json<{ n: string }>()
  if (Number(n) === city.regions.size) return
  await store.command({ query: 'TRUNCATE TABLE regions' })
  await store.insert({
    table: 'regions',
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
