-- Tallies kept beside the results, so that an event's numbers are read rather than recounted. Every write of a
-- result and every review (confirm, dispute) adjusts them in its own transaction: old verdict and status -1, new
-- ones +1.
-- They are derived data: no foreign keys (each result write would pay for four parent look-ups more). Upserts keep
-- them (INSERT … ON CONFLICT DO UPDATE), each row updated in place by the transaction that writes its results.

-- Current verdicts per event, plan and ordered pair of products: the matrix of a plan, and of a technology as the
-- sum of its plans.
CREATE TABLE pair_tallies (
    event_id     BIGINT NOT NULL,
    plan_id      BIGINT NOT NULL,
    initiator_id BIGINT NOT NULL,
    responder_id BIGINT NOT NULL,
    pass         BIGINT NOT NULL DEFAULT 0,
    fail         BIGINT NOT NULL DEFAULT 0,
    na           BIGINT NOT NULL DEFAULT 0,
    blocked      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, plan_id, initiator_id, responder_id)
);

-- Current verdicts and review statuses per event and case, and the distinct unordered pairs with a pass.
CREATE TABLE case_tallies (
    event_id      BIGINT NOT NULL,
    case_id       BIGINT NOT NULL,
    pass          BIGINT NOT NULL DEFAULT 0,
    fail          BIGINT NOT NULL DEFAULT 0,
    na            BIGINT NOT NULL DEFAULT 0,
    blocked       BIGINT NOT NULL DEFAULT 0,
    reported      BIGINT NOT NULL DEFAULT 0,
    confirmed     BIGINT NOT NULL DEFAULT 0,
    disputed      BIGINT NOT NULL DEFAULT 0,
    passing_pairs BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, case_id)
);
