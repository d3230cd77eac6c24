-- The timetable of an event's test sessions as last built (POST /api/events/{event}/schedule), kept whole as the API
-- answers it: a re-plan reads it back to keep the sessions already past in their place.
CREATE TABLE schedules (
    event_id  INTEGER PRIMARY KEY REFERENCES events (id),
    timetable TEXT    NOT NULL,
    built_at  TEXT    NOT NULL,
    built_by  INTEGER REFERENCES tokens (id)
);
