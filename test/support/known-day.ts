/**
 * A known data set over yesterday and today around a fixed instant, 14:20 in the city, and an independent fold of
 * it into the numbers the overview must show: plain TypeScript over the raw records, not the api's SQL. The
 * integration tests (test/integration/overview-compare.int.test.ts) and a browser test load the same set.
 *
 * The set is built so that each honest comparison differs from a careless one: events evaluated yesterday after
 * 14:20 (open as yesterday stood at 14:20, closed now), events overdue then and closed now, a ticket closed then
 * and reopened since, a ticket rated only after 14:20, terminals that go silent, one that did not exist yesterday.
 */

export const KNOWN_DAY = {
  dayBefore: '2026-11-18',
  yesterday: '2026-11-19',
  today: '2026-11-20',
  tomorrow: '2026-11-21',
  /** "Now": the instant the tests run at, in the city's zone. */
  now: '14:20',
} as const

/** The grids the records fall in: a1 and a2 in one street of district A, a3 elsewhere in A, b1 in district B. */
export interface KnownGrids {
  a1: string
  a2: string
  a3: string
  b1: string
}

export interface KnownEvent {
  event_id: string
  step: string
  ts: number
  category: string
  grid_code: string
  department: string
  deadline?: number
  evaluation?: string
}
export interface KnownTicket {
  ticket_id: string
  step: string
  ts: number
  category: string
  grid_code: string
  channel?: string
  satisfaction?: string
}
export interface KnownTerminal {
  terminal_id: string
  ts: number
  status: string
  grid_code: string
  fault_code?: string
}
export interface KnownRecords {
  events: KnownEvent[]
  tickets: KnownTicket[]
  terminals: KnownTerminal[]
  /** The fixed instant (epoch ms). */
  now: number
}

const EVENT_LOOP = ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'] as const

/**
 * The records. `time(day, 'HH:MM')` gives the epoch ms of a wall-clock time in the city's zone (the harness's
 * cityTime), so the set means the same in any city.
 */
