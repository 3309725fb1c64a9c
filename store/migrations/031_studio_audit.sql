-- Who saved which layer or alert rule file from the studio, and what it held before and after.
CREATE TABLE IF NOT EXISTS studio_audit (
  at DateTime64(3, 'UTC') DEFAULT now64(3),
  user String,
  role LowCardinality(String),
  kind LowCardinality(String),
  item_id String,
  action LowCardinality(String),
  before String,
  after String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (kind, item_id, at);
