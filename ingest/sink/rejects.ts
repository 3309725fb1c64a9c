export interface RejectRow {
  stream: string
  source: string
  record_index: number
  path: string
  reason: string
  raw: string
}

const MAX_RAW = 64 * 1024

/** The raw text of an invalid record, bounded so a hostile sender cannot fill the disk through us. */
export function rawText(raw: unknown): string {
  let s: string
  try {
    s = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? typeof raw)
  } catch (e) {
    // Nested too deep to print (String() of it would overflow the stack as well): say so instead.
    s = `[${Array.isArray(raw) ? 'array' : typeof raw} not printable: ${(e as Error).message}]`
  }
  return s.length > MAX_RAW ? `${s.slice(0, MAX_RAW)}…[truncated ${s.length - MAX_RAW} chars]` : s
}
