import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

async function accepting(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => {
        c.end()
        resolve(true)
      })
      c.once('error', () => resolve(false))
    })
    if (ok) return
    await sleep(50)
  }
  throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`)
}

/**
 * A real mosquitto on a free loopback port with its own temp config and persistence file, so
 * sessions and queued QoS 1 messages survive a restart (as a production broker is configured).
 * Never the system service.
 */
export async function startMosquitto() {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-mosquitto-'))
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // Started as root, mosquitto would drop to user "mosquitto", who cannot write our temp dir.
      `user ${userInfo().username}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 100000',
      'log_dest stderr',
      'log_type error',
    ].join('\n') + '\n',
  )
  let proc: ChildProcess | undefined
  let log = ''
  async function start() {
    proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()))
    await accepting(port)
  }
  async function stop(signal: NodeJS.Signals = 'SIGTERM') {
    const p = proc
    if (!p || p.exitCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill(signal)
    await exited
  }
  await start()
  return {
    url: `mqtt://127.0.0.1:${port}`,
    /** Stop (saving its persistence file, as a restart by an operator does) and start again. */
    restart: async (downMs = 0) => {
      await stop()
      await sleep(downMs)
      await start()
    },
    stop,
    log: () => log,
    close: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
