import type { Alert } from '#core/schemas/alert.js'
import type { Store } from '#store/client.js'
import { num } from '../queries/run.js'

// The `alerts` table (migration 030): each change of an alert is a new row with a higher version;
// FINAL gives the newest. Values are always bound.

const COLUMNS = `alert_id, rule_id, key, region, severity, title, message, value, lon, lat, status, assignee, acked_by,
  toUnixTimestamp64Milli(fired_at) AS fired_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms,
  toUnixTimestamp64Milli(resolved_at) AS resolved_ms, version`

interface Row {
  alert_id: string
  rule_id: string
  key: string
  region: string
  severity: Alert['severity']
  title: string
  message: string
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
    message: r.message,
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
    table: 'alerts',
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
  const rs = await store.query({ query: `SELECT ${COLUMNS} FROM alerts FINAL WHERE alert_id = {id:String}`, query_params: { id }, format: 'JSONEachRow' })
  const [r] = await rs.json<Row>()
  return r ? fromRow(r) : undefined
}

/** Alerts not yet resolved (the evaluator's memory between ticks, shared by every api process). */
export async function openAlerts(store: Store, ruleId?: string): Promise<Alert[]> {
  const rs = await store.query({
    query: `SELECT ${COLUMNS} FROM alerts FINAL WHERE status != 'resolved' AND ({rule:String} = '' OR rule_id = {rule:String})`,
    query_params: { rule: ruleId ?? '' },
    format: 'JSONEachRow',
  })
  return (await rs.json<Row>()).map(fromRow)
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
  const rs = await store.query({
    query: `SELECT ${COLUMNS} FROM alerts FINAL
      WHERE startsWith(region, {region:String})
        AND ({status:String} = '' OR ({status:String} = 'active' AND status != 'resolved') OR status = {status:String})
        AND (status != 'resolved' OR ({from:Int64} = 0 OR fired_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')))
        AND ({to:Int64} = 0 OR fired_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC'))
      ORDER BY status = 'resolved', fired_at DESC
      LIMIT {limit:UInt32}`,
    query_params: { region: q.region, status: q.status ?? '', from: q.from ?? 0, to: q.to ?? 0, limit: q.limit },
    format: 'JSONEachRow',
  })
  return (await rs.json<Row>()).map(fromRow)
}

