-- Who signed in, who was refused, and who viewed which record: kept for a year.
CREATE TABLE IF NOT EXISTS audit_log (
  ts DateTime64(3, 'UTC') DEFAULT now64(3),
  action LowCardinality(String),
  user String,
  role LowCardinality(String),
  region String,
  ip String,
  target_kind LowCardinality(String),
  target_id String,
  detail String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (user, ts)
TTL toDateTime(ts) + INTERVAL 365 DAY;
