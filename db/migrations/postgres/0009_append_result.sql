-- A single result, logged in one round trip (Engine/Postgres/PostgresResultEngine.cs): called alone, outside any
-- explicit transaction, so that the call is the request's whole transaction and PostgreSQL groups its commit with
-- the concurrent ones. The statements inside keep their plans from call to call.
--
-- Locks, in order: the event shared (a change to the event holds it alone: the trigger on events), then the
-- unordered pair of the case's two products (an advisory lock whose two keys the caller computes: whether the pair
-- gains or loses a passing pair depends on the reverse cell, which may have no row to lock), the cell's result, the
-- pair's tally, the case's tally.
--
-- Answers the result's id and new revision, or NULLs when the event's stamp is no longer the one the caller checked
-- the result against (nothing is written then).
CREATE FUNCTION append_result(
    _event BIGINT, _stamp TEXT, _plan BIGINT, _case BIGINT, _initiator BIGINT, _responder BIGINT, _verdict TEXT,
    _notes TEXT, _issue TEXT, _at TEXT, _by BIGINT, _cause TEXT, _attributes TEXT, _pair_key_high INTEGER,
    _pair_key_low INTEGER, OUT result_id BIGINT, OUT result_revision BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    old_id BIGINT;
    old_revision BIGINT;
    old_verdict TEXT;
    old_status TEXT;
    old_retired BOOLEAN;
    counted BOOLEAN;
    reverse_passes BOOLEAN;
    d_pass BIGINT;
    d_fail BIGINT;
    d_na BIGINT;
    d_blocked BIGINT;
    d_reported BIGINT;
    d_confirmed BIGINT;
    d_disputed BIGINT;
    d_pairs BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1163284052, (_event % 2147483647)::INTEGER);
    IF (SELECT updated_at FROM events WHERE id = _event) IS DISTINCT FROM _stamp THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(_pair_key_high, _pair_key_low);

    SELECT id, revision, verdict, status, retired_at IS NOT NULL
    INTO old_id, old_revision, old_verdict, old_status, old_retired
    FROM results
    WHERE event_id = _event AND case_id = _case AND initiator_id = _initiator AND responder_id = _responder
    FOR UPDATE;
    reverse_passes := _initiator <> _responder AND EXISTS (
        SELECT FROM results
        WHERE event_id = _event AND case_id = _case AND initiator_id = _responder AND responder_id = _initiator
              AND verdict = 'pass' AND retired_at IS NULL);

    IF old_id IS NOT NULL THEN
        -- The revision being replaced moves, as it is, from the result to its history.
        INSERT INTO result_revisions (result_id, revision, verdict, notes, issue, recorded_at, recorded_by, cause, attributes)
        SELECT id, revision, verdict, notes, issue, updated_at, updated_by, cause, attributes FROM results WHERE id = old_id;
        UPDATE results
        SET verdict = _verdict, notes = _notes, issue = _issue, revision = old_revision + 1, cause = _cause,
            attributes = _attributes, status = 'reported', status_reason = NULL, status_at = NULL, status_by = NULL,
            updated_at = _at, updated_by = _by, retired_at = NULL, retired_by = NULL
        WHERE id = old_id;
        result_id := old_id;
        result_revision := old_revision + 1;
    ELSE
        INSERT INTO results (event_id, case_id, initiator_id, responder_id, verdict, notes, issue, updated_at, updated_by,
                             cause, attributes, revision, status)
        VALUES (_event, _case, _initiator, _responder, _verdict, _notes, _issue, _at, _by, _cause, _attributes, 1, 'reported')
        RETURNING id INTO result_id;
        result_revision := 1;
    END IF;

    -- The write's effect on the tallies: its verdict replaces the counted one (none for a new or retired result), its
    -- review starts again at reported, and the case gains or loses a passing pair when the cell starts or stops
    -- passing while the reverse cell does not pass.
    counted := old_id IS NOT NULL AND NOT old_retired;
    d_pass := (_verdict = 'pass')::INTEGER - (counted AND old_verdict = 'pass')::INTEGER;
    d_fail := (_verdict = 'fail')::INTEGER - (counted AND old_verdict = 'fail')::INTEGER;
    d_na := (_verdict = 'na')::INTEGER - (counted AND old_verdict = 'na')::INTEGER;
    d_blocked := (_verdict = 'blocked')::INTEGER - (counted AND old_verdict = 'blocked')::INTEGER;
    d_reported := 1 - (counted AND old_status = 'reported')::INTEGER;
    d_confirmed := -(counted AND old_status = 'confirmed')::INTEGER;
    d_disputed := -(counted AND old_status = 'disputed')::INTEGER;
    d_pairs := CASE WHEN (counted AND old_verdict = 'pass') = (_verdict = 'pass') OR reverse_passes THEN 0
                    WHEN _verdict = 'pass' THEN 1 ELSE -1 END;

    IF d_pass <> 0 OR d_fail <> 0 OR d_na <> 0 OR d_blocked <> 0 THEN
        INSERT INTO pair_tallies (event_id, plan_id, initiator_id, responder_id, pass, fail, na, blocked)
        VALUES (_event, _plan, _initiator, _responder, d_pass, d_fail, d_na, d_blocked)
        ON CONFLICT (event_id, plan_id, initiator_id, responder_id) DO UPDATE SET
            pass = pair_tallies.pass + excluded.pass, fail = pair_tallies.fail + excluded.fail,
            na = pair_tallies.na + excluded.na, blocked = pair_tallies.blocked + excluded.blocked;
    END IF;
    IF d_pass <> 0 OR d_fail <> 0 OR d_na <> 0 OR d_blocked <> 0 OR d_reported <> 0 OR d_confirmed <> 0
       OR d_disputed <> 0 OR d_pairs <> 0 THEN
        INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
        VALUES (_event, _case, d_pass, d_fail, d_na, d_blocked, d_reported, d_confirmed, d_disputed, d_pairs)
        ON CONFLICT (event_id, case_id) DO UPDATE SET
            pass = case_tallies.pass + excluded.pass, fail = case_tallies.fail + excluded.fail,
            na = case_tallies.na + excluded.na, blocked = case_tallies.blocked + excluded.blocked,
            reported = case_tallies.reported + excluded.reported, confirmed = case_tallies.confirmed + excluded.confirmed,
            disputed = case_tallies.disputed + excluded.disputed,
            passing_pairs = case_tallies.passing_pairs + excluded.passing_pairs;
    END IF;
END
$$;
