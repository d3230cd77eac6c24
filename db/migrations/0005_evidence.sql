-- DESIGN.md "Evidence, causes and attributes".
-- Why a fail or blocked revision failed (implementation, test-case, specification, setup, unknown); NULL when not said.
ALTER TABLE results ADD COLUMN cause TEXT;
ALTER TABLE result_revisions ADD COLUMN cause TEXT;

-- An event's bug-tracker link pattern, an http(s) URL with {issue} where a result's issue reference goes.
ALTER TABLE events ADD COLUMN issue_url_template TEXT;

-- Files attached to a result (traces, logs, screenshots). The bytes live once under data/evidence/<sha256>, however
-- many results attach them; a row names the file for one result, numbered from 1 within it.
CREATE TABLE evidence (
    id        INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL REFERENCES events (id),
    result_id INTEGER NOT NULL REFERENCES results (id),
    n         INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    sha256    TEXT    NOT NULL,
    size      INTEGER NOT NULL,
    added_at  TEXT    NOT NULL,
    added_by  INTEGER REFERENCES tokens (id),
    UNIQUE (result_id, n)
);
CREATE INDEX evidence_event ON evidence (event_id);
CREATE INDEX evidence_sha256 ON evidence (sha256);
