import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('the demo city', () => {
  it('is reproduced byte for byte by scripts/build-geo.ts', () => {
    const out = mkdtempSync(join(tmpdir(), 'ioc-geo-'))
    try {
      execFileSync('npx', ['tsx', 'scripts/build-geo.ts', '--out', out], { stdio: 'pipe', timeout: 110_000 })
      for (const f of ['regions.json', 'nanjing.topo.json'])
        expect(sha(join(out, f)), f).toBe(sha(join('dashboards/geo', f)))
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)
})
