-- Tallies kept beside the results, so that an event's numbers are read rather than recounted. Every write of a
-- result and every review (confirm, dispute) adjusts them in its own transaction: old verdict and status -1, new
-- ones +1.
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
