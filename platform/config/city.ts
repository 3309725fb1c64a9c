import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Topology } from 'topojson-specification'
import { parse } from 'yaml'
import { City, type Region } from '#core/city.js'
import { CityConfigSchema, type CityConfig } from '#core/schemas/city.js'

// Node-only: reads the city's files; core/city.ts stays browser-safe.
export const DEMO_CITY_DIR = fileURLToPath(new URL('../../dashboards/geo/', import.meta.url))

/** The folder of city.yaml and its geo files: IOC_CITY_DIR, else the demo city in dashboards/geo. */
export function cityDir(env: { IOC_CITY_DIR?: string } = process.env): string {
  return env.IOC_CITY_DIR ? resolve(env.IOC_CITY_DIR) : DEMO_CITY_DIR
}

/** city.yaml alone (no geometry): cheap enough for reading the environment's defaults. */
export function loadCityConfig(dir = cityDir()): CityConfig {
  const file = join(dir, 'city.yaml')
  const parsed = CityConfigSchema.safeParse(parse(readFileSync(file, 'utf8')))
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`)
  return parsed.data
}

export function loadCity(dir = cityDir()): City {
  const config = loadCityConfig(dir)
  const regions = JSON.parse(readFileSync(join(dir, config.geo.regions), 'utf8')) as Region[]
  const topology = JSON.parse(readFileSync(join(dir, config.geo.topology), 'utf8')) as Topology
  const city = new City(regions, topology, config)
  const named = [
    ...config.demo_accounts.map((a) => a.region),
    ...config.simulator.dense_districts,
    ...Object.keys(config.simulator.district_weight),
  ]
  const unknown = named.find((code) => !city.get(code))
  if (unknown) throw new Error(`${join(dir, 'city.yaml')}: region ${unknown} is not in ${config.geo.regions}`)
  return city
}
