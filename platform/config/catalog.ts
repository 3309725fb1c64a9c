import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import {
  EventCatalogSchema,
  HotlineCatalogSchema,
  Open311PublicationSchema,
  type EventCatalog,
  type HotlineCatalog,
  type Open311Publication,
} from '#core/schemas/catalog.js'

// Node-only (reads files); the schemas in core/schemas/catalog.ts stay browser-safe.
const catalogDir = fileURLToPath(new URL('../../dashboards/catalog/', import.meta.url))

export function loadEventCatalog(dir = catalogDir): EventCatalog {
  return EventCatalogSchema.parse(parse(readFileSync(`${dir}/events.yaml`, 'utf8')))
}
export function loadHotlineCatalog(dir = catalogDir): HotlineCatalog {
  return HotlineCatalogSchema.parse(parse(readFileSync(`${dir}/hotline.yaml`, 'utf8')))
}

export function loadOpen311Publication(dir = catalogDir): Open311Publication {
  const parsed = Open311PublicationSchema.safeParse(parse(readFileSync(`${dir}/open311.yaml`, 'utf8')))
  if (!parsed.success)
    throw new Error(
      `dashboards/catalog/open311.yaml: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`,
    )
  return parsed.data
}
