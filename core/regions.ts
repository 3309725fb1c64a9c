/**
 * Region codes are national division codes; each level's code is a prefix of its children's.
 * city 4 digits → district 6 → street 9 → community 12 → grid 15.
 */
export const LEVELS = ['city', 'district', 'street', 'community', 'grid'] as const
export type Level = (typeof LEVELS)[number]
export const LEVEL_DIGITS: Record<Level, number> = { city: 4, district: 6, street: 9, community: 12, grid: 15 }
export const LEVEL_NAMES_ZH: Record<Level, string> = {
  city: '市',
  district: '区',
  street: '街道',
  community: '社区',
  grid: '网格',
}

const LEVEL_BY_LENGTH = new Map<number, Level>(LEVELS.map((l) => [LEVEL_DIGITS[l], l]))

export function isRegionCode(code: string): boolean {
  return /^\d+$/.test(code) && LEVEL_BY_LENGTH.has(code.length)
}

/** The level of a code, or undefined when it is not a region code. */
export function levelOf(code: string): Level | undefined {
  return /^\d+$/.test(code) ? LEVEL_BY_LENGTH.get(code.length) : undefined
}

/** 1-based depth used as the rollup key: city 1 … grid 5. */
export function depthOf(level: Level): number {
  return LEVELS.indexOf(level) + 1
}

export function childLevel(level: Level): Level | undefined {
  return LEVELS[LEVELS.indexOf(level) + 1]
}

export function parentLevel(level: Level): Level | undefined {
  const i = LEVELS.indexOf(level)
  return i > 0 ? LEVELS[i - 1] : undefined
}

/** The code of the region at `level` that contains `code` (a prefix), or undefined if finer than code. */
export function codeAtLevel(code: string, level: Level): string | undefined {
  const n = LEVEL_DIGITS[level]
  return code.length >= n ? code.slice(0, n) : undefined
}

export function parentOf(code: string): string | null {
  const level = levelOf(code)
  const up = level && parentLevel(level)
  return up ? code.slice(0, LEVEL_DIGITS[up]) : null
}

/** Codes from the city down to `code` itself. */
export function ancestry(code: string): string[] {
  const out: string[] = []
  for (const l of LEVELS) {
    const c = codeAtLevel(code, l)
    if (c && levelOf(c)) out.push(c)
    if (c === code) break
  }
  return out
}

/** Whether `code` lies inside `scope` (the same region or below it). */
export function isWithin(code: string, scope: string): boolean {
  return code.startsWith(scope)
}

/**
 * The region both `a` and `b` cover: the finer of the two when one lies inside the other, and
 * undefined when they are apart (a layer of one district asked about another).
 */
export function overlap(a: string, b: string): string | undefined {
  if (isWithin(a, b)) return a
  if (isWithin(b, a)) return b
  return undefined
}
