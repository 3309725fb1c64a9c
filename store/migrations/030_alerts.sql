-- Alerts raised by the rules of dashboards/alerts/: one row per version of an alert; the newest
-- version (ReplacingMergeTree by `version`) is its state. Read with FINAL.
CREATE TABLE IF NOT EXISTS alerts (
  alert_id String,
  rule_id LowCardinality(String),
  key String,
  region String,
  severity LowCardinality(String),
  title String,
  message String,
  value Float64,
  lon Nullable(Float64),
  lat Nullable(Float64),
  status LowCardinality(String),
  assignee String,
  acked_by String,
  fired_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC'),
  resolved_at Nullable(DateTime64(3, 'UTC')),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY alert_id;
