import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { Spool } from '#ingest/sink/spool.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A spool whose inserts wait until the test opens the gate (once, for good), recording the rows of each. */
function gated() {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-spool-test-'))
  dirs.push(dir)
  const inserts: number[] = []
  let open: () => void = () => {}
  const gate = new Promise<void>((r) => (open = r))
  const spool = new Spool({
    dir,
    name: 'test',
    maxRows: 100_000,
    maxDelayMs: 5,
    flushNowRows: 1_000,
    maxMemoryBytes: 1 << 20,
    ack: 'spooled',
    write: async (_tsv, rows) => {
      inserts.push(rows)
      await gate
    },
  })
  spool.start()
  const lines = (n: number) => 'x\n'.repeat(n)
  return { spool, inserts, lines, release: () => open() }
}

describe('spool', () => {
  it('lets a segment whose time is up grow while the inserter is busy, and inserts it as one when the inserter is free', async () => {
    const { spool, inserts, lines, release } = gated()
    await spool.append(lines(10), 10)
    while (inserts.length === 0) await sleep(5) // the first segment, sealed by its timer, is being inserted
    for (let i = 0; i < 5; i++) {
      await spool.append(lines(10), 10)
      await sleep(20) // each time well past the segment's 5 ms
    }
    release()
    await spool.flush()
    // Not five inserts of 10 queued behind the first: one of 50.
    expect(inserts).toEqual([10, 50])
    await spool.close()
  })
})
