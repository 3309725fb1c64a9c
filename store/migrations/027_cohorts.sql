-- Cohort tables: one row per started record, keyed by its start and grid, with only what the
-- overview counts. The ingest writer keeps them (store/cohorts.ts): for each batch it writes the
-- changed records' old rows with sign -1 and their new rows with sign +1, so sums over sign are
-- exact at every moment and merges drop the cancelled pairs. The migration runner fills them from
-- the raw tables once these statements have run (store/migrate.ts).
-- Ordered by day, then grid: a district's or a grid's day is a narrow range of the key. The day is
-- a column of its own because the key analysis does not carry a condition on the DateTime64 start
-- through toDate(): a query states both (api/queries/overview.ts). It is the day in China Standard
-- Time (UTC+8 all year, every city this is built for), so a city's day is one day of the key, not
-- the ends of two UTC days; in another zone the answers are the same and a day reads two key days.

CREATE TABLE IF NOT EXISTS event_cohort (
  reported_at DateTime64(3, 'UTC'),
  grid_code String,
  event_id String,
  evaluated_at Nullable(DateTime64(3, 'UTC')),
  deadline Nullable(DateTime64(3, 'UTC')),
  sign Int8,
  day Date MATERIALIZED toDate(reported_at, 'Asia/Shanghai')
) ENGINE = CollapsingMergeTree(sign)
PARTITION BY toYYYYMM(reported_at)
ORDER BY (day, grid_code, reported_at, event_id)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS ticket_cohort (
  created_at DateTime64(3, 'UTC'),
  grid_code String,
  ticket_id String,
  replied_at Nullable(DateTime64(3, 'UTC')),
  -- the latest step by time
  status LowCardinality(String),
  -- the latest rating given, '' for none
  satisfaction LowCardinality(String),
  sign Int8,
  day Date MATERIALIZED toDate(created_at, 'Asia/Shanghai')
) ENGINE = CollapsingMergeTree(sign)
PARTITION BY toYYYYMM(created_at)
ORDER BY (day, grid_code, created_at, ticket_id)
SETTINGS non_replicated_deduplication_window = 1000;
