// One `npm start` node for a benchmark: on a free port, over a fresh data directory, in its own
// process group; `usage()` reads its CPU time and memory from /proc (Linux).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const TICK = 100 // USER_HZ on Linux

/** The node process that listens (under npx and tsx): the leaf of the process tree. */
function leaf(p: number): number {
  try {
    const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
    return kids.length ? leaf(kids[kids.length - 1]) : p
  } catch {
    return p
  }
}

/** Start `bin/start.ts` with `env` on top of this process's; resolves once /healthz answers 200. */
export async function startServer(name: string, env: Record<string, string>) {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
  const dir = mkdtempSync(join(tmpdir(), `ioc-bench-${name}-`))
  const server = spawn('npx', ['tsx', '--max-semi-space-size=64', 'bin/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      IOC_DATA_DIR: dir,
      IOC_DEMO: '1',
      LOG_LEVEL: 'warn',
      IOC_RATE_LIMIT: '1000000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  })
  const base = `http://127.0.0.1:${port}`
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break
    } catch {
      // not yet listening
    }
    await sleep(200)
  }
  const pid = leaf(server.pid!)
  return {
    base,
    /** The server's CPU seconds so far and its resident memory in bytes. */
    usage() {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      const rss = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) * 1024
      return { cpuSeconds: (Number(stat[11]) + Number(stat[12])) / TICK, rss }
    },
    async login(username: string): Promise<string> {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'demo' }),
      })
      return ((await res.json()) as { token: string }).token
    },
    async stop(): Promise<void> {
      process.kill(-server.pid!, 'SIGTERM')
      await sleep(1500)
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 })
    },
  }
}