export function knownDay(grids: KnownGrids, time: (day: string, hhmm: string) => number): KnownRecords {
  const { dayBefore: B, yesterday: Y, today: D } = KNOWN_DAY
  const events: KnownEvent[] = []
  /** An event through the loop's first steps, at the given times: [day, HH:MM] each. */
  const ev = (
    id: string,
    grid: string,
    category: string,
    department: string,
    steps: Array<[string, string]>,
    deadline?: [string, string],
    evaluation?: string,
  ) => {
    steps.forEach(([day, hhmm], i) => {
      const step = EVENT_LOOP[i]
      events.push({
        event_id: id,
        step,
        ts: time(day, hhmm),
        category,
        grid_code: grid,
        department,
        ...(i === 0 && deadline ? { deadline: time(...deadline) } : {}),
        ...(step === 'evaluated' && evaluation ? { evaluation } : {}),
      })
    })
  }
  const { a1, a2, a3, b1 } = grids
  // Reported the day before yesterday, closed today: a flow of today (closed in the range), not of its cohort.
  ev(
    'KE00',
    a1,
    'appearance.garbage',
    'chengguan',
    [
      [B, '09:00'],
      [B, '09:30'],
      [B, '10:00'],
      [D, '06:00'],
      [D, '07:00'],
      [D, '08:00'],
    ],
    [B, '18:00'],
    'satisfied',
  )
  // Yesterday.
  ev(
    'KE01',
    a1,
    'appearance.garbage',
    'chengguan',
    [
      [Y, '08:00'],
      [Y, '08:20'],
      [Y, '08:40'],
      [Y, '09:30'],
      [Y, '10:30'],
      [Y, '11:00'],
    ],
    [Y, '20:00'],
    'satisfied',
  )
  // Overdue at 14:20 yesterday (deadline 12:00), evaluated at 16:00: open then, closed now.
  ev(
    'KE02',
    a1,
    'order.parking',
    'jiaotong',
    [
      [Y, '09:00'],
      [Y, '09:30'],
      [Y, '10:00'],
      [Y, '13:00'],
      [Y, '14:00'],
      [Y, '16:00'],
    ],
    [Y, '12:00'],
    'basically',
  )
  // Overdue at 14:20 yesterday, closed this morning.
  ev(
    'KE03',
    a2,
    'safety.gas',
    'yingji',
    [
      [Y, '10:00'],
      [Y, '10:10'],
      [Y, '10:20'],
      [D, '08:00'],
      [D, '08:30'],
      [D, '09:00'],
    ],
    [Y, '13:00'],
    'unsatisfied',
  )
  // Open at 14:20 yesterday and not overdue then (deadline today 12:00); open and overdue now.
  ev(
    'KE04',
    b1,
    'order.parking',
    'jiaotong',
    [
      [Y, '13:00'],
      [Y, '13:30'],
    ],
    [D, '12:00'],
  )
  // Reported after 14:20 yesterday: outside yesterday's elapsed part.
  ev(
    'KE05',
    a3,
    'appearance.garbage',
    'chengguan',
    [
      [Y, '15:00'],
      [Y, '15:10'],
      [Y, '15:20'],
      [Y, '16:00'],
      [Y, '16:30'],
      [Y, '17:00'],
    ],
    [Y, '23:00'],
    'satisfied',
  )
  // Reported and closed within yesterday's elapsed part (rejected at the evaluation: rework).
  ev(
    'KE06',
    b1,
    'safety.gas',
    'yingji',
    [
      [Y, '14:10'],
      [Y, '14:12'],
      [Y, '14:14'],
      [Y, '14:16'],
      [Y, '14:18'],
      [Y, '14:19'],
    ],
    [Y, '18:00'],
    'rejected',
  )
  // Today.
  ev(
    'KE11',
    a1,
    'appearance.garbage',
    'chengguan',
    [
      [D, '07:00'],
      [D, '07:15'],
      [D, '07:30'],
      [D, '08:30'],
      [D, '09:30'],
      [D, '10:00'],
    ],
    [D, '12:00'],
    'satisfied',
  )
  ev(
    'KE12',
    a2,
    'order.parking',
    'jiaotong',
    [
      [D, '08:00'],
      [D, '08:10'],
      [D, '08:30'],
    ],
    [D, '11:00'],
  )
  ev(
    'KE13',
    a3,
    'safety.gas',
    'yingji',
    [
      [D, '09:00'],
      [D, '09:20'],
    ],
    [D, '18:00'],
  )
  ev(
    'KE14',
    b1,
    'appearance.garbage',
    'chengguan',
    [
      [D, '13:00'],
      [D, '13:10'],
      [D, '13:20'],
      [D, '13:30'],
      [D, '13:45'],
      [D, '14:00'],
    ],
    [D, '20:00'],
    'basically',
  )
  ev('KE15', b1, 'order.parking', 'jiaotong', [[D, '14:00']], [D, '14:10'])

  const tickets: KnownTicket[] = []
  const tk = (id: string, grid: string, category: string, channel: string, steps: Array<[string, string, string?]>) => {
    for (const [step, when, satisfaction] of steps) {
      const [day, hhmm] = when.split(' ')
      tickets.push({
        ticket_id: id,
        step,
        ts: time(day, hhmm),
        category,
        grid_code: grid,
        ...(step === 'created' ? { channel } : {}),
        ...(satisfaction ? { satisfaction } : {}),
      })
    }
  }
  tk('KT01', a1, 'environment', 'phone', [
    ['created', `${Y} 08:00`],
    ['replied', `${Y} 08:30`],
    ['closed', `${Y} 10:00`],
    ['rated', `${Y} 10:30`, 'satisfied'],
  ])
  // Closed at 12:00 yesterday, reopened at 15:00: closed as yesterday stood at 14:20, open now.
  tk('KT02', a2, 'traffic', 'wechat', [
    ['created', `${Y} 09:00`],
    ['replied', `${Y} 11:00`],
    ['closed', `${Y} 12:00`],
    ['reopened', `${Y} 15:00`],
  ])
  // Not replied by 14:20 yesterday, replied since, still open.
  tk('KT03', b1, 'housing', 'app', [
    ['created', `${Y} 13:00`],
    ['replied', `${Y} 15:00`],
  ])
  tk('KT04', a3, 'market', 'phone', [['created', `${Y} 16:00`]])
  // Closed by 14:20 yesterday, rated only after it.
  tk('KT05', b1, 'environment', 'phone', [
    ['created', `${Y} 10:00`],
    ['replied', `${Y} 10:20`],
    ['closed', `${Y} 14:00`],
    ['rated', `${Y} 16:00`, 'basically'],
  ])
  tk('KT11', a1, 'environment', 'phone', [
    ['created', `${D} 08:00`],
    ['replied', `${D} 08:45`],
    ['closed', `${D} 10:00`],
    ['rated', `${D} 10:15`, 'basically'],
  ])
  tk('KT12', a2, 'traffic', 'wechat', [
    ['created', `${D} 09:00`],
    ['replied', `${D} 09:10`],
  ])
  tk('KT13', b1, 'housing', 'app', [['created', `${D} 11:00`]])
  tk('KT14', a3, 'market', 'phone', [
    ['created', `${D} 12:00`],
    ['replied', `${D} 12:30`],
    ['closed', `${D} 13:00`],
    ['rated', `${D} 13:30`, 'unsatisfied'],
  ])
  // Closed and reopened today: open now.
  tk('KT15', a1, 'traffic', 'phone', [
    ['created', `${D} 13:00`],
    ['closed', `${D} 13:20`],
    ['reopened', `${D} 13:50`],
  ])

  const terminals: KnownTerminal[] = []
  const tm = (id: string, grid: string, reports: Array<[string, string, string?]>) => {
    for (const [when, status, fault_code] of reports) {
      const [day, hhmm] = when.split(' ')
      terminals.push({
        terminal_id: id,
        ts: time(day, hhmm),
        status,
        grid_code: grid,
        ...(fault_code ? { fault_code } : {}),
      })
    }
  }
  // Heartbeats in time at both instants: online then and now.
  tm('KK1', a1, [
    [`${Y} 14:00`, 'online'],
    [`${Y} 14:10`, 'online'],
    [`${D} 14:05`, 'online'],
    [`${D} 14:15`, 'online'],
  ])
  // Silent for 20 minutes at 14:20 yesterday (offline then), in fault now.
  tm('KK2', a2, [
    [`${Y} 14:00`, 'online'],
    [`${D} 14:10`, 'fault', 'printer'],
  ])
  // In fault at 14:20 yesterday; online at 13:00 today and silent since: offline now.
  tm('KK3', b1, [
    [`${Y} 14:15`, 'fault', 'network'],
    [`${D} 13:00`, 'online'],
  ])
  // Offline yesterday, online now.
  tm('KK4', a3, [
    [`${Y} 14:12`, 'offline'],
    [`${D} 14:18`, 'online'],
  ])
  // First reported today: no terminal yet at 14:20 yesterday; silent now.
  tm('KK5', b1, [[`${D} 10:00`, 'online']])

  return { events, tickets, terminals, now: time(D, KNOWN_DAY.now) }
}

