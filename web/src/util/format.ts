const int = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 })

export function formatInt(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? int.format(n) : '—'
}

/** Rates arrive in 0..1. */
export function formatPct(r: number | null | undefined, digits = 1): string {
  return typeof r === 'number' && Number.isFinite(r) ? (r * 100).toFixed(digits) : '—'
}

export function formatMinutes(m: number | null | undefined): string {
  if (typeof m !== 'number' || !Number.isFinite(m)) return '—'
  return m >= 100 ? int.format(Math.round(m)) : m.toFixed(1)
}
