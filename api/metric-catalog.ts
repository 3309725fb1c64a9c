import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { MetricCatalogSchema, migrateMetricCatalog, type MetricDef, type MetricInfo } from '#core/schemas/metrics.js'

const catalogFile = fileURLToPath(new URL('../dashboards/catalog/metrics.yaml', import.meta.url))

/**
 * The metric catalogue, loaded and checked once per process; a bad file stops start-up naming the entry. A file of
 * an older schemaVersion is migrated first (migrateMetricCatalog), so a city's own catalogue keeps loading.
 */
export class MetricCatalog {
  readonly byId: ReadonlyMap<string, MetricDef>
  constructor(readonly defs: MetricDef[]) {
    this.byId = new Map(defs.map((d) => [d.id, d]))
  }

  get(id: string): MetricDef | undefined {
    return this.byId.get(id)
  }

  list(): MetricInfo[] {
    return this.defs.map((d) => ({
      id: d.id,
      title: d.title,
      unit: d.unit,
      kind: d.kind,
      compute: d.compute,
      // The English definition, as older clients read it.
      description: d.definition.en,
      definition: d.definition,
      breakdowns: d.breakdowns,
      series: d.series,
    }))
  }
}

export function loadMetricCatalog(file = catalogFile): MetricCatalog {
  const parsed = MetricCatalogSchema.safeParse(migrateMetricCatalog(parse(readFileSync(file, 'utf8'))))
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new Error(`${file}: ${i.path.join('.')}: ${i.message}`)
  }
  return new MetricCatalog(parsed.data.metrics)
}

let loaded: MetricCatalog | undefined
/** The catalogue of this process (read on first use). */
export function metricCatalog(): MetricCatalog {
  return (loaded ??= loadMetricCatalog())
}
