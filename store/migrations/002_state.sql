-- The latest state of each record, folded from its steps as they arrive. Simple aggregate
-- columns let a query fold again with the same functions (min/max/anyLast) under GROUP BY id.

CREATE TABLE IF NOT EXISTS event_state (
  event_id String,
  grid_code SimpleAggregateFunction(anyLast, String),
  lon SimpleAggregateFunction(anyLast, Float64),
  lat SimpleAggregateFunction(anyLast, Float64),
  category SimpleAggregateFunction(anyLast, String),
  department SimpleAggregateFunction(anyLast, Nullable(String)),
  priority SimpleAggregateFunction(max, UInt8),
  description SimpleAggregateFunction(anyLast, Nullable(String)),
  reported_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  evaluated_at SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  deadline SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  evaluation SimpleAggregateFunction(anyLast, Nullable(String)),
  -- furthest step reached: 1 reported … 6 evaluated
  step_rank SimpleAggregateFunction(max, UInt8),
  last_ts SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY event_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_state_mv TO event_state AS
SELECT
  event_id, grid_code, lon, lat, category,
  nullIf(department, '') AS department,
  priority,
  nullIf(description, '') AS description,
  if(step = 'reported', ts, NULL) AS reported_at,
  if(step = 'evaluated', ts, NULL) AS evaluated_at,
  deadline,
  nullIf(evaluation, '') AS evaluation,
  toUInt8(indexOf(['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'], step)) AS step_rank,
  ts AS last_ts
FROM grid_events;

CREATE TABLE IF NOT EXISTS ticket_state (
  ticket_id String,
  grid_code SimpleAggregateFunction(anyLast, String),
  lon SimpleAggregateFunction(anyLast, Float64),
  lat SimpleAggregateFunction(anyLast, Float64),
  category SimpleAggregateFunction(anyLast, String),
  channel SimpleAggregateFunction(anyLast, Nullable(String)),
  department SimpleAggregateFunction(anyLast, Nullable(String)),
  address SimpleAggregateFunction(anyLast, Nullable(String)),
  description SimpleAggregateFunction(anyLast, Nullable(String)),
  created_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  replied_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  closed_at SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  deadline SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
  satisfaction SimpleAggregateFunction(anyLast, Nullable(String)),
  reopened SimpleAggregateFunction(sum, UInt64),
  -- the latest step by time: (ts, step)
  latest SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String))
) ENGINE = AggregatingMergeTree
ORDER BY ticket_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS ticket_state_mv TO ticket_state AS
SELECT
  ticket_id, grid_code, lon, lat, category,
  nullIf(channel, '') AS channel,
  nullIf(department, '') AS department,
  nullIf(address, '') AS address,
  nullIf(description, '') AS description,
  if(step = 'created', ts, NULL) AS created_at,
  if(step = 'replied', ts, NULL) AS replied_at,
  if(step = 'closed', ts, NULL) AS closed_at,
  deadline,
  nullIf(satisfaction, '') AS satisfaction,
  toUInt64(step = 'reopened') AS reopened,
  (ts, toString(step)) AS latest
FROM hotline_tickets;

CREATE TABLE IF NOT EXISTS terminal_state (
  terminal_id String,
  grid_code SimpleAggregateFunction(anyLast, String),
  lon SimpleAggregateFunction(anyLast, Float64),
  lat SimpleAggregateFunction(anyLast, Float64),
  site SimpleAggregateFunction(anyLast, String),
  -- the latest report by time: (ts, status, fault_code, paper_pct)
  latest SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), String, String, Nullable(Float32))),
  transactions SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
ORDER BY terminal_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS terminal_state_mv TO terminal_state AS
SELECT terminal_id, grid_code, lon, lat, site,
  (ts, toString(status), toString(fault_code), paper_pct) AS latest,
  toUInt64(transactions) AS transactions
FROM terminal_status;
