// `npm run layers:check`: validate every file of dashboards/layers and dashboards/alerts and dry-run
// its SQL in the sandbox (on an empty chDB with the schema, or on --data-dir DIR), warning of reads of
// deprecated tables. With --write it
// regenerates dashboards/schemas/*.json and the reference part of docs/layers.md from the zod schemas.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { jsonSchemas, withReference } from '#api/layers/reference.js'
import { Thematic } from '#api/layers/service.js'
import { loadCity } from '#platform/config/city.js'
import { openStores } from '#store/client.js'
import { migrate } from '#store/migrate.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    write: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    region: { type: 'string', default: '3201' },
  },
})

if (values.write) {
  mkdirSync(join(ROOT, 'dashboards/schemas'), { recursive: true })
  for (const [name, schema] of Object.entries(jsonSchemas()))
    writeFileSync(join(ROOT, 'dashboards/schemas', name), `${JSON.stringify(schema, null, 2)}\n`)
  const doc = join(ROOT, 'docs/layers.md')
  writeFileSync(doc, withReference(readFileSync(doc, 'utf8')))
  console.log('wrote dashboards/schemas/layer.schema.json, alert.schema.json and the reference of docs/layers.md')
}

const temp = values['data-dir'] ? undefined : mkdtempSync(join(tmpdir(), 'ioc-layers-check-'))
const stores = await openStores({
  dataDir: values['data-dir'] ?? temp,
  database: process.env.CLICKHOUSE_DATABASE || 'ioc',
})
let failed = 0
try {
  await migrate(stores.background)
  const t = new Thematic(stores, loadCity().root.code)
  await Promise.all([t.layers.load(), t.rules.load()])
  const now = Date.now()
  const region = values.region!
  let deprecated = 0
  const warn = (file: string, warnings: string[]) => {
    deprecated += warnings.length
    for (const w of warnings) console.warn(`warn ${file}  ${w}`)
  }
  for (const l of t.layers.list()) {
    warn(`layers/${l.id}.yaml`, await t.sandbox.check(l.sql, l.params))
    const r = await t.sandbox.run(l.sql, { region, from: now - 86_400_000, to: now, now }, l.params)
    console.log(`ok   layers/${l.id}.yaml  ${r.rows} rows in ${r.elapsedMs.toFixed(0)} ms`)
  }
  for (const rule of t.rules.list()) {
    warn(`alerts/${rule.id}.yaml`, await t.rulesSandbox.check(rule.query, rule.params))
    const r = await t.rulesSandbox.run(
      rule.query,
      { region: rule.scope, from: now - rule.lookback_minutes * 60_000, to: now, now },
      rule.params,
    )
    console.log(`ok   alerts/${rule.id}.yaml  ${r.rows} rows in ${r.elapsedMs.toFixed(0)} ms`)
  }
  for (const [folder, set] of [
    ['layers', t.layers],
    ['alerts', t.rules],
  ] as const) {
    for (const e of set.problems()) {
      failed++
      console.error(`FAIL ${folder}/${e.file}:${e.line ?? '?'}  ${e.field}: ${e.message}`)
    }
  }
  // Deprecated tables still work: a warning to act on, not a failure.
  if (deprecated) console.warn(`layers:check: ${deprecated} read(s) of deprecated tables: read the views instead`)
  t.close()
} finally {
  await stores.close()
  if (temp) rmSync(temp, { recursive: true, force: true })
}
if (failed) {
  console.error(`layers:check: ${failed} problem(s)`)
  process.exit(1)
}
console.log('layers:check: every layer and alert rule is valid')