/** What a region's overview should show, computed from the raw records. */
export interface ExpectedOverview {
  events: {
    reported: number
    open: number
    closed: number
    overdue: number
    closure_rate: number
    avg_handle_minutes: number
  }
  tickets: {
    created: number
    open: number
    closed: number
    satisfaction_rate: number
    avg_response_minutes: number
    rated: number
    replied: number
  }
  terminals: { total: number; online: number; offline: number; fault: number }
}

export interface ExpectedScope {
  region: string
  /** The range [from, to) the records must have started in (epoch ms). */
  from: number
  to: number
  /** The instant: only steps at or before it exist, overdue and silence are judged then. */
  at: number
  silenceMs: number
}

const round1 = (x: number) => Math.round(x * 10) / 10
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)

/** Records by id, each with only its steps at or before `at`, sorted by time. */
function asOf<R extends { ts: number }>(rows: R[], idOf: (r: R) => string, at: number): Map<string, R[]> {
  const out = new Map<string, R[]>()
  for (const r of rows) if (r.ts <= at) out.set(idOf(r), [...(out.get(idOf(r)) ?? []), r])
  for (const rs of out.values()) rs.sort((a, b) => a.ts - b.ts)
  return out
}

/**
 * The overview of a region, folded from the raw records: the contract's definitions applied by hand. Events and
 * tickets are those started in [from, to) (and by `at`) inside the region, in their state at `at`; terminals are
 * every terminal of the region that had reported by `at`, by its latest report, offline if silent longer than
 * `silenceMs` then.
 */
