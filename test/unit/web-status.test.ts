import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Status } from '#core/schemas/api.js'
import { useStatusStore } from '../../web/src/stores/status.js'

/** The header's status store against a server whose clock and answers the test sets. */
let answer: Status
function status(over: Partial<Status> = {}, serverNow = Date.now()): Status {
  return {
    now: new Date(serverNow).toISOString(),
    history: { loading: false, from: null, to: null, until: null, progress: 1 },
    newest: { events: null, tickets: null, terminals: null },
    lag_seconds: 5,
    freshness: { warn_seconds: 120, alarm_seconds: 600 },
    terminal_silence_minutes: 15,
    ...over,
  }
}

beforeEach(() => {
  setActivePinia(createPinia())
  vi.stubGlobal('fetch', async (url: string) => {
    expect(url).toBe('/api/v1/status')
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } })
  })
})
afterEach(() => vi.unstubAllGlobals())

const HOUR = 3_600_000

describe('the status store', () => {
  it("follows the server's clock, not the browser's, ignoring the jitter of a round trip", async () => {
    const s = useStatusStore()
    answer = status({}, Date.now() + HOUR)
    await s.refresh()
    expect(Math.abs(s.offset - HOUR)).toBeLessThan(500)
    expect(Math.abs(s.serverNow() - (Date.now() + HOUR))).toBeLessThan(500)
    const first = s.offset
    answer = status({}, Date.now() + HOUR + 300)
    await s.refresh()
    expect(s.offset).toBe(first)
    // A clock put right on the server (or on this PC) is followed at the next answer.
    answer = status({}, Date.now() - 2 * HOUR)
    await s.refresh()
    expect(Math.abs(s.offset + 2 * HOUR)).toBeLessThan(500)
  })

  it('grades the ingest lag by the thresholds the server gives', async () => {
    const s = useStatusStore()
    for (const [lag, level] of [
      [null, null],
      [5, 'ok'],
      [120, 'ok'],
      [121, 'warn'],
      [600, 'warn'],
      [601, 'alarm'],
    ] as const) {
      answer = status({ lag_seconds: lag })
      await s.refresh()
      expect(s.lagLevel, String(lag)).toBe(level)
    }
  })

  it('shows the history loading with its share, never 100 % before it is complete', async () => {
    const s = useStatusStore()
    const history = { from: new Date(0).toISOString(), to: new Date(HOUR).toISOString(), until: null }
    answer = status({ history: { ...history, loading: true, progress: 0.426 } })
    await s.refresh()
    expect([s.historyLoading, s.historyPercent]).toEqual([true, 42])
    answer = status({ history: { ...history, loading: true, progress: 0.9999 } })
    await s.refresh()
    expect(s.historyPercent).toBe(99)
    answer = status({ history: { ...history, loading: false, progress: 1 } })
    await s.refresh()
    expect([s.historyLoading, s.historyPercent]).toEqual([false, 100])
  })

  it('keeps the last answer and says it is stale when a poll fails', async () => {
    const s = useStatusStore()
    answer = status({ lag_seconds: 7 })
    await s.refresh()
    vi.stubGlobal('fetch', async () => new Response('', { status: 503 }))
    await s.refresh()
    expect([s.stale, s.lagSeconds]).toEqual([true, 7])
  })
})
