-- The time each event first reached each step of the loop, for the six-step funnel and the time
-- spent per step (events.step_reached, events.step_minutes). event_state kept only the first and
-- the last; the view is re-created with the four steps between, and the rows already stored are
-- folded in again (min/max/anyLast of the same rows give the same state, so this is idempotent).

ALTER TABLE event_state
  ADD COLUMN IF NOT EXISTS verified_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  ADD COLUMN IF NOT EXISTS dispatched_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  ADD COLUMN IF NOT EXISTS handled_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
  ADD COLUMN IF NOT EXISTS submitted_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC')));

DROP VIEW IF EXISTS event_state_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_state_mv TO event_state AS
SELECT
  event_id, grid_code, lon, lat, category,
  nullIf(department, '') AS department,
  priority,
  nullIf(description, '') AS description,
  if(step = 'reported', ts, NULL) AS reported_at,
  if(step = 'verified', ts, NULL) AS verified_at,
  if(step = 'dispatched', ts, NULL) AS dispatched_at,
  if(step = 'handled', ts, NULL) AS handled_at,
  if(step = 'submitted', ts, NULL) AS submitted_at,
  if(step = 'evaluated', ts, NULL) AS evaluated_at,
  deadline,
  nullIf(evaluation, '') AS evaluation,
  toUInt8(indexOf(['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'], step)) AS step_rank,
  ts AS last_ts
FROM grid_events;

INSERT INTO event_state (event_id, grid_code, lon, lat, category, department, priority, description, reported_at,
  verified_at, dispatched_at, handled_at, submitted_at, evaluated_at, deadline, evaluation, step_rank, last_ts)
SELECT
  event_id, grid_code, lon, lat, category, nullIf(department, ''), priority, nullIf(description, ''),
  if(step = 'reported', ts, NULL), if(step = 'verified', ts, NULL), if(step = 'dispatched', ts, NULL),
  if(step = 'handled', ts, NULL), if(step = 'submitted', ts, NULL), if(step = 'evaluated', ts, NULL),
  deadline, nullIf(evaluation, ''),
  toUInt8(indexOf(['reported', 'verified', 'dispatched', 'handled', 'submitted', 'evaluated'], step)), ts
FROM grid_events
WHERE step IN ('verified', 'dispatched', 'handled', 'submitted');
