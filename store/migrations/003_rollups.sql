-- Rollups keyed by level depth (1 city … 5 grid), the region code at that level and a 5-minute
-- bucket: a city-wide or a grid-level panel reads the same few thousand rows by key.
-- Each raw row is counted once at each of the five levels (ARRAY JOIN over the code prefixes).

CREATE TABLE IF NOT EXISTS events_rollup (
  depth UInt8,
  region String,
  bucket DateTime('UTC'),
  step LowCardinality(String),
  category LowCardinality(String),
  department LowCardinality(String),
  n UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (depth, region, bucket, step, category, department);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_rollup_mv TO events_rollup AS
SELECT d AS depth, substring(grid_code, 1, [4, 6, 9, 12, 15][d]) AS region,
  toStartOfFiveMinutes(ts) AS bucket, step, category, department, count() AS n
FROM grid_events ARRAY JOIN [1, 2, 3, 4, 5] AS d
GROUP BY depth, region, bucket, step, category, department;

CREATE TABLE IF NOT EXISTS tickets_rollup (
  depth UInt8,
  region String,
  bucket DateTime('UTC'),
  step LowCardinality(String),
  category LowCardinality(String),
  channel LowCardinality(String),
  department LowCardinality(String),
  satisfaction LowCardinality(String),
  n UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (depth, region, bucket, step, category, channel, department, satisfaction);

CREATE MATERIALIZED VIEW IF NOT EXISTS tickets_rollup_mv TO tickets_rollup AS
SELECT d AS depth, substring(grid_code, 1, [4, 6, 9, 12, 15][d]) AS region,
  toStartOfFiveMinutes(ts) AS bucket, step, category, channel, department, satisfaction, count() AS n
FROM hotline_tickets ARRAY JOIN [1, 2, 3, 4, 5] AS d
GROUP BY depth, region, bucket, step, category, channel, department, satisfaction;

CREATE TABLE IF NOT EXISTS terminals_rollup (
  depth UInt8,
  region String,
  bucket DateTime('UTC'),
  status LowCardinality(String),
  terminals AggregateFunction(uniq, String),
  reports SimpleAggregateFunction(sum, UInt64),
  transactions SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (depth, region, bucket, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS terminals_rollup_mv TO terminals_rollup AS
SELECT d AS depth, substring(grid_code, 1, [4, 6, 9, 12, 15][d]) AS region,
  toStartOfFiveMinutes(ts) AS bucket, status,
  uniqState(terminal_id) AS terminals, count() AS reports, sum(toUInt64(transactions)) AS transactions
FROM terminal_status ARRAY JOIN [1, 2, 3, 4, 5] AS d
GROUP BY depth, region, bucket, status;
