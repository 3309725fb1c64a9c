import type { Alert } from '#core/schemas/alert.js'
import type { Store } from '#store/client.js'
import { tableName, tables } from '#store/schema.js'
import { sql } from '#store/sql.js'
import { num, rows } from '../queries/run.js'

// The `alerts` table (migration 030): each change of an alert is a new row with a higher version;
// FINAL gives the newest. Values are always bound.

const COLUMNS = sql`alert_id, rule_id, key, region, severity, title, title_en, message, message_en, value, lon, lat, status, assignee, acked_by,
  toUnixTimestamp64Milli(fired_at) AS fired_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms,
  toUnixTimestamp64Milli(resolved_at) AS resolved_ms, version`

interface Row {
  alert_id: string
  rule_id: string
  key: string
  region: string
  severity: Alert['severity']
  title: string
  title_en: string
  message: string
  message_en: string
  value: number
  lon: number | null
  lat: number | null
  status: Alert['status']
  assignee: string
  acked_by: string
  fired_ms: string
  updated_ms: string
  resolved_ms: string | null
  version: string
}

const msIso = (v: string | number | null) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString())

function fromRow(r: Row): Alert {
  return {
    alert_id: r.alert_id,
    rule_id: r.rule_id,
    key: r.key,
    region: r.region,
    severity: r.severity,
    title: r.title,
    // '' is an alert raised before the English was stored: absent, the screen shows the Chinese.
    ...(r.title_en ? { title_en: r.title_en } : {}),
    message: r.message,
    ...(r.message_en ? { message_en: r.message_en } : {}),
    value: num(r.value),
    lon: r.lon === null ? null : Number(r.lon),
    lat: r.lat === null ? null : Number(r.lat),
    status: r.status,
    assignee: r.assignee,
    acked_by: r.acked_by,
    fired_at: msIso(r.fired_ms)!,
    updated_at: msIso(r.updated_ms)!,
    resolved_at: msIso(r.resolved_ms),
    version: Number(r.version),
  }
}

let lastVersion = 0
/** Versions grow within a process even for two writes in the same millisecond. */
export function nextVersion(now: number): number {
  lastVersion = Math.max(lastVersion + 1, now * 1000)
  return lastVersion
}

/** DateTime64(3, 'UTC') text: the column's zone is UTC, so no offset is read wrong. */
const chTime = (isoText: string) => isoText.replace('T', ' ').replace('Z', '')

export async function writeAlert(store: Store, a: Alert): Promise<void> {
  await store.insert({
    table: tableName.alerts,
    format: 'JSONEachRow',
    values: [
      {
        ...a,
        fired_at: chTime(a.fired_at),
        updated_at: chTime(a.updated_at),
        resolved_at: a.resolved_at ? chTime(a.resolved_at) : null,
      },
    ],
  })
}

export async function getAlert(store: Store, id: string): Promise<Alert | undefined> {
  const [r] = await rows<Row>(
    store,
    sql`SELECT ${COLUMNS} FROM ${tables.alerts} FINAL WHERE alert_id = ${sql.string(id)}`,
  )
  return r ? fromRow(r) : undefined
}

/** Alerts not yet resolved (the evaluator's memory between ticks, shared by every api process). */
export async function openAlerts(store: Store, ruleId?: string): Promise<Alert[]> {
  const rule = !ruleId ? sql.empty() : sql` AND rule_id = ${sql.string(ruleId)}`
  return (
    await rows<Row>(store, sql`SELECT ${COLUMNS} FROM ${tables.alerts} FINAL WHERE status != 'resolved'${rule}`)
  ).map(fromRow)
}

export interface ListQuery {
  region: string
  status?: 'active' | Alert['status']
  from?: number
  to?: number
  limit: number
}

/** Alerts of a region: those open now, and those fired in [from, to); open ones first, newest first. */
export async function listAlerts(store: Store, q: ListQuery): Promise<Alert[]> {
  const where = [sql`startsWith(region, ${sql.string(q.region)})`]
  if (q.status === 'active') where.push(sql`status != 'resolved'`)
  else if (q.status) where.push(sql`status = ${sql.string(q.status)}`)
  if (q.from) where.push(sql`(status != 'resolved' OR fired_at >= ${sql.ms(q.from)})`)
  if (q.to) where.push(sql`fired_at < ${sql.ms(q.to)}`)
  const got = await rows<Row>(
    store,
    sql`SELECT ${COLUMNS} FROM ${tables.alerts} FINAL
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY status = 'resolved', fired_at DESC
      LIMIT ${sql.uint32(q.limit)}`,
  )
  return got.map(fromRow)
}
