/** What a metric question is asked over: a region, a range, the clock, the as-of instant and the silence rule. */
export interface Scope {
  region: string
  from: number
  to: number
  /** The server's clock: what "now" is for overdue and for the buckets still to come. */
  now: number
  /**
   * The instant the answer stands at (compare=previous's past instant; issue 17's `at=`): only records with
   * `ts <= at` exist, each record in its last step at or before it. Absent: the store as it is now.
   */
  at?: number
  /** A terminal whose last report is older than this at the answer's instant counts as offline (silence). */
  silenceMs: number
}

/** The instant a state is judged at (overdue, silence, a record's last step): the asked instant (`at`), else now. */
export const instantOf = (s: Pick<Scope, 'now' | 'at'>) => s.at ?? s.now

/** The scope's range cut to what had started by its instant: with `at`, a record started later did not exist then. */
export const startedBy = <S extends Pick<Scope, 'to' | 'at'>>(s: S): S =>
  s.at === undefined ? s : { ...s, to: Math.min(s.to, s.at + 1) }
