import { n } from '../i18n'

export function formatInt(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? n(v, 'integer') : '—'
}

/** Rates arrive in 0..1. */
export function formatPct(r: number | null | undefined, digits = 1): string {
  if (typeof r !== 'number' || !Number.isFinite(r)) return '—'
  return n(r * 100, { key: 'fixed1', minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function formatMinutes(m: number | null | undefined): string {
  if (typeof m !== 'number' || !Number.isFinite(m)) return '—'
  return m >= 100 ? n(Math.round(m), 'integer') : n(m, 'fixed1')
}
