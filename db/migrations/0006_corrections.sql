-- Corrections (DESIGN.md, "Corrections and the event's life"). A result left outside an event's plan by a correction
-- (a product's declarations changed, a participant withdrawn, a plan re-pinned, same-organization pairs turned off) is
-- retired rather than deleted: it keeps its row, id and revisions, counts nowhere, and comes back to life as a new
-- revision if its cell is planned and logged again.
ALTER TABLE results ADD COLUMN retired_at TEXT;
ALTER TABLE results ADD COLUMN retired_by INTEGER REFERENCES tokens (id);

-- The audit log says which event a write concerns (so an event's chair reads its own log) and, for a correction,
-- what the changed fields were before and after, as JSON objects of those fields only. No index on event_id: every
-- review writes an audit record, and an index would cost each of them another page in the log, while the audit is
-- read by a chair now and then.
ALTER TABLE audit_log ADD COLUMN event_id INTEGER REFERENCES events (id);
ALTER TABLE audit_log ADD COLUMN before_value TEXT;
ALTER TABLE audit_log ADD COLUMN after_value TEXT;
