-- Step counts per 5-minute bucket and region without the category and department keys: a city-wide
-- trend of a week reads 2,016 buckets × 6 steps instead of every (category, department) row under
-- them. The api reads these for totals, series and child rankings of step counts, and the full
-- rollups when it breaks down or filters by category, department or channel.
-- Apply with ingest stopped: rows stored between the view's creation and the backfill would count twice.

CREATE TABLE IF NOT EXISTS events_totals (
  depth UInt8,
  region String,
  bucket DateTime('UTC'),
  step LowCardinality(String),
  n UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (depth, region, bucket, step);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_totals_mv TO events_totals AS
SELECT d AS depth, substring(grid_code, 1, [4, 6, 9, 12, 15][d]) AS region,
  toStartOfFiveMinutes(ts) AS bucket, step, count() AS n
FROM grid_events ARRAY JOIN [1, 2, 3, 4, 5] AS d
GROUP BY depth, region, bucket, step;

INSERT INTO events_totals SELECT depth, region, bucket, step, sum(n) FROM events_rollup GROUP BY depth, region, bucket, step;

CREATE TABLE IF NOT EXISTS tickets_totals (
  depth UInt8,
  region String,
  bucket DateTime('UTC'),
  step LowCardinality(String),
  n UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (depth, region, bucket, step);

CREATE MATERIALIZED VIEW IF NOT EXISTS tickets_totals_mv TO tickets_totals AS
SELECT d AS depth, substring(grid_code, 1, [4, 6, 9, 12, 15][d]) AS region,
  toStartOfFiveMinutes(ts) AS bucket, step, count() AS n
FROM hotline_tickets ARRAY JOIN [1, 2, 3, 4, 5] AS d
GROUP BY depth, region, bucket, step;

INSERT INTO tickets_totals SELECT depth, region, bucket, step, sum(n) FROM tickets_rollup GROUP BY depth, region, bucket, step;
