-- The views layer and alert authors query (docs/layers.md, "The views"): a stable interface over
-- the raw, state and rollup tables, so that storage can change without breaking a file in
-- dashboards/. Per stream: one row per record in its current state, one row per step or report,
-- and counts per region and 5-minute bucket. Personal text (reporter, description, address) is
-- in none of them; the SQL sandbox still de-identifies and scopes their rows (api/layers/sandbox.ts).
-- CREATE OR REPLACE: a migration that changes a table below re-creates the view it feeds.
-- Region codes are prefixes of the grid's: district 6, street 9, community 12 digits (core/regions.ts).

-- One row per event: its steps folded (the state table holds partial rows until merged).
CREATE OR REPLACE VIEW events AS
SELECT
  event_id,
  category,
  department,
  priority,
  grid_code,
  substring(grid_code, 1, 12) AS community,
  substring(grid_code, 1, 9) AS street,
  substring(grid_code, 1, 6) AS district,
  lon,
  lat,
  ['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'][rank] AS status,
  reported_at,
  verified_at,
  dispatched_at,
  handled_at,
  submitted_at,
  closed_at,
  deadline,
  toUInt8(closed_at IS NULL AND ifNull(deadline < now64(3), false)) AS overdue,
  evaluation,
  updated_at
FROM (
  SELECT
    event_id,
    CAST(anyLast(category) AS String) AS category,
    ifNull(anyLast(department), '') AS department,
    CAST(max(priority) AS UInt8) AS priority,
    CAST(anyLast(grid_code) AS String) AS grid_code,
    CAST(anyLast(lon) AS Float64) AS lon,
    CAST(anyLast(lat) AS Float64) AS lat,
    max(step_rank) AS rank,
    min(reported_at) AS reported_at,
    min(verified_at) AS verified_at,
    min(dispatched_at) AS dispatched_at,
    min(handled_at) AS handled_at,
    min(submitted_at) AS submitted_at,
    max(evaluated_at) AS closed_at,
    max(deadline) AS deadline,
    ifNull(anyLast(evaluation), '') AS evaluation,
    CAST(max(last_ts) AS DateTime64(3, 'UTC')) AS updated_at
  FROM event_state
  GROUP BY event_id
);

-- Every step record of every event, as it was sent.
CREATE OR REPLACE VIEW event_steps AS
SELECT event_id, step, ts, category, grid_code, community, street, district, lon, lat,
  source, department, priority, deadline, evaluation
FROM grid_events;

-- Step records per region at each level, 5-minute bucket, step, category and department.
CREATE OR REPLACE VIEW event_counts AS
SELECT depth, region, bucket, step, category, department, n
FROM events_rollup;

-- One row per hotline ticket, its steps folded.
CREATE OR REPLACE VIEW tickets AS
SELECT
  ticket_id,
  category,
  channel,
  department,
  grid_code,
  substring(grid_code, 1, 12) AS community,
  substring(grid_code, 1, 9) AS street,
  substring(grid_code, 1, 6) AS district,
  lon,
  lat,
  tupleElement(latest, 2) AS status,
  created_at,
  replied_at,
  closed_at,
  deadline,
  toUInt8(closed_at IS NULL AND ifNull(deadline < now64(3), false)) AS overdue,
  satisfaction,
  reopened,
  tupleElement(latest, 1) AS updated_at
FROM (
  SELECT
    ticket_id,
    CAST(anyLast(category) AS String) AS category,
    ifNull(anyLast(channel), '') AS channel,
    ifNull(anyLast(department), '') AS department,
    CAST(anyLast(grid_code) AS String) AS grid_code,
    CAST(anyLast(lon) AS Float64) AS lon,
    CAST(anyLast(lat) AS Float64) AS lat,
    CAST(max(latest) AS Tuple(DateTime64(3, 'UTC'), String)) AS latest,
    min(created_at) AS created_at,
    min(replied_at) AS replied_at,
    max(closed_at) AS closed_at,
    max(deadline) AS deadline,
    ifNull(anyLast(satisfaction), '') AS satisfaction,
    CAST(sum(reopened) AS UInt64) AS reopened
  FROM ticket_state
  GROUP BY ticket_id
);

-- Every step record of every ticket.
CREATE OR REPLACE VIEW ticket_steps AS
SELECT ticket_id, step, ts, channel, category, urgency, grid_code, community, street, district, lon, lat,
  department, satisfaction, deadline
FROM hotline_tickets;

-- Step records per region at each level, 5-minute bucket, step and the ticket's attributes.
CREATE OR REPLACE VIEW ticket_counts AS
SELECT depth, region, bucket, step, category, channel, department, satisfaction, n
FROM tickets_rollup;

-- One row per self-service terminal: where it is and its latest report.
CREATE OR REPLACE VIEW terminals AS
SELECT
  terminal_id,
  site,
  grid_code,
  substring(grid_code, 1, 12) AS community,
  substring(grid_code, 1, 9) AS street,
  substring(grid_code, 1, 6) AS district,
  lon,
  lat,
  tupleElement(latest, 2) AS status,
  tupleElement(latest, 3) AS fault_code,
  tupleElement(latest, 4) AS paper_pct,
  tupleElement(latest, 1) AS last_report_at,
  transactions
FROM (
  SELECT
    terminal_id,
    CAST(anyLast(site) AS String) AS site,
    CAST(anyLast(grid_code) AS String) AS grid_code,
    CAST(anyLast(lon) AS Float64) AS lon,
    CAST(anyLast(lat) AS Float64) AS lat,
    CAST(max(latest) AS Tuple(DateTime64(3, 'UTC'), String, String, Nullable(Float32))) AS latest,
    CAST(sum(transactions) AS UInt64) AS transactions
  FROM terminal_state
  GROUP BY terminal_id
);

-- Every report (heartbeat or status change) of every terminal.
CREATE OR REPLACE VIEW terminal_reports AS
SELECT terminal_id, ts, status, grid_code, community, street, district, lon, lat, site, fault_code,
  paper_pct, transactions
FROM terminal_status;

-- Reports per region at each level, 5-minute bucket and status.
CREATE OR REPLACE VIEW terminal_counts AS
SELECT depth, region, bucket, status, CAST(reports AS UInt64) AS reports,
  CAST(transactions AS UInt64) AS transactions
FROM terminals_rollup;
