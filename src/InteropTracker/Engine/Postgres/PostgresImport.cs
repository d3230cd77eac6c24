using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using Npgsql;
using NpgsqlTypes;

namespace InteropTracker.Engine.Postgres;

/// <summary>
/// An import on PostgreSQL: its transaction holds the event's row (against corrections and the event's other result
/// writes) from the start to the commit or rollback. Rows stream as they are written into a temporary table through
/// binary COPY (nothing of them is kept in this process), numbered in the order they came, and move into place with a
/// few set-based statements when the counts are asked for or the import commits: the replaced revisions of cells already
/// there go to result_revisions, those results take their cell's last row, the new cells become results, the rows before
/// a cell's last become its revisions in file order, and the event's tallies are adjusted by what changed.
/// </summary>
internal sealed class PostgresImport : IResultImport
{
    private const string StagedColumns =
        "seq, plan_id, case_id, initiator_id, responder_id, verdict, notes, issue, updated_at, updated_by, cause, attributes";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly long _eventId;
    private readonly PostgresResultEngine _engine;
    private readonly ChangeFeed _feed;
    private NpgsqlBinaryImporter? _copy;
    private bool _staging;
    private long _written;
    private int _created;
    private int _revised;

    public PostgresImport(NpgsqlConnection connection, NpgsqlTransaction transaction, long eventId, PostgresResultEngine engine,
        ChangeFeed feed)
    {
        (_connection, _transaction, _eventId, _engine, _feed) = (connection, transaction, eventId, engine, feed);
    }

    public void Write(in VerdictWrite result)
    {
        if (result.EventId != _eventId)
            throw new ArgumentException($"An import into event {_eventId} was handed a result of event {result.EventId}.", nameof(result));
        if (_copy is null)
        {
            if (!_staging)
            {
                _connection.Execute($"""
                    CREATE TEMP TABLE staged_results (
                        seq BIGINT, plan_id BIGINT, case_id BIGINT, initiator_id BIGINT, responder_id BIGINT, verdict TEXT,
                        notes TEXT, issue TEXT, updated_at TEXT, updated_by BIGINT, cause TEXT, attributes TEXT)
                    ON COMMIT DROP
                    """, transaction: _transaction);
                _staging = true;
            }
            _copy = _connection.BeginBinaryImport($"COPY staged_results ({StagedColumns}) FROM STDIN (FORMAT BINARY)");
        }
        var copy = _copy;
        copy.StartRow();
        copy.Write(++_written, NpgsqlDbType.Bigint);
        copy.Write(result.PlanId, NpgsqlDbType.Bigint);
        copy.Write(result.CaseId, NpgsqlDbType.Bigint);
        copy.Write(result.InitiatorId, NpgsqlDbType.Bigint);
        copy.Write(result.ResponderId, NpgsqlDbType.Bigint);
        copy.Write(result.Verdict.Name(), NpgsqlDbType.Text);
        Text(copy, result.Notes);
        Text(copy, result.Issue);
        copy.Write(result.RecordedAt, NpgsqlDbType.Text);
        copy.Write(result.RecordedBy, NpgsqlDbType.Bigint);
        Text(copy, result.Cause);
        Text(copy, result.Attributes);
    }

