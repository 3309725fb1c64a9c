// `npm run bench`: every benchmark in bench/, one after another, each printing its figures.
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const only = process.argv.slice(2)
for (const f of readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue
  console.log(`\n== bench/${f}`)
  // The services' own V8 setting (package.json): a 64 MiB young generation, see docs/performance.md.
  execFileSync('npx', ['tsx', '--max-semi-space-size=64', `bench/${f}`], { stdio: 'inherit' })
}
