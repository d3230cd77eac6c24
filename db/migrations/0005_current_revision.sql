-- A result's current revision is its results row (verdict, notes, issue, revision, updated_at, updated_by), and
-- result_revisions keeps the revisions it replaced: a new result is one row rather than two, and every revision is
-- still stored once. Verdicts/VerdictWriter moves a revision there when a newer one replaces it.
DELETE FROM result_revisions
WHERE EXISTS (SELECT 1 FROM results r WHERE r.id = result_revisions.result_id AND r.revision = result_revisions.revision);