export function expectedOverview(records: KnownRecords, s: ExpectedScope): ExpectedOverview {
  const inScope = (start: number, grid: string) =>
    start >= s.from && start < s.to && start <= s.at && grid.startsWith(s.region)

  let reported = 0
  let closed = 0
  let overdue = 0
  const handle: number[] = []
  for (const steps of asOf(records.events, (r) => r.event_id, s.at).values()) {
    const reports = steps.filter((r) => r.step === 'reported')
    if (!reports.length || !inScope(reports[0].ts, reports[0].grid_code)) continue
    reported++
    const evals = steps.filter((r) => r.step === 'evaluated')
    const deadlines = steps.flatMap((r) => (r.deadline === undefined ? [] : [r.deadline]))
    if (evals.length) {
      closed++
      handle.push(evals[evals.length - 1].ts - reports[0].ts)
    } else if (deadlines.length && Math.max(...deadlines) < s.at) overdue++
  }

  let created = 0
  let ticketsClosed = 0
  let rated = 0
  let satisfied = 0
  const response: number[] = []
  for (const steps of asOf(records.tickets, (r) => r.ticket_id, s.at).values()) {
    const creates = steps.filter((r) => r.step === 'created')
    if (!creates.length || !inScope(creates[0].ts, creates[0].grid_code)) continue
    created++
    // The latest step by time (two at one instant: by name, as the store orders them).
    const latest = [...steps].sort((a, b) => a.ts - b.ts || (a.step < b.step ? -1 : a.step > b.step ? 1 : 0)).at(-1)!
    if (latest.step === 'closed' || latest.step === 'rated') ticketsClosed++
    const ratings = steps.filter((r) => r.satisfaction)
    if (ratings.length) {
      rated++
      if (['satisfied', 'basically'].includes(ratings[ratings.length - 1].satisfaction!)) satisfied++
    }
    const reply = steps.find((r) => r.step === 'replied')
    if (reply) response.push(reply.ts - creates[0].ts)
  }

  const terminals = { total: 0, online: 0, offline: 0, fault: 0 }
  for (const reports of asOf(records.terminals, (r) => r.terminal_id, s.at).values()) {
    const last = reports[reports.length - 1]
    if (!last.grid_code.startsWith(s.region)) continue
    terminals.total++
    const status = s.at - last.ts > s.silenceMs ? 'offline' : last.status
    if (status === 'online' || status === 'offline' || status === 'fault') terminals[status]++
  }

  return {
    events: {
      reported,
      open: reported - closed,
      closed,
      overdue,
      closure_rate: reported ? closed / reported : 0,
      avg_handle_minutes: round1(mean(handle) / 60_000),
    },
    tickets: {
      created,
      open: created - ticketsClosed,
      closed: ticketsClosed,
      satisfaction_rate: rated ? satisfied / rated : 0,
      avg_response_minutes: round1(mean(response) / 60_000),
      rated,
      replied: response.length,
    },
    terminals,
  }
}
