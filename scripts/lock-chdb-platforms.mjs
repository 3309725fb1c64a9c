#!/usr/bin/env node
// `node scripts/lock-chdb-platforms.mjs`: adds lock entries for chdb's platform packages that this registry does not
// serve, so `npm ci`
// accepts the lock; on linux-x64 npm skips them by os/cpu and never fetches them. Run it after an
// install that rewrote package-lock.json without them (test/unit/lockfile.test.ts says so).
import { readFileSync, writeFileSync } from 'node:fs'
const file = process.argv[2] ?? 'package-lock.json'
const lock = JSON.parse(readFileSync(file, 'utf8'))
const chdb = lock.packages['node_modules/chdb']
const platforms = {
  'lib-darwin-arm64': ['darwin', 'arm64'],
  'lib-darwin-x64': ['darwin', 'x64'],
  'lib-linux-arm64-gnu': ['linux', 'arm64'],
}
for (const [name, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/@chdb/${name}`
  const version = chdb.optionalDependencies[`@chdb/${name}`]
  if (lock.packages[key]) continue
  lock.packages[key] = {
    version,
    cpu: [cpu],
    license: 'Apache-2.0',
    optional: true,
    os: [os],
    ...(os === 'linux' ? { libc: ['glibc'] } : {}),
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
)
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
