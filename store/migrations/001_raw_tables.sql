-- Raw tables keep every step of every record: they are the audit trail.
-- ReplacingMergeTree on (id, step, ts) is the safety net for the exactly-once rule; the ingest
-- sink already drops keys it has stored, so the rollups below never count a record twice.

CREATE TABLE IF NOT EXISTS grid_events (
  event_id String,
  step LowCardinality(String),
  ts DateTime64(3, 'UTC'),
  category LowCardinality(String),
  grid_code String,
  community LowCardinality(String),
  street LowCardinality(String),
  district LowCardinality(String),
  lon Float64,
  lat Float64,
  source LowCardinality(String),
  department LowCardinality(String),
  priority UInt8,
  deadline Nullable(DateTime64(3, 'UTC')),
  reporter String,
  description String,
  evaluation LowCardinality(String),
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (event_id, step, ts);

CREATE TABLE IF NOT EXISTS terminal_status (
  terminal_id String,
  ts DateTime64(3, 'UTC'),
  status LowCardinality(String),
  grid_code String,
  community LowCardinality(String),
  street LowCardinality(String),
  district LowCardinality(String),
  lon Float64,
  lat Float64,
  site String,
  fault_code LowCardinality(String),
  paper_pct Nullable(Float32),
  transactions UInt32,
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (terminal_id, ts);

CREATE TABLE IF NOT EXISTS hotline_tickets (
  ticket_id String,
  step LowCardinality(String),
  ts DateTime64(3, 'UTC'),
  channel LowCardinality(String),
  category LowCardinality(String),
  urgency UInt8,
  grid_code String,
  community LowCardinality(String),
  street LowCardinality(String),
  district LowCardinality(String),
  lon Float64,
  lat Float64,
  address String,
  department LowCardinality(String),
  satisfaction LowCardinality(String),
  deadline Nullable(DateTime64(3, 'UTC')),
  description String,
  ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (ticket_id, step, ts);

-- Invalid input, kept with the reason so a data owner can fix the sender.
CREATE TABLE IF NOT EXISTS rejects (
  received_at DateTime64(3, 'UTC') DEFAULT now64(3),
  stream LowCardinality(String),
  source LowCardinality(String),
  record_index UInt32,
  path String,
  reason String,
  raw String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (stream, received_at)
TTL toDateTime(received_at) + INTERVAL 90 DAY;

-- The administrative hierarchy (city → district → street → community → grid), loaded from dashboards/geo.
CREATE TABLE IF NOT EXISTS regions (
  code String,
  name String,
  level LowCardinality(String),
  depth UInt8,
  parent String,
  lon Float64,
  lat Float64
) ENGINE = ReplacingMergeTree
ORDER BY code;
