import { loadEventCatalog, loadHotlineCatalog } from '#platform/config/catalog.js'
import { STREAM_NAMES } from '#core/schemas/records.js'
import { loadCity } from '#platform/config/city.js'
import { simCity as toSimCity } from '#simulator/city.js'
import { createSimulator } from '#simulator/model.js'
import type { Harness } from './harness.js'

/**
 * Demo data for the layer and alert tests: the simulator's story of the last `hours` before `now`,
 * stored through the real ingest pipeline (so state tables and rollups fill as in production).
 */
export async function loadDemoHistory(
  h: Harness,
  opts: { hours: number; rate?: number; now?: number; seed?: number },
): Promise<number> {
  const now = opts.now ?? Date.now()
  const start = Math.floor((now - opts.hours * 3_600_000) / 60_000) * 60_000
  const sim = createSimulator({
    seed: opts.seed ?? 20261123,
    rate: opts.rate ?? 4,
    city: toSimCity(loadCity()),
    eventCatalog: loadEventCatalog(),
    hotlineCatalog: loadHotlineCatalog(),
    start,
  })
  let stored = 0
  for (let t = start; t < now;) {
    t = Math.min(now, t + 3_600_000)
    const batch = sim.advance(t)
    for (const stream of STREAM_NAMES) {
      if (batch[stream].length === 0) continue
      await h.pipeline.ingest(stream, batch[stream], 'simulator')
      stored += batch[stream].length
    }
  }
  await h.pipeline.flush()
  return stored
}
