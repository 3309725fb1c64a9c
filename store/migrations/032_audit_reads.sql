-- Which records a read returned (a list of events or tickets, an Open311 answer with personal
-- data): one audit row per request, naming every record in it (docs/security.md).
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS target_ids Array(String) AFTER target_id;
