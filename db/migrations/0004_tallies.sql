-- Tallies kept beside the results, so that an event's numbers are read rather than recounted. Every write of a
-- result (Verdicts/VerdictWriter) and every review (confirm, dispute) adjusts them in its own transaction: old verdict
-- and status -1, new ones +1. Matrix/Tallies.cs recounts them from the results table when asked.
-- They are derived data: no foreign keys (each result write would pay for four parent look-ups more), and
-- WITHOUT ROWID so that a row lives in its primary key's b-tree (on PostgreSQL: drop those two words).

-- Current verdicts per event, plan and ordered pair of products: the matrix of a plan, and of a technology as the
-- sum of its plans.
CREATE TABLE pair_tallies (
    event_id     INTEGER NOT NULL,
    plan_id      INTEGER NOT NULL,
    initiator_id INTEGER NOT NULL,
    responder_id INTEGER NOT NULL,
    pass         INTEGER NOT NULL DEFAULT 0,
    fail         INTEGER NOT NULL DEFAULT 0,
    na           INTEGER NOT NULL DEFAULT 0,
    blocked      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, plan_id, initiator_id, responder_id)
) WITHOUT ROWID;

-- Current verdicts and review statuses per event and case, and the distinct unordered pairs with a pass.
CREATE TABLE case_tallies (
    event_id      INTEGER NOT NULL,
    case_id       INTEGER NOT NULL,
    pass          INTEGER NOT NULL DEFAULT 0,
    fail          INTEGER NOT NULL DEFAULT 0,
    na            INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0,
    reported      INTEGER NOT NULL DEFAULT 0,
    confirmed     INTEGER NOT NULL DEFAULT 0,
    disputed      INTEGER NOT NULL DEFAULT 0,
    passing_pairs INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, case_id)
) WITHOUT ROWID;

-- The results already stored.
INSERT INTO pair_tallies (event_id, plan_id, initiator_id, responder_id, pass, fail, na, blocked)
SELECT r.event_id, c.plan_id, r.initiator_id, r.responder_id,
       sum(CASE WHEN r.verdict = 'pass' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'fail' THEN 1 ELSE 0 END),
       sum(CASE WHEN r.verdict = 'na' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'blocked' THEN 1 ELSE 0 END)
FROM results r JOIN test_cases c ON c.id = r.case_id
GROUP BY r.event_id, c.plan_id, r.initiator_id, r.responder_id;

INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
SELECT r.event_id, r.case_id,
       sum(CASE WHEN r.verdict = 'pass' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'fail' THEN 1 ELSE 0 END),
       sum(CASE WHEN r.verdict = 'na' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'blocked' THEN 1 ELSE 0 END),
       sum(CASE WHEN r.status = 'reported' THEN 1 ELSE 0 END), sum(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END),
       sum(CASE WHEN r.status = 'disputed' THEN 1 ELSE 0 END),
       (SELECT count(*) FROM (SELECT DISTINCT CASE WHEN p.initiator_id < p.responder_id THEN p.initiator_id ELSE p.responder_id END,
                                              CASE WHEN p.initiator_id < p.responder_id THEN p.responder_id ELSE p.initiator_id END
                              FROM results p
                              WHERE p.event_id = r.event_id AND p.case_id = r.case_id AND p.verdict = 'pass') AS passing)
FROM results r
GROUP BY r.event_id, r.case_id;
