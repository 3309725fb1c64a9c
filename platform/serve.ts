import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { WebSocketServer } from 'ws'
import { log } from './log.js'

// Hono's `Hono<E>` differs per env type; any app's fetch is what the server needs.
type AnyApp = Pick<Hono<never>, 'fetch'>

/** Listen on host:port with WebSocket upgrades handled by a `ws` server in noServer mode. */
export function listen(
  app: AnyApp,
  port: number,
  hostname: string,
): Promise<{ server: ServerType; port: number; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname, websocket: { server: wss } }, (info) => {
      log.info({ url: `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${info.port}/` }, 'listening')
      resolve({
        server,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate()
            wss.close()
            server.close(() => done())
            // Keep-alive sockets would hold close() open: end them.
            ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
          }),
      })
    })
    server.once('error', reject)
  })
}
