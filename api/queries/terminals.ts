import { tables } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'
import type { RowSource } from './overview.js'
import { instantOf, type Scope } from './scope.js'

/**
 * Terminals as they stand at an answer's instant: each one's latest report, and silence as a state.
 * A terminal whose latest report is older than `silenceMs` at that instant counts as `offline`
 * whatever it last said, with `silent_since` the time of that report (docs/contract.md, terminals).
 */

/** What the terminal queries need of a scope: the region, the clock, the as-of instant and the silence. */
export type TerminalScope = Pick<Scope, 'region' | 'now' | 'at' | 'silenceMs'>

/** Whether a terminal last heard of at `lastReport` (epoch ms) is silent: the rule terminalsAt applies in SQL. */
export const isSilent = (lastReport: number, s: Pick<TerminalScope, 'now' | 'at' | 'silenceMs'>) =>
  lastReport < instantOf(s) - s.silenceMs

const inRegion = (table: Sql, region: string) => sql`startsWith(${table}.grid_code, ${sql.string(region)})`

/**
 * How far before `at` the raw reports are read for a terminal that has reported since: a terminal
 * reports every few minutes, so its latest report at `at` lies in this window unless it was silent
 * for longer (then its older reports are read, by key, for it alone).
 */
const AS_OF_WINDOW_MS = 3_600_000

/**
 * Each terminal's latest report at or before `at`, in the state table's columns. The state table
 * (FINAL) answers for terminals that have not reported since `at`; for the others, which at a past
 * instant of a day ago are nearly all, their raw reports up to `at` within AS_OF_WINDOW_MS (by the
 * key (terminal_id, ts): never the whole history), their older ones only if the window has none,
 * and their transactions up to `at` as the state's total less those reported after `at`.
 */
function asOf(region: string, at: number): Sql {
  const [state, raw] = [tables.terminalState, tables.terminalStatus]
  const [atMs, windowStart] = [sql.ms(at), sql.ms(at - AS_OF_WINDOW_MS)]
  const later = sql`SELECT terminal_id FROM ${state} FINAL WHERE ${inRegion(state, region)} AND latest.1 > ${atMs}`
  const latestOf = (where: Sql) => sql`
    SELECT terminal_id, max((ts, toString(status), toString(fault_code), paper_pct)) AS latest,
      argMax(grid_code, ts) AS grid_code, argMax(lon, ts) AS lon, argMax(lat, ts) AS lat, argMax(site, ts) AS site
    FROM ${raw} WHERE ${inRegion(raw, region)} AND terminal_id IN (${later}) AND ${where}
    GROUP BY terminal_id`
  const recent = sql`${raw}.ts > ${windowStart} AND ${raw}.ts <= ${atMs}`
  const quiet = sql`${raw}.ts <= ${windowStart} AND terminal_id NOT IN (SELECT terminal_id FROM ${raw}
    WHERE ${inRegion(raw, region)} AND ${recent})`
  return sql`(
    SELECT terminal_id, latest, grid_code, lon, lat, site, transactions
    FROM ${state} FINAL WHERE ${inRegion(state, region)} AND latest.1 <= ${atMs}
    UNION ALL
    SELECT r.terminal_id AS terminal_id, r.latest AS latest, r.grid_code AS grid_code, r.lon AS lon, r.lat AS lat,
      r.site AS site, toUInt64(greatest(toInt64(t.transactions) - toInt64(a.after), 0)) AS transactions
    FROM (${latestOf(recent)} UNION ALL ${latestOf(quiet)}) AS r
    INNER JOIN (SELECT terminal_id, transactions FROM ${state} FINAL WHERE ${inRegion(state, region)}) AS t
      ON t.terminal_id = r.terminal_id
    LEFT JOIN (SELECT terminal_id, sum(transactions) AS after FROM ${raw}
      WHERE ${inRegion(raw, region)} AND ${raw}.ts > ${atMs} GROUP BY terminal_id) AS a ON a.terminal_id = r.terminal_id
  )`
}

/**
 * Every terminal of the scope's region with its latest report, one row each (callers append `AND …` to
 * `from`). Columns: `ts` (of that report), `reported` (the status it reported), `status` (`offline` when
 * silent), `silent_since` (the report's time when silent, else NULL), `fault_code`, `paper_pct`, and the
 * state table's `terminal_id`, `grid_code`, `lon`, `lat`, `site`, `transactions`.
 *
 * Without `at`: the state table merged (FINAL), silence judged now. With `at`: each terminal's latest
 * report at or before `at`, silence judged at `at`; a terminal first heard of after `at` is absent.
 */
export function terminalsAt(s: TerminalScope): RowSource {
  const cutoff = instantOf(s) - s.silenceMs
  return {
    aliases: sql`WITH latest.1 AS ts, latest.2 AS reported, latest.3 AS fault_code, latest.4 AS paper_pct,
      ts < ${sql.ms(cutoff)} AS silent, if(silent, 'offline', reported) AS status, if(silent, ts, NULL) AS silent_since `,
    from:
      s.at === undefined
        ? sql`${tables.terminalState} FINAL WHERE ${inRegion(tables.terminalState, s.region)}`
        : sql`${asOf(s.region, s.at)} AS terminals_at WHERE startsWith(grid_code, ${sql.string(s.region)})`,
  }
}

/** Every terminal of a region with its latest report and its status with silence (terminalsAt's columns). */
export const terminalLatest = (s: TerminalScope) => {
  const m = terminalsAt(s)
  return sql`${m.aliases}SELECT terminal_id, ts, reported, status, silent_since, fault_code, paper_pct, grid_code, lon, lat,
    site, transactions
  FROM ${m.from}`
}

/** The overview's terminals part: counts by status with silence, columns prefixed `m_` (overview.ts). */
export const TERMINALS_AGG = sql`count() AS m_total,
  countIf(status = 'online') AS m_online,
  countIf(status = 'offline') AS m_offline,
  countIf(status = 'fault') AS m_fault`
