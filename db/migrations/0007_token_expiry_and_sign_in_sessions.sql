-- Tokens may carry an expiry (NULL: never expires). A sign-in cookie no longer carries the bearer token itself but
-- the id of a sign-in session bound to the token: only the SHA-256 hash of the id is stored, and the session ends at
-- sign-out (ended_at), at its own expiry, or with its token (revoked or expired), checked whenever it is presented.
ALTER TABLE tokens ADD COLUMN expires_at TEXT;

CREATE TABLE sign_in_sessions (
    id         INTEGER PRIMARY KEY,
    token_id   INTEGER NOT NULL REFERENCES tokens (id),
    hash       TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    ended_at   TEXT
);
