import { describe, expect, it } from 'vitest'
import { readEnv, resolveHost } from '#platform/env.js'
import { TERMINAL_HEARTBEAT_MS } from '#core/terminals.js'
import { storeOptionsFromEnv } from '#store/client.js'

describe('environment', () => {
  it('has the contract defaults', () => {
    const env = readEnv({})
    expect(env).toMatchObject({
      PORT: 8080,
      IOC_DATA_DIR: './data',
      CLICKHOUSE_DATABASE: 'ioc',
      IOC_TZ: 'Asia/Shanghai',
      IOC_DEMO: false,
    })
    expect(env.CLICKHOUSE_URL).toBeUndefined()
    expect(resolveHost(env)).toBe('0.0.0.0')
  })

  it('chooses a ClickHouse server when CLICKHOUSE_URL is set, chDB otherwise', () => {
    expect(
      storeOptionsFromEnv({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'p' }),
    ).toMatchObject({
      url: 'http://ch:8123',
      username: 'u',
      password: 'p',
      database: 'ioc',
    })
    expect(storeOptionsFromEnv({ IOC_DATA_DIR: '/var/lib/ioc' })).toMatchObject({
      url: undefined,
      dataDir: '/var/lib/ioc',
    })
  })

  it('keeps the demo accounts on a loopback bind', () => {
    expect(resolveHost(readEnv({ IOC_DEMO: '1' }))).toBe('127.0.0.1')
    expect(() => resolveHost(readEnv({ IOC_DEMO: '1', HOST: '0.0.0.0' }))).toThrow(/loopback/)
  })

  it('names a bad variable', () => {
    expect(() => readEnv({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => readEnv({ CLICKHOUSE_DATABASE: 'x; DROP' })).toThrow(/CLICKHOUSE_DATABASE/)
  })

  it('counts a terminal silent for three missed heartbeats as offline, unless told otherwise', () => {
    expect(readEnv({}).IOC_TERMINAL_SILENCE_MINUTES).toBe(15)
    expect(readEnv({}).IOC_TERMINAL_SILENCE_MINUTES * 60_000).toBe(3 * TERMINAL_HEARTBEAT_MS)
    expect(readEnv({ IOC_TERMINAL_SILENCE_MINUTES: '30' }).IOC_TERMINAL_SILENCE_MINUTES).toBe(30)
    expect(readEnv({ IOC_TERMINAL_SILENCE_MINUTES: '2.5' }).IOC_TERMINAL_SILENCE_MINUTES).toBe(2.5)
    for (const bad of ['0', '-5', 'soon', '100000'])
      expect(() => readEnv({ IOC_TERMINAL_SILENCE_MINUTES: bad }), bad).toThrow(/IOC_TERMINAL_SILENCE_MINUTES/)
  })

  it('bounds what ingest takes: time ahead and behind, and the wait for a body', () => {
    expect(readEnv({})).toMatchObject({
      IOC_MAX_FUTURE_MINUTES: 10,
      IOC_RETENTION_DAYS: 400,
      IOC_INGEST_BODY_TIMEOUT_SECONDS: 30,
    })
    expect(readEnv({ IOC_RETENTION_DAYS: '2555' }).IOC_RETENTION_DAYS).toBe(2555)
    // More would let one insert block span over 100 monthly partitions.
    expect(() => readEnv({ IOC_RETENTION_DAYS: '3650' })).toThrow(/IOC_RETENTION_DAYS/)
    expect(() => readEnv({ IOC_MAX_FUTURE_MINUTES: '-1' })).toThrow(/IOC_MAX_FUTURE_MINUTES/)
    expect(() => readEnv({ IOC_INGEST_BODY_TIMEOUT_SECONDS: '0' })).toThrow(/IOC_INGEST_BODY_TIMEOUT_SECONDS/)
  })
})
