import { tables } from '#store/schema.js'
import { sql, type Sql } from '#store/sql.js'
import type { RowSource, Scope } from './overview.js'

/**
 * Terminals as they stand at an answer's instant: each one's latest report, and silence as a state.
 * A terminal whose latest report is older than `silenceMs` at that instant counts as `offline`
 * whatever it last said, with `silent_since` the time of that report (docs/contract.md, terminals).
 */

/** What the terminal queries need of a scope: the region, the clock, the as-of instant and the silence. */
export type TerminalScope = Pick<Scope, 'region' | 'now' | 'at' | 'silenceMs'>

/** The instant silence is judged at: `at` when the answer stands in the past, else now. */
export const judgedAt = (s: Pick<TerminalScope, 'now' | 'at'>) => s.at ?? s.now

/** Whether a terminal last heard of at `lastReport` (epoch ms) is silent: the rule terminalsAt applies in SQL. */
export const isSilent = (lastReport: number, s: Pick<TerminalScope, 'now' | 'at' | 'silenceMs'>) =>
  lastReport < judgedAt(s) - s.silenceMs

const inRegion = (table: Sql, region: string) => sql`startsWith(${table}.grid_code, ${sql.string(region)})`

/**
 * The state table's merged rows (FINAL) whose latest report is at or before `at`, and for the others
 * their latest report at or before `at` from the raw reports: a terminal reports every few minutes,
 * so only the few that reported since `at` need their raw rows, and those only up to `at`.
 */
function asOf(region: string, at: number): Sql {
  const state = tables.terminalState
  const raw = tables.terminalStatus
  const later = sql`SELECT terminal_id FROM ${state} FINAL WHERE ${inRegion(state, region)} AND latest.1 > ${sql.ms(at)}`
  return sql`(
    SELECT terminal_id, latest, grid_code, lon, lat, site, transactions
    FROM ${state} FINAL WHERE ${inRegion(state, region)} AND latest.1 <= ${sql.ms(at)}
    UNION ALL
    SELECT terminal_id, max((ts, toString(status), toString(fault_code), paper_pct)) AS latest,
      argMax(grid_code, ts) AS grid_code, argMax(lon, ts) AS lon, argMax(lat, ts) AS lat, argMax(site, ts) AS site,
      toUInt64(sum(transactions)) AS transactions
    FROM ${raw}
    WHERE ${inRegion(raw, region)} AND ts <= ${sql.ms(at)} AND terminal_id IN (${later})
    GROUP BY terminal_id
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
  const cutoff = judgedAt(s) - s.silenceMs
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
