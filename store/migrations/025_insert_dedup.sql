-- Crash-safe inserts. One insert reaches the raw table and every materialized view's table as
-- separate parts, each committed on its own: a process killed in the middle of it can leave the
-- raw rows stored and a view's rows not (or the reverse). The ingest writer therefore gives each
-- spool segment's insert a token and repeats that same insert after a crash or a failed attempt;
-- with a deduplication window, each table keeps the parts it already has and takes only those it
-- missed (deduplicate_blocks_in_dependent_materialized_views). Inserts without a token are not
-- deduplicated: the store turns insert_deduplicate off by default (store/client.ts).

ALTER TABLE grid_events MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE terminal_status MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE hotline_tickets MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE event_state MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE events_rollup MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE events_totals MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE event_reported MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE terminal_state MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE terminals_rollup MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE ticket_state MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE tickets_rollup MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE tickets_totals MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE ticket_created MODIFY SETTING non_replicated_deduplication_window = 1000;
