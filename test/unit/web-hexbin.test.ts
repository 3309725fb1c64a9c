import { describe, expect, it } from 'vitest'
import { hexbin } from '../../web/src/map/hexbin.js'

describe('hexbin (the map density layer)', () => {
  it('puts points closer than the radius into one cell and far ones apart, counting each once', () => {
    const near: [number, number][] = [
      [118.8, 32.05],
      [118.8002, 32.0501],
      [118.7999, 32.0499],
    ]
    const far: [number, number] = [118.9, 32.1]
    const bins = hexbin(
      [...near, far].map((position) => ({ position })),
      500,
    )
    expect(bins.map((b) => b.count).sort()).toEqual([1, 3])
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(4)
    // A cell's centre is within one radius of the points it holds.
    const busy = bins.find((b) => b.count === 3)!
    const dx = (busy.position[0] - 118.8) * 111_320 * Math.cos((32.05 * Math.PI) / 180)
    const dy = (busy.position[1] - 32.05) * 111_320
    expect(Math.hypot(dx, dy)).toBeLessThan(500)
  })

  it('gives nothing for no points or a non-positive radius', () => {
    expect(hexbin([], 100)).toEqual([])
    expect(hexbin([{ position: [118.8, 32] }], 0)).toEqual([])
  })
})
