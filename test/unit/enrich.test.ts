import { describe, expect, it } from 'vitest'
import { loadCity } from '#platform/config/city.js'
import { createEnricher } from '#ingest/pipeline/enrich.js'
import { toWgs84 } from '#ingest/pipeline/coords.js'
import { toGcj02 } from '../support/gcj02.js'

const city = loadCity()
const enrich = createEnricher(city)
const grids = [...city.regions.values()].filter((r) => r.level === 'grid')

describe('enrichment', () => {
  it('derives community, street and district from the grid code and places it at the grid centroid', () => {
    const g = grids[0]
    const r = enrich({ grid_code: g.code })
    expect(r).toEqual({
      ok: true,
      value: {
        grid_code: g.code,
        community: g.code.slice(0, 12),
        street: g.code.slice(0, 9),
        district: g.code.slice(0, 6),
        lon: g.centroid[0],
        lat: g.centroid[1],
      },
    })
  })

  it('keeps a given position, converted to WGS84', () => {
    const g = grids[100]
    const [lon, lat] = toGcj02(...g.centroid)
    const r = enrich({ grid_code: g.code, lon, lat, crs: 'gcj02' as const })
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value.lon).toBeCloseTo(g.centroid[0], 5)
      expect(r.value.lat).toBeCloseTo(g.centroid[1], 5)
      expect('crs' in r.value).toBe(false)
    }
  })

  it('finds the grid of a position-only record by point in polygon, in every datum', () => {
    for (const g of [grids[0], grids[5000], grids[grids.length - 1]]) {
      expect(enrich({ lon: g.centroid[0], lat: g.centroid[1] })).toMatchObject({
        ok: true,
        value: { grid_code: g.code },
      })
      const [gx, gy] = toGcj02(...g.centroid)
      expect(enrich({ lon: gx, lat: gy, crs: 'gcj02' as const })).toMatchObject({
        ok: true,
        value: { grid_code: g.code },
      })
    }
  })

  it('rejects a position outside the city and an unknown grid', () => {
    expect(enrich({ lon: 121.47, lat: 31.23 })).toMatchObject({ ok: false, path: 'lon' })
    expect(enrich({ grid_code: '320102999999999' })).toMatchObject({ ok: false, path: 'grid_code' })
  })

  it('converts BD-09 and GCJ-02 back to WGS84 within a metre', () => {
    const [lon, lat] = [118.7969, 32.0603]
    const [gx, gy] = toGcj02(lon, lat)
    const [wx, wy] = toWgs84(gx, gy, 'gcj02')
    expect(Math.abs(wx - lon)).toBeLessThan(1e-5)
    expect(Math.abs(wy - lat)).toBeLessThan(1e-5)
    expect(toWgs84(lon, lat)).toEqual([lon, lat])
  })
})
