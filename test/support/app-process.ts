import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** WebGL (maplibre, deck.gl) without a GPU: ANGLE on SwiftShader; nothing reaching out. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
]

/** What every browser test needs before it starts anything: Debian's chromium and the built screen. */
export function requireBrowserAndScreen(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium not found at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium`)
  if (!existsSync(join(ROOT, 'dist/web/index.html')))
    throw new Error('dist/web is missing: run `npx vite build` (npm test does)')
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const p = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(p))
    })
  })
}

/** Whether any process of the group is still alive (npx can exit before the node under it). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * The whole app as a user starts it (`tsx bin/start.ts`), in its own process group on a fixed
 * port, so that a test can stop it and start it again where the browser expects it.
 */
export class AppProcess {
  /** The last 20,000 characters the app printed. */
  log = ''
  private child: ChildProcess | undefined

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async onFreePort(env: Record<string, string>): Promise<AppProcess> {
    return new AppProcess(await freePort(), env)
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Start it and wait until `/healthz` answers 200. */
  async start(ms = 120_000): Promise<void> {
    const child = spawn('npx', ['tsx', 'bin/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(this.port), ...this.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const keep = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-20_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.child = child
    const deadline = Date.now() + ms
    let last = ''
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`the app exited with code ${child.exitCode} before it was healthy:\n${this.log.slice(-4000)}`)
      try {
        const res = await fetch(`${this.base}/healthz`)
        if (res.status === 200) return
        last = `HTTP ${res.status}`
      } catch (e) {
        last = String(e)
      }
      await new Promise((r) => setTimeout(r, 500))
    }
    throw new Error(`${this.base}/healthz not healthy after ${ms} ms (${last}):\n${this.log.slice(-4000)}`)
  }

  /** Wait until the app has printed `text` (a log message), or fail with its output. */
  async printed(text: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (!this.log.includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`the app did not print "${text}" in ${ms} ms:\n${this.log.slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  /** SIGTERM to the whole group (npx → tsx → node), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const pgid = this.child?.pid
    if (!pgid || !groupAlive(pgid)) return
    process.kill(-pgid, 'SIGTERM')
    const deadline = Date.now() + 15_000
    while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL')
    while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 100))
  }
}
