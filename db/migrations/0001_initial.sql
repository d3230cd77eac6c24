-- The whole domain: access tokens, vendors and their products, test plans, events and their results.
-- Plain SQL that PostgreSQL could also run (INTEGER keys become identity columns there).
-- Timestamps are ISO-8601 UTC text; tag lists are JSON arrays of strings.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    created_by  INTEGER
);

CREATE TABLE tokens (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'chair', 'engineer', 'member')),
    organization_id INTEGER REFERENCES organizations (id),
    hash            TEXT    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL,
    created_by      INTEGER REFERENCES tokens (id),
    revoked_at      TEXT,
    revoked_by      INTEGER REFERENCES tokens (id),
    expires_at      TEXT, -- NULL: never expires
    CHECK ((role = 'engineer') = (organization_id IS NOT NULL))
);

-- A sign-in cookie carries the id of a sign-in session bound to a token, never the token itself: only the SHA-256 hash
-- of the id is stored, and the session ends at sign-out (ended_at), at its own expiry, or with its token (revoked or
-- expired), checked whenever it is presented.
CREATE TABLE sign_in_sessions (
    id         INTEGER PRIMARY KEY,
    token_id   INTEGER NOT NULL REFERENCES tokens (id),
    hash       TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    ended_at   TEXT
);

CREATE TABLE test_plans (
    id           INTEGER PRIMARY KEY,
    plan         TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    technology   TEXT    NOT NULL,
    source       TEXT,
    content_hash TEXT    NOT NULL,
    document     TEXT    NOT NULL, -- the whole document as canonical JSON
    created_at   TEXT    NOT NULL,
    created_by   INTEGER REFERENCES tokens (id),
    UNIQUE (plan, version)
);

CREATE TABLE test_cases (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES test_plans (id),
    ordinal       INTEGER NOT NULL,
    section       TEXT    NOT NULL,
    section_title TEXT    NOT NULL,
    case_key      TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    priority      TEXT    NOT NULL CHECK (priority IN ('mandatory', 'recommended', 'optional')),
    directional   INTEGER NOT NULL CHECK (directional IN (0, 1)),
    requires      TEXT    NOT NULL DEFAULT '[]',
    initiator     TEXT    NOT NULL DEFAULT '[]',
    responder     TEXT    NOT NULL DEFAULT '[]',
    UNIQUE (plan_id, case_key)
);

CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    name            TEXT    NOT NULL,
    version         TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('endpoint', 'mcu', 'gateway', 'sbc', 'browser', 'client', 'server', 'library', 'other')),
    technologies    TEXT    NOT NULL DEFAULT '[]',
    capabilities    TEXT    NOT NULL DEFAULT '[]',
    created_at      TEXT    NOT NULL,
    created_by      INTEGER REFERENCES tokens (id)
);
CREATE INDEX products_organization ON products (organization_id);

CREATE TABLE events (
    id                        INTEGER PRIMARY KEY,
    key                       TEXT    NOT NULL UNIQUE,
    name                      TEXT    NOT NULL,
    location                  TEXT    NOT NULL DEFAULT '',
    start_date                TEXT    NOT NULL,
    end_date                  TEXT    NOT NULL,
    include_same_organization INTEGER NOT NULL DEFAULT 0,
    status                    TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    published                 INTEGER NOT NULL DEFAULT 0,
    anonymization_secret      TEXT    NOT NULL,
    created_at                TEXT    NOT NULL,
    created_by                INTEGER REFERENCES tokens (id),
    updated_at                TEXT    NOT NULL,
    updated_by                INTEGER REFERENCES tokens (id)
);

CREATE TABLE event_plans (
    event_id INTEGER NOT NULL REFERENCES events (id),
    plan_id  INTEGER NOT NULL REFERENCES test_plans (id),
    PRIMARY KEY (event_id, plan_id)
);

CREATE TABLE participants (
    event_id   INTEGER NOT NULL REFERENCES events (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    added_at   TEXT    NOT NULL,
    added_by   INTEGER REFERENCES tokens (id),
    PRIMARY KEY (event_id, product_id)
);

-- One row per planned cell that has a verdict, holding its current (newest) revision; result_revisions keeps the
-- revisions it replaced, so every revision is stored once and a new result is one row.
-- The one index is the cell's (event, case, initiator, responder) of the UNIQUE constraint: it holds both products, so
-- a report reads one initiator's results case by case through it and a product filter scans the event's part of it,
-- while every new result pays for one index entry rather than three.
CREATE TABLE results (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events (id),
    case_id       INTEGER NOT NULL REFERENCES test_cases (id),
    initiator_id  INTEGER NOT NULL REFERENCES products (id),
    responder_id  INTEGER NOT NULL REFERENCES products (id),
    verdict       TEXT    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na', 'blocked')),
    notes         TEXT,
    issue         TEXT,
    revision      INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'confirmed', 'disputed')),
    status_reason TEXT,
    status_at     TEXT,
    status_by     INTEGER REFERENCES tokens (id),
    updated_at    TEXT    NOT NULL,
    updated_by    INTEGER REFERENCES tokens (id),
    UNIQUE (event_id, case_id, initiator_id, responder_id)
);

CREATE TABLE result_revisions (
    id          INTEGER PRIMARY KEY,
    result_id   INTEGER NOT NULL REFERENCES results (id),
    revision    INTEGER NOT NULL,
    verdict     TEXT    NOT NULL,
    notes       TEXT,
    issue       TEXT,
    recorded_at TEXT    NOT NULL,
    recorded_by INTEGER REFERENCES tokens (id),
    UNIQUE (result_id, revision)
);

-- Who did what and when, for every write that is not already a revision.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    token_id INTEGER REFERENCES tokens (id),
    action   TEXT    NOT NULL,
    subject  TEXT    NOT NULL
);
