import { describe, expect, it } from 'vitest'
import { parseWall, placeCanvas } from '../../web/src/util/wall.js'

describe('the wall: design canvas placement', () => {
  it('fits 1920×1080 and 3840×2160 exactly, at scale 1 and 2', () => {
    expect(placeCanvas(1920, 1080, null)).toEqual({ scale: 1, left: 0, top: 0, width: 1920 })
    expect(placeCanvas(3840, 2160, null)).toEqual({ scale: 2, left: 0, top: 0, width: 1920 })
  })

  it('widens the canvas on walls wider than 16:9 instead of leaving black bars', () => {
    expect(placeCanvas(5760, 1080, null)).toEqual({ scale: 1, left: 0, top: 0, width: 5760 })
    expect(placeCanvas(7680, 2160, null)).toEqual({ scale: 2, left: 0, top: 0, width: 3840 })
  })

  it('letterboxes a taller screen without distortion', () => {
    const p = placeCanvas(1920, 1440, null)
    expect(p.scale).toBe(1)
    expect(p.top).toBe(180)
  })

  it('gives each tile of a 2×1 wall its half of one canvas laid over both screens', () => {
    const wall = parseWall('2x1', '2')!
    expect(wall).toEqual({ cols: 2, rows: 1, tile: 2 })
    expect(placeCanvas(1920, 1080, parseWall('2x1', '1'))).toEqual({ scale: 1, left: 0, top: 0, width: 3840 })
    expect(placeCanvas(1920, 1080, wall)).toEqual({ scale: 1, left: -1920, top: 0, width: 3840 })
    // A 2×2 wall of 1080p screens is one 4K picture: the bottom-right tile is offset both ways.
    expect(placeCanvas(1920, 1080, parseWall('2x2', '4'))).toEqual({ scale: 2, left: -1920, top: -1080, width: 1920 })
  })

  it('refuses a malformed wall or a tile outside it', () => {
    expect(parseWall('2by1', '1')).toBeNull()
    expect(parseWall('2x1', '3')).toBeNull()
    expect(parseWall(undefined, '1')).toBeNull()
    expect(parseWall('3x2', undefined)).toEqual({ cols: 3, rows: 2, tile: 1 })
  })
})
