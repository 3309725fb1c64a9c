import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { MAX_RETENTION_DAYS } from '#core/time-bounds.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `npm run ingest` as its own process (node + tsx, as the script runs it), and the port it listens on. */
export async function spawnIngest(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/ingest.ts'], {
    cwd: root,
    // The tests' records carry fixed times of 2026: the longest retention keeps them valid for years.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      IOC_DEMO: '0',
      LOG_LEVEL: 'info',
      IOC_RETENTION_DAYS: String(MAX_RETENTION_DAYS),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ingest did not start in 60 s:\n${out}`)), 60_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /"msg":"listening"[^\n]*|"url":"(http:\/\/[^"]+)\/"[^\n]*"msg":"listening"/.exec(out)
      const u = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/"/.exec(out)
      if (m && u) {
        clearTimeout(timer)
        resolve(u[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`ingest exited with ${code} before listening:\n${out}`))
    })
  })
  return { child, url, output: () => out }
}

/** Wait for a child to exit (after a signal). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}
