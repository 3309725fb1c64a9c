import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Topology } from 'topojson-specification'
import { City, type Region } from '#core/city.js'

// Node-only: reads the generated city from dashboards/geo (see scripts/build-geo.ts); core/city.ts stays browser-safe.
const geoDir = fileURLToPath(new URL('../../dashboards/geo/', import.meta.url))

export function loadCity(dir = geoDir): City {
  const regions = JSON.parse(readFileSync(`${dir}/regions.json`, 'utf8')) as Region[]
  const topology = JSON.parse(readFileSync(`${dir}/nanjing.topo.json`, 'utf8')) as Topology
  return new City(regions, topology)
}
