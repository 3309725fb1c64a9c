import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// `npm ci` refuses a lock that lacks an optional dependency, even one for another platform. The
// registry this project is built against serves only chdb's linux-x64 library, so an install here
// drops the others from the lock; scripts/lock-chdb-platforms.mjs puts them back.
describe('package-lock.json', () => {
  it('lists every platform library of chdb, so that npm ci accepts it', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>
    }
    const wanted = Object.keys(lock.packages['node_modules/chdb'].optionalDependencies ?? {})
    const missing = wanted.filter((name) => !lock.packages[`node_modules/${name}`])
    expect(missing, 'run: node scripts/lock-chdb-platforms.mjs').toEqual([])
  })
})
