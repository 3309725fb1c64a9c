// Thematic layers on a day of demo data: per shipped layer at city level, the sandboxed query time,
// the checks' share of it, and the size of the columnar frame against the same rows as JSON objects
// and (for point layers) as a GeoJSON FeatureCollection. `npm run bench -- layers`.
import { encodeFrame } from '#api/layers/frame.js'
import { thematicFor } from '#api/layers/service.js'
import { startHarness } from '../test/support/harness.js'
import { loadDemoHistory } from '../test/support/layers-demo.js'

const HOURS = Number(process.env.BENCH_LAYER_HOURS ?? 24)
const RATE = Number(process.env.BENCH_LAYER_RATE ?? 5)
const RUNS = 5

const h = await startHarness()
const t0 = performance.now()
const records = await loadDemoHistory(h, { hours: HOURS, rate: RATE })
console.log(
  `demo data: ${records} records (${HOURS} h at rate ${RATE}) stored in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)

const t = thematicFor(h.ctx)
await t.ready()
const now = Date.now()
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

console.log('layer                     rows   check ms  run ms (median of 5)  frame     JSON rows  GeoJSON   encode ms')
for (const layer of t.layers.list()) {
  const values = { region: '3201', from: now - HOURS * 3_600_000, to: now, now }
  const checks: number[] = []
  const runs: number[] = []
  let result = await t.sandbox.run(layer.sql, values, layer.params)
  for (let i = 0; i < RUNS; i++) {
    const c0 = performance.now()
    await t.sandbox.check(layer.sql, layer.params)
    checks.push(performance.now() - c0)
    const r0 = performance.now()
    result = await t.sandbox.run(layer.sql, values, layer.params)
    runs.push(performance.now() - r0)
  }
  const e0 = performance.now()
  const frame = encodeFrame(result, { layer: layer.id, region: '3201' })
  const encodeMs = performance.now() - e0
  const objects = result.data.map((row) => Object.fromEntries(result.meta.map((m, i) => [m.name, row[i]])))
  const json = Buffer.byteLength(JSON.stringify(objects))
  const pos = 'position' in layer.draw ? layer.draw.position : undefined
  const geojson = pos
    ? Buffer.byteLength(
        JSON.stringify({
          type: 'FeatureCollection',
          features: objects.map((o) => ({
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [o[pos.lon], o[pos.lat]] },
            properties: o,
          })),
        }),
      )
    : 0
  console.log(
    `${layer.id.padEnd(25)} ${String(result.rows).padStart(6)} ${median(checks).toFixed(1).padStart(9)} ${median(runs).toFixed(1).padStart(8)}              ${kb(frame.byteLength).padStart(9)} ${kb(json).padStart(10)} ${(geojson ? kb(geojson) : '–').padStart(9)} ${encodeMs.toFixed(1).padStart(8)}`,
  )
}
t.close()
await h.close()
