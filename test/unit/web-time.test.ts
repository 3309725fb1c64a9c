import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatHms, nextCityDay, setCityTimeZone, startOfCityDay } from '../../web/src/util/time.js'

// The cases are about the demo city's zone until they name another.
beforeEach(() => setCityTimeZone('Asia/Shanghai'))
afterEach(() => setCityTimeZone('Asia/Shanghai'))

describe("the screen's day", () => {
  it('is the day of the city time zone the server names', () => {
    const t = Date.parse('2026-11-23T16:30:00Z') // 00:30 on the 24th in Nanjing
    expect(new Date(startOfCityDay(t)).toISOString()).toBe('2026-11-23T16:00:00.000Z')
    setCityTimeZone('UTC')
    expect(new Date(startOfCityDay(t)).toISOString()).toBe('2026-11-23T00:00:00.000Z')
    expect(formatHms(t)).toBe('16:30:00')
  })

  it('is 23 or 25 hours long across a daylight-saving change', () => {
    setCityTimeZone('Europe/Berlin')
    const start = startOfCityDay(Date.parse('2026-03-29T12:00:00Z'))
    expect((nextCityDay(start) - start) / 3_600_000).toBe(23)
  })

  it('keeps its zone when told one the browser does not know', () => {
    setCityTimeZone('Mars/Olympus')
    expect(new Date(startOfCityDay(Date.parse('2026-11-23T16:30:00Z'))).toISOString()).toBe('2026-11-23T16:00:00.000Z')
  })
})
