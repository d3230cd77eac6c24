-- The end of an event's life (DESIGN.md, "Corrections and the event's life"): a review window before publication,
-- numbered immutable snapshots of the numbers and the four reports, and which snapshot a publication serves.
-- The report bytes live in the database beside their snapshot, not in files: a snapshot and its bytes are written in
-- one transaction (never a row without its file, nor a file without its row), a copy of the database is a complete
-- backup, and nothing outside SQL can rewrite them. Triggers refuse any change to a snapshot once written.
ALTER TABLE events ADD COLUMN review_until TEXT;
ALTER TABLE events ADD COLUMN published_snapshot INTEGER;

CREATE TABLE event_snapshots (
    event_id     INTEGER NOT NULL REFERENCES events (id),
    number       INTEGER NOT NULL,
    taken_at     TEXT    NOT NULL,
    taken_by     INTEGER REFERENCES tokens (id),
    -- What the numbers stood on when taken: the event's stamp, and a hash of its plans, participants and results.
    event_stamp  TEXT    NOT NULL,
    results_mark TEXT    NOT NULL,
    numbers      TEXT    NOT NULL,
    PRIMARY KEY (event_id, number)
);

CREATE TABLE snapshot_files (
    event_id   INTEGER NOT NULL,
    number     INTEGER NOT NULL,
    variant    TEXT    NOT NULL CHECK (variant IN ('full', 'anonymised')),
    format     TEXT    NOT NULL CHECK (format IN ('xlsx', 'pdf')),
    sha256     TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    content    BLOB    NOT NULL,
    PRIMARY KEY (event_id, number, variant, format),
    FOREIGN KEY (event_id, number) REFERENCES event_snapshots (event_id, number)
);

CREATE TRIGGER event_snapshots_immutable_update BEFORE UPDATE ON event_snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
CREATE TRIGGER event_snapshots_immutable_delete BEFORE DELETE ON event_snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
CREATE TRIGGER snapshot_files_immutable_update BEFORE UPDATE ON snapshot_files
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
CREATE TRIGGER snapshot_files_immutable_delete BEFORE DELETE ON snapshot_files
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
