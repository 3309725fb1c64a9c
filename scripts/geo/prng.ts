/**
 * Deterministic pseudo-random numbers. Every random choice in the generator
 * draws from a stream keyed by a region code (plus a purpose tag), so a
 * region's geometry depends only on its own code and its parent's outline,
 * never on the order in which regions happen to be processed.
 */

/** 32-bit FNV-1a over the UTF-16 code units of `key`. */
export function hashString(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A uniform [0, 1) generator. */
export type Rng = () => number

/** mulberry32: tiny, fast and good enough for placing seed points. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function rngFor(key: string): Rng {
  return mulberry32(hashString(key))
}
