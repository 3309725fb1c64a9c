import mqtt from 'mqtt'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMqttSource } from '#ingest/sources/mqtt.js'
import { gridsIn } from '../support/harness.js'
import { startIngest, type IngestFixture } from '../support/ingest.js'
import { startMosquitto } from '../support/mosquitto.js'

let f: IngestFixture
let broker: Awaited<ReturnType<typeof startMosquitto>>
let source: ReturnType<typeof startMqttSource>
const grids = gridsIn('320106', 10)

beforeAll(async () => {
  broker = await startMosquitto()
  f = await startIngest({ batch: { maxDelayMs: 50 } })
  source = startMqttSource({ url: broker.url, pipeline: f.pipeline, clientId: 'ioc-ingest-test' })
  await new Promise<void>((resolve) => source.client.once('connect', () => resolve()))
})
afterAll(async () => {
  await source?.close()
  await f?.close()
  await broker?.close()
})

const status = (i: number, extra: Record<string, unknown> = {}) => ({
  ts: 1_790_000_000_000 + i * 1000,
  status: i % 7 === 0 ? 'fault' : 'online',
  grid_code: grids[i % grids.length],
  transactions: i,
  ...extra,
})
const stored = async (prefix: string) =>
  Number(
    (
      await f.rows<{ n: string }>(
        'SELECT uniqExact(terminal_id, ts) AS n FROM terminal_status WHERE startsWith(terminal_id, {p:String})',
        { p: prefix },
      )
    )[0].n,
  )
const total = async (prefix: string) =>
  Number(
    (
      await f.rows<{ n: string }>(
        'SELECT count() AS n FROM terminal_status WHERE startsWith(terminal_id, {p:String})',
        { p: prefix },
      )
    )[0].n,
  )

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return
    await sleep(100)
  }
}

describe('MQTT terminals on a real mosquitto', () => {
  it('stores status messages from ioc/terminals/{id}/status, the id taken from the topic, bad ones rejected', async () => {
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'terminal-publisher-1' })
    await pub.publishAsync('ioc/terminals/MQ-A1/status', JSON.stringify(status(1)), { qos: 1 })
    await pub.publishAsync('ioc/terminals/MQ-A2/status', JSON.stringify(status(2, { terminal_id: 'MQ-A2' })), {
      qos: 1,
    })
    await pub.publishAsync('ioc/terminals/MQ-A3/status', '{not json', { qos: 1 })
    await pub.publishAsync('ioc/terminals/MQ-A4/status', JSON.stringify(status(4, { terminal_id: 'SOMEONE-ELSE' })), {
      qos: 1,
    })
    await pub.publishAsync('ioc/terminals/MQ-A5/status', JSON.stringify(status(5, { status: 'exploded' })), { qos: 1 })
    await pub.endAsync()
    await until(async () => (await stored('MQ-A')) === 2, 10_000)
    expect(await stored('MQ-A')).toBe(2)
    await until(async () => (await f.rows("SELECT 1 FROM rejects WHERE source = 'mqtt'")).length === 3, 10_000)
    const rejects = await f.rows<{ path: string; reason: string }>(
      "SELECT path, reason FROM rejects WHERE source = 'mqtt' ORDER BY reason",
    )
    expect(rejects.map((r) => r.path).sort()).toEqual(['', '', 'status'])
  })

  it('loses no QoS 1 message when mosquitto restarts mid-stream, and stores each once', async () => {
    const N = 600
    const pub = await mqtt.connectAsync(broker.url, {
      clientId: 'terminal-publisher-2',
      clean: false,
      reconnectPeriod: 200,
    })
    const t0 = Date.now()
    const sent: Promise<unknown>[] = []
    for (let i = 0; i < N; i++) {
      // QoS 1: mqtt.js keeps each message until the broker's PUBACK and sends it again after a reconnect.
      sent.push(pub.publishAsync(`ioc/terminals/MQ-R${i % 50}/status`, JSON.stringify(status(i)), { qos: 1 }))
      if (i === N / 2) await broker.restart(500)
      else if (i % 50 === 0) await sleep(20)
    }
    await Promise.all(sent)
    await until(async () => (await stored('MQ-R')) === N, 20_000)
    const seconds = (Date.now() - t0) / 1000
    await pub.endAsync()
    await f.pipeline.flush()
    expect(await stored('MQ-R')).toBe(N)
    // Redelivered messages (sent again after the restart) are the same (id, ts): stored once.
    expect(await total('MQ-R')).toBe(N)
    console.info(
      `mqtt: ${N} QoS 1 messages with a broker restart (500 ms down) in the middle, all ${N} stored once in ${seconds.toFixed(1)} s`,
    )
  }, 40_000)
})
