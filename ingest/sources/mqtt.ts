import { setTimeout as sleep } from 'node:timers/promises'
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt'
import { log } from '#platform/log.js'
import type { IngestPipeline } from '../pipeline/index.js'
import { BackpressureError } from '../sink/backpressure.js'
import { SpoolWriteError } from '../sink/spool.js'

export const TERMINAL_TOPIC = 'ioc/terminals/+/status'
const TOPIC = /^ioc\/terminals\/([^/]+)\/status$/

export interface MqttSourceOptions {
  url: string
  pipeline: IngestPipeline
  /** Fixed, so the broker keeps our session (subscription and queued QoS 1 messages) while we are away. */
  clientId?: string
  username?: string
  password?: string
}

/**
 * One MQTT message as a terminal-status record: the JSON payload, its terminal_id taken from the
 * topic when absent (and rejected when it disagrees with the topic).
 */
export function recordOf(topic: string, payload: Buffer): { item: unknown; parseError?: string } {
  const m = TOPIC.exec(topic)
  let item: unknown
  try {
    item = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload))
  } catch (e) {
    return { item: payload.toString('utf8').slice(0, 65_536), parseError: `not JSON: ${(e as Error).message}` }
  }
  if (m && item && typeof item === 'object' && !Array.isArray(item)) {
    const r = item as Record<string, unknown>
    if (r.terminal_id === undefined) return { item: { ...r, terminal_id: m[1] } }
    if (r.terminal_id !== m[1])
      return { item, parseError: `terminal_id ${String(r.terminal_id)} does not match the topic's ${m[1]}` }
  }
  return { item }
}

/**
 * Subscribes to the terminals' status topic with QoS 1 on a persistent session (clean: false, a
 * fixed clientId), so messages published while we reconnect or while the broker restarts are kept
 * for us. A message is acknowledged (PUBACK) only once its record is durable: fsync'd in the spool
 * (or refused with its reason in `rejects`). mqtt.js calls `handleMessage` one message at a time
 * and sends the PUBACK when its callback runs; while the spool refuses (429), we wait and retry, which
 * stops reading from the broker rather than dropping anything.
 */
export function startMqttSource(opts: MqttSourceOptions): { client: MqttClient; close: () => Promise<void> } {
  let closing = false
  const client = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? 'ioc-ingest',
    clean: false,
    reconnectPeriod: 500,
    connectTimeout: 5_000,
    username: opts.username,
    password: opts.password,
  })

  async function durable(packet: IPublishPacket): Promise<void> {
    const { item, parseError } = recordOf(
      packet.topic,
      Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    )
    for (let attempt = 0; !closing; attempt++) {
      try {
        const prepared = opts.pipeline.prepare(
          'terminal-status',
          [item],
          'mqtt',
          parseError ? new Map([[0, parseError]]) : undefined,
        )
        const r = await opts.pipeline.commit(prepared, 'spooled')
        if (r.errors.length) log.debug({ topic: packet.topic, error: r.errors[0] }, 'mqtt message rejected')
        return
      } catch (e) {
        if (!(e instanceof BackpressureError || e instanceof SpoolWriteError)) throw e
        if (attempt === 0) log.warn({ err: e }, 'mqtt: ingest is behind; holding the broker until it has room')
        await sleep(e instanceof BackpressureError ? e.retryAfterSeconds * 1000 : 1000)
      }
    }
    throw new Error('closing: not acknowledged, the broker delivers it again')
  }

  client.handleMessage = (packet, done) => {
    durable(packet).then(
      () => done(),
      (err: Error) => {
        // No PUBACK: cut the connection so that the broker delivers it again when we reconnect.
        log.warn({ err, topic: packet.topic }, 'mqtt message not acknowledged')
        done(err)
        if (!closing) client.stream?.destroy()
      },
    )
  }
  client.on('connect', (ack) => {
    log.info({ url: opts.url, sessionPresent: ack.sessionPresent }, 'mqtt connected')
    // A session the broker kept still has our subscription; subscribing again is harmless.
    client.subscribe(TERMINAL_TOPIC, { qos: 1 }, (err) => err && log.error({ err }, 'mqtt subscribe failed'))
  })
  client.on('reconnect', () => log.debug('mqtt reconnecting'))
  client.on('error', (err) => log.warn({ err }, 'mqtt error'))

  return {
    client,
    close: async () => {
      closing = true
      await client.endAsync()
    },
  }
}
