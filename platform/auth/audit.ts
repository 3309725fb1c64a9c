import type { Store } from '#store/client.js'
import { tableName } from '#store/schema.js'
import { log } from '../log.js'

export interface AuditEntry {
  /** `view`: one record's page; `read`: a list or an answer holding personal data of the records in `target_ids`. */
  action:
    | 'login'
    | 'login.refused'
    | 'login.throttled'
    | 'refresh'
    | 'refresh.refused'
    | 'view'
    | 'read'
    | 'oidc.login'
    | 'oidc.refused'
  user: string
  role?: string
  region?: string
  ip?: string
  target_kind?: string
  target_id?: string
  target_ids?: string[]
  detail?: string
}

/**
 * Audit records (logins, refused logins, record views) in the `audit_log` table. Entries are
 * buffered and written in one insert per second so a busy screen costs one insert, not one per view;
 * a failed write is retried with the next flush and logged (the buffer is capped, oldest dropped).
 */
export class AuditLog {
  private buffer: Array<AuditEntry & { ts: number }> = []
  private readonly timer: NodeJS.Timeout
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    intervalMs = 1000,
    private readonly maxBuffered = 100_000,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs)
    this.timer.unref()
  }

  record(entry: AuditEntry): void {
    this.buffer.push({ ...entry, ts: this.now() })
    if (this.buffer.length > this.maxBuffered) this.buffer.splice(0, this.buffer.length - this.maxBuffered)
  }

  /** Write what is buffered; resolves when it is stored (tests and shutdown wait on it). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.buffer.length === 0) return
      const batch = this.buffer
      this.buffer = []
      try {
        await this.store.insert({
          table: tableName.auditLog,
          format: 'JSONEachRow',
          values: batch.map((e) => ({
            ts: e.ts,
            action: e.action,
            user: e.user,
            role: e.role ?? '',
            region: e.region ?? '',
            ip: e.ip ?? '',
            target_kind: e.target_kind ?? '',
            target_id: e.target_id ?? '',
            target_ids: e.target_ids ?? [],
            detail: e.detail ?? '',
          })),
        })
      } catch (err) {
        log.warn({ err, entries: batch.length }, 'audit write failed; retrying with the next flush')
        this.buffer = batch.concat(this.buffer)
      }
    })
    return this.flushing
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
  }
}