    private static void Text(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, NpgsqlDbType.Text);
    }

    /// <summary>How many cells of the rows written so far were new (the rows are moved into place to know).</summary>
    public int Created
    {
        get
        {
            Move();
            return _created;
        }
    }

    /// <summary>How many rows written so far were new revisions of a cell's result (the rows are moved into place to know).</summary>
    public int Revised
    {
        get
        {
            Move();
            return _revised;
        }
    }

    public async Task CommitAsync(AuditEntry audit)
    {
        await MoveAsync();
        await Audit.RecordAsync(_connection, _transaction, audit.By, audit.Action, audit.Subject, audit.EventId, audit.Before, audit.After);
        await _feed.AnnounceAsync(_connection, _transaction, Change.Results);
        await _transaction.CommitAsync();
        _engine.Committed(Change.Results);
    }

    private void Move()
    {
        if (EndCopy() is not { } sql) return;
        _connection.Execute(sql, new { eventId = _eventId }, _transaction);
        Counted(_connection.QuerySingle<Counts>(CountsSql, transaction: _transaction));
        _connection.Execute(ClearSql, transaction: _transaction);
    }

    private async Task MoveAsync()
    {
        if (EndCopy() is not { } sql) return;
        await _connection.ExecuteAsync(sql, new { eventId = _eventId }, _transaction);
        Counted(await _connection.QuerySingleAsync<Counts>(CountsSql, transaction: _transaction));
        await _connection.ExecuteAsync(ClearSql, transaction: _transaction);
    }

    /// <summary>Ends the COPY under way: the statements that move its rows into place, or null when none came since the last move.</summary>
    private string? EndCopy()
    {
        if (_copy is not { } copy) return null;
        _copy = null;
        copy.Complete();
        copy.Dispose();
        return MoveSql;
    }

    private void Counted(Counts counts)
    {
        _created += (int)counts.Created;
        _revised += (int)(counts.Rows - counts.Created);
    }

    private sealed record Counts
    {
        public long Created { get; init; }
        public long Rows { get; init; }
    }

    private const string CountsSql =
        "SELECT count(*) FILTER (WHERE old_revision = 0) AS Created, COALESCE(sum(n), 0) AS Rows FROM staged_cells";

    private const string ClearSql = "DROP TABLE staged_cells, staged_pairs; TRUNCATE staged_results";

    /// <remarks>
    /// Every cell of the staged rows once, with the result already there (retired or not) and what it counted; then
    /// whether each unordered pair of a case passed before the writes, so that the case's passing pairs move by what the
    /// writes changed. A retired result counted nothing, so its cell's rows count as a new result's would.
    /// </remarks>
    private const string MoveSql = """
        ANALYZE staged_results;
        CREATE TEMP TABLE staged_cells ON COMMIT DROP AS
        SELECT s.case_id, s.initiator_id, s.responder_id, min(s.plan_id) AS plan_id, count(*) AS n, min(s.seq) AS first,
               max(s.seq) AS last, r.id AS result_id, COALESCE(r.revision, 0) AS old_revision,
               CASE WHEN r.retired_at IS NULL THEN r.verdict END AS old_verdict,
               CASE WHEN r.retired_at IS NULL THEN r.status END AS old_status
        FROM staged_results s
             LEFT JOIN results r ON r.event_id = @eventId AND r.case_id = s.case_id AND r.initiator_id = s.initiator_id
                                    AND r.responder_id = s.responder_id
        GROUP BY s.case_id, s.initiator_id, s.responder_id, r.id, r.revision, r.retired_at, r.verdict, r.status;
        ANALYZE staged_cells;

        CREATE TEMP TABLE staged_pairs ON COMMIT DROP AS
        SELECT p.case_id, p.lo, p.hi,
               EXISTS (SELECT 1 FROM results r
                       WHERE r.event_id = @eventId AND r.case_id = p.case_id AND r.verdict = 'pass' AND r.retired_at IS NULL
                             AND ((r.initiator_id = p.lo AND r.responder_id = p.hi)
                                  OR (r.initiator_id = p.hi AND r.responder_id = p.lo))) AS passed
        FROM (SELECT DISTINCT case_id, least(initiator_id, responder_id) AS lo, greatest(initiator_id, responder_id) AS hi
              FROM staged_cells) p;

        INSERT INTO result_revisions (result_id, revision, verdict, notes, issue, recorded_at, recorded_by, cause, attributes)
        SELECT r.id, r.revision, r.verdict, r.notes, r.issue, r.updated_at, r.updated_by, r.cause, r.attributes
        FROM staged_cells c JOIN results r ON r.id = c.result_id
        ORDER BY r.id;

        UPDATE results r
        SET verdict = s.verdict, notes = s.notes, issue = s.issue, revision = c.old_revision + c.n, cause = s.cause,
            attributes = s.attributes, status = 'reported', status_reason = NULL, status_at = NULL, status_by = NULL,
            updated_at = s.updated_at, updated_by = s.updated_by, retired_at = NULL, retired_by = NULL
        FROM staged_cells c JOIN staged_results s ON s.seq = c.last
        WHERE r.id = c.result_id;

        WITH inserted AS (
            INSERT INTO results (event_id, case_id, initiator_id, responder_id, verdict, notes, issue, updated_at, updated_by,
                                 cause, attributes, revision, status)
            SELECT @eventId, c.case_id, c.initiator_id, c.responder_id, s.verdict, s.notes, s.issue, s.updated_at, s.updated_by,
                   s.cause, s.attributes, c.n, 'reported'
            FROM staged_cells c JOIN staged_results s ON s.seq = c.last
            WHERE c.result_id IS NULL
            ORDER BY c.first
            RETURNING id, case_id, initiator_id, responder_id)
        UPDATE staged_cells c SET result_id = i.id
        FROM inserted i
        WHERE c.result_id IS NULL AND c.case_id = i.case_id AND c.initiator_id = i.initiator_id AND c.responder_id = i.responder_id;

        INSERT INTO result_revisions (result_id, revision, verdict, notes, issue, recorded_at, recorded_by, cause, attributes)
        SELECT c.result_id, c.old_revision + row_number() OVER (PARTITION BY c.result_id ORDER BY s.seq), s.verdict, s.notes,
               s.issue, s.updated_at, s.updated_by, s.cause, s.attributes
        FROM staged_cells c
             JOIN staged_results s ON s.case_id = c.case_id AND s.initiator_id = c.initiator_id AND s.responder_id = c.responder_id
        WHERE c.n > 1 AND s.seq <> c.last
        ORDER BY c.result_id, s.seq;

        INSERT INTO pair_tallies (event_id, plan_id, initiator_id, responder_id, pass, fail, na, blocked)
        SELECT @eventId, c.plan_id, c.initiator_id, c.responder_id,
               sum(CASE WHEN s.verdict = 'pass' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'pass' THEN 1 ELSE 0 END),
               sum(CASE WHEN s.verdict = 'fail' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'fail' THEN 1 ELSE 0 END),
               sum(CASE WHEN s.verdict = 'na' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'na' THEN 1 ELSE 0 END),
               sum(CASE WHEN s.verdict = 'blocked' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'blocked' THEN 1 ELSE 0 END)
        FROM staged_cells c JOIN staged_results s ON s.seq = c.last
        GROUP BY c.plan_id, c.initiator_id, c.responder_id
        ORDER BY c.plan_id, c.initiator_id, c.responder_id
        ON CONFLICT (event_id, plan_id, initiator_id, responder_id) DO UPDATE SET
            pass = pair_tallies.pass + excluded.pass, fail = pair_tallies.fail + excluded.fail,
            na = pair_tallies.na + excluded.na, blocked = pair_tallies.blocked + excluded.blocked;

        INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
        SELECT @eventId, t.case_id, sum(t.pass), sum(t.fail), sum(t.na), sum(t.blocked), sum(t.reported), sum(t.confirmed),
               sum(t.disputed), sum(t.passing_pairs)
        FROM (
            SELECT c.case_id,
                   CASE WHEN s.verdict = 'pass' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'pass' THEN 1 ELSE 0 END AS pass,
                   CASE WHEN s.verdict = 'fail' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'fail' THEN 1 ELSE 0 END AS fail,
                   CASE WHEN s.verdict = 'na' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'na' THEN 1 ELSE 0 END AS na,
                   CASE WHEN s.verdict = 'blocked' THEN 1 ELSE 0 END - CASE WHEN c.old_verdict = 'blocked' THEN 1 ELSE 0 END AS blocked,
                   1 - CASE WHEN c.old_status = 'reported' THEN 1 ELSE 0 END AS reported,
                   0 - CASE WHEN c.old_status = 'confirmed' THEN 1 ELSE 0 END AS confirmed,
                   0 - CASE WHEN c.old_status = 'disputed' THEN 1 ELSE 0 END AS disputed,
                   0 AS passing_pairs
            FROM staged_cells c JOIN staged_results s ON s.seq = c.last
            UNION ALL
            SELECT p.case_id, 0, 0, 0, 0, 0, 0, 0,
                   CASE WHEN EXISTS (SELECT 1 FROM results r
                                     WHERE r.event_id = @eventId AND r.case_id = p.case_id AND r.verdict = 'pass'
                                           AND r.retired_at IS NULL
                                           AND ((r.initiator_id = p.lo AND r.responder_id = p.hi)
                                                OR (r.initiator_id = p.hi AND r.responder_id = p.lo)))
                        THEN 1 ELSE 0 END - CASE WHEN p.passed THEN 1 ELSE 0 END
            FROM staged_pairs p
        ) t
        GROUP BY t.case_id
        ORDER BY t.case_id
        ON CONFLICT (event_id, case_id) DO UPDATE SET
            pass = case_tallies.pass + excluded.pass, fail = case_tallies.fail + excluded.fail,
            na = case_tallies.na + excluded.na, blocked = case_tallies.blocked + excluded.blocked,
            reported = case_tallies.reported + excluded.reported, confirmed = case_tallies.confirmed + excluded.confirmed,
            disputed = case_tallies.disputed + excluded.disputed, passing_pairs = case_tallies.passing_pairs + excluded.passing_pairs;
        """;

    public async ValueTask DisposeAsync()
    {
        // An import not committed keeps nothing: its COPY is cancelled and its transaction rolled back.
        if (_copy is { } copy)
        {
            _copy = null;
            await copy.DisposeAsync();
        }
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
