/**
 * Seeded randomness for the simulator. Everything the simulator draws comes from an `Rng` made
 * here, so the same seed gives the same city, byte for byte (V8 computes Math.log/exp/sqrt/cos
 * with the same portable fdlibm code on every platform).
 */

/** A uniform [0, 1) generator. */
export type Rng = () => number

/** 32-bit FNV-1a of a string: turns a purpose label ("events", "terminals") into seed bits. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, so unlike
 * mulberry32's 2^32 period it does not cycle within a month of backfill at high rates.
 */
export function sfc32(a: number, b: number, c: number, d: number): Rng {
  return () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
}

/** splitmix32 step: spreads a small seed over sfc32's four words. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0
  let z = x
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/**
 * An independent stream for one purpose: `rngFor(42, 'terminals')`. Separate streams keep, for
 * example, the terminals' story unchanged when only the event rate changes.
 */
export function rngFor(seed: number, label: string): Rng {
  let x = (hashString(label) ^ Math.imul(seed | 0, 0x27d4eb2d)) >>> 0
  const words: number[] = []
  for (let i = 0; i < 4; i++) {
    x = splitmix32(x + i)
    words.push(x)
  }
  const rng = sfc32(words[0], words[1], words[2], words[3])
  for (let i = 0; i < 12; i++) rng() // sfc32 wants a few rounds before its output is well mixed
  return rng
}

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng()
}

/** Uniform integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n)
}

export function pickOne<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]
}

/** Standard normal (Box–Muller; one value per call keeps the draw count per call fixed). */
export function normal(rng: Rng): number {
  const u = 1 - rng() // (0, 1]: log(0) would be -Infinity
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Lognormal with the given median and log-space sigma: durations that are mostly short, some long. */
export function lognormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng))
}

/**
 * Poisson count with mean `lambda`: Knuth's product method while it is cheap and exact, the
 * normal approximation above 30 where the difference no longer shows.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0
  if (lambda < 30) {
    const limit = Math.exp(-lambda)
    let k = 0
    let p = rng()
    while (p > limit) {
      k++
      p *= rng()
    }
    return k
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rng)))
}

/** Picks indices in proportion to fixed weights: cumulative sums and a binary search, O(log n). */
export class WeightedPicker<T> {
  private readonly cumulative: Float64Array
  readonly total: number

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length)
      throw new Error('WeightedPicker needs one weight per item')
    this.cumulative = new Float64Array(items.length)
    let sum = 0
    for (let i = 0; i < weights.length; i++) {
      sum += Math.max(0, weights[i])
      this.cumulative[i] = sum
    }
    if (!(sum > 0)) throw new Error('WeightedPicker needs a positive weight')
    this.total = sum
  }

  pickIndex(rng: Rng): number {
    const r = rng() * this.total
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cumulative[mid] > r) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  pick(rng: Rng): T {
    return this.items[this.pickIndex(rng)]
  }

  /** The share of the total weight held by items matching `test`. */
  share(test: (item: T) => boolean): number {
    let w = 0
    for (let i = 0; i < this.items.length; i++) {
      if (test(this.items[i])) w += this.cumulative[i] - (i > 0 ? this.cumulative[i - 1] : 0)
    }
    return w / this.total
  }
}
