using InteropTracker.Core;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// The one write path of results. Every write, from the single POST (in a batch of requests sharing a commit) or the
/// import, goes through <see cref="Record"/> on the engine's connection and transaction: it adds a revision (who,
/// when, verdict, notes, issue, cause, attributes) and makes it the result's current verdict, resetting its review to reported. The
/// results row holds the current revision; the ones it replaced are in result_revisions (db/migrations/0001_initial.sql), so a new
/// result is one row, and a revision moves the one it replaces there.
/// Commands are prepared once per writer and reused row after row. Because every write passes here with the verdict
/// it replaces, aggregates kept beside the results are maintained here too.
/// A retired result (one a correction left outside the plan: it counts nowhere) whose cell is logged again comes back
/// with the new revision, counted as a new result would be.
/// </summary>
public sealed class ResultWriter : IDisposable
{
    private readonly record struct Cell(long CaseId, long InitiatorId, long ResponderId);

    /// <summary>A cell's current result. Sixteen bytes: a bulk write may remember hundreds of thousands of them.</summary>
    private readonly struct Current(long id, long revision, Verdict verdict, string status, bool retired = false)
    {
        public long Id { get; } = id;
        public int Revision { get; } = checked((int)revision);
        public bool Retired { get; } = retired;
        private readonly byte _verdict = (byte)verdict, _status = (byte)Array.IndexOf(Statuses, status);

        public Verdict Verdict => (Verdict)_verdict;
        public string Status => Statuses[_status];
    }

    /// <summary>The most new results a bulk write holds in its staging table before moving them to results.</summary>
    public const int MaxStaged = IResultImport.ChunkRows;

    private const string NewColumns = "event_id, case_id, initiator_id, responder_id, verdict, notes, issue, updated_at, updated_by, cause, attributes";

    /// <summary>A new result's values: ?1 … ?11 in the order of <see cref="NewColumns"/>.</summary>
    private const string NewValues = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11";

    private readonly Statement _find;
    private readonly Statement _insert;
    private readonly Statement _archive;
    private readonly Statement _update;
    private Statement? _stage;
    private Statement? _move;
    private Statement? _clear;
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction? _transaction;
    private readonly TallyChanges _tallies;

    // A bulk write: the event's cells this writer knows the current result of (the ones it wrote, and with a preload
    // every one of the event; id 0 for a new result still staged), and how many new results are staged.
    private Dictionary<Cell, Current>? _known;
    private bool _preloaded;
    private long _bulkEvent;
    private int _staged;
    private (long Event, string At, long By)? _stageBound;
    private long? _cacheSize;

    /// <param name="transaction">
    /// The transaction a bulk write runs in. Single writes need none: their statements run in whatever transaction is
    /// open on the connection, so that one writer can serve batch after batch of shared commits.
    /// </param>
    public ResultWriter(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        _connection = connection;
        _transaction = transaction;
        _tallies = new TallyChanges(connection);
        _find = new Statement(connection, """
            SELECT id, revision, verdict, status, retired_at IS NOT NULL FROM results
            WHERE event_id = ?1 AND case_id = ?2 AND initiator_id = ?3 AND responder_id = ?4
            """);
        _insert = new Statement(connection, $"INSERT INTO results ({NewColumns}, revision, status) VALUES ({NewValues}, 1, 'reported')");
        // The revision being replaced moves, as it is, from the result to its history.
        _archive = new Statement(connection, """
            INSERT INTO result_revisions (result_id, revision, verdict, notes, issue, recorded_at, recorded_by, cause, attributes)
            SELECT id, revision, verdict, notes, issue, updated_at, updated_by, cause, attributes FROM results WHERE id = ?1
            """);
        _update = new Statement(connection, """
            UPDATE results
            SET verdict = ?2, notes = ?3, issue = ?4, revision = ?5, cause = ?8, attributes = ?9, status = 'reported',
                status_reason = NULL, status_at = NULL, status_by = NULL, updated_at = ?6, updated_by = ?7,
                retired_at = NULL, retired_by = NULL
            WHERE id = ?1
            """);
    }

    /// <summary>
    /// Prepares a bulk write to one event, the import's: only this writer writes in its transaction, and every id it
    /// writes has been checked against the event's planning, which the transaction holds still. The connection gets a
    /// page cache large enough for the results table and its indexes (with SQLite's default 2 MB, a large import spills
    /// pages to the WAL over and over), back to its usual size when the writer is disposed; tally changes are gathered
    /// until <see cref="Flush"/>. New results wait in a temporary table and move into results by one INSERT … SELECT, in
    /// the order they came, every <see cref="MaxStaged"/> rows (and at the end), getting their ids then: SQLite's own
    /// loop fills the table and its indexes faster than a statement run per row, which starts from the root of every
    /// index each time, and faster still when the rows come in cell order (the caller's to give: an import sorts each
    /// chunk of its file). With <paramref name="preload"/>,
    /// the event's current results are read at once, so that a cell's current revision is found in memory rather than
    /// asked row by row: worth it when the event holds few results for the rows written, not when a small file goes
    /// into a big event.
    /// </summary>
    /// <param name="rows">About how many rows the bulk write is to record, to size what it keeps in memory once.</param>
    /// <param name="stored">How many results the event holds: with a preload, what it keeps in memory is sized for them too.</param>
    public void BeginBulk(long eventId, int rows, bool preload, long stored)
    {
        _bulkEvent = eventId;
        // Sized once: grown on the way, it would leave a copy half its size behind at every step, each one a large object
        // that only a full collection frees.
        _known = new Dictionary<Cell, Current>((int)Math.Min(Array.MaxLength, rows + (preload ? stored : 0)));
        _cacheSize ??= Scalar("PRAGMA cache_size");
        Scalar($"PRAGMA cache_size = {BulkCacheKiB}");
        if (_stage is null)
        {
            Scalar($"""
                PRAGMA temp.cache_size = {BulkCacheKiB};
                CREATE TEMP TABLE IF NOT EXISTS staged_results (
                    event_id INTEGER, case_id INTEGER, initiator_id INTEGER, responder_id INTEGER, verdict TEXT, notes TEXT,
                    issue TEXT, updated_at TEXT, updated_by INTEGER, cause TEXT, attributes TEXT)
                """);
            _stage = new Statement(_connection, $"INSERT INTO temp.staged_results ({NewColumns}) VALUES ({NewValues})");
            _move = new Statement(_connection, $"""
                INSERT INTO results ({NewColumns}, revision, status)
                SELECT {NewColumns}, 1, 'reported' FROM temp.staged_results ORDER BY rowid
                """);
            _clear = new Statement(_connection, "DELETE FROM temp.staged_results");
        }
        _preloaded = preload;
        if (!preload) return;
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = """
            SELECT case_id, initiator_id, responder_id, id, revision, verdict, status, retired_at IS NOT NULL
            FROM results WHERE event_id = $event
            """;
        command.Parameters.AddWithValue("$event", eventId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            _known[new Cell(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2))] =
                new Current(reader.GetInt64(3), reader.GetInt64(4), StoredVerdict.Parse(reader.GetString(5)), Status(reader.GetString(6)),
                    reader.GetInt64(7) != 0);
    }

    /// <summary>The page cache of a bulk write, in KiB (SQLite's negative cache_size).</summary>
    private const int BulkCacheKiB = -16384;

    private bool Bulk(long eventId) => _known is not null && _bulkEvent == eventId;

    public Appended Record(in VerdictWrite write)
    {
        var cell = new Cell(write.CaseId, write.InitiatorId, write.ResponderId);
        var current = Find(write.EventId, cell);
        var bulk = Bulk(write.EventId);
        if (current is { Id: 0 })
        {
            // A new result of this bulk write, still staged: it gets its id when moved into results.
            MoveStaged();
            current = Stored(write.EventId, cell);
        }
        long id, revision;
        if (current is null)
        {
            revision = 1;
            if (bulk)
            {
                id = 0;
                // What a bulk write's rows share (event, time, who) stays bound from one row to the next.
                if (_stageBound != (write.EventId, write.RecordedAt, write.RecordedBy))
                {
                    _stage!.Bind(1, write.EventId).Bind(8, write.RecordedAt).Bind(9, write.RecordedBy);
                    _stageBound = (write.EventId, write.RecordedAt, write.RecordedBy);
                }
                BindCell(_stage!, write).Run();
                if (++_staged == MaxStaged) MoveStaged();
            }
            else
            {
                BindNew(_insert, write).Run();
                // The new row's id without RETURNING, which would open a data reader for every insert.
                id = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);
            }
        }
        else
        {
            id = current.Value.Id;
            revision = current.Value.Revision + 1;
            _archive.Bind(1, id).Run();
            _update.Bind(1, id).Bind(2, VerdictUtf8[(int)write.Verdict]).Bind(3, write.Notes).Bind(4, write.Issue).Bind(5, revision)
                .Bind(6, write.RecordedAt).Bind(7, write.RecordedBy).Bind(8, write.Cause).Bind(9, write.Attributes).Run();
        }

        if (bulk) _known![cell] = new Current(id, revision, write.Verdict, Reported);
        Count(write, current);
        // A single write applies its tally changes at once (inside the caller's savepoint, if any); a bulk write
        // gathers them and applies them once, in Flush.
        if (!bulk) Flush();
        return new Appended(id, revision);
    }

    /// <summary>Binds a new result's values.</summary>
    private static Statement BindNew(Statement insert, in VerdictWrite write) =>
        BindCell(insert.Bind(1, write.EventId).Bind(8, write.RecordedAt).Bind(9, write.RecordedBy), write);

    /// <summary>Binds what is a new result's own: its cell, verdict, notes, issue, cause and attributes.</summary>
    private static Statement BindCell(Statement insert, in VerdictWrite write) =>
        insert.Bind(2, write.CaseId).Bind(3, write.InitiatorId).Bind(4, write.ResponderId).Bind(5, VerdictUtf8[(int)write.Verdict])
            .Bind(6, write.Notes).Bind(7, write.Issue).Bind(10, write.Cause).Bind(11, write.Attributes);

    private static readonly byte[][] VerdictUtf8 = VerdictNames.All.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Moves the staged new results of a bulk write into results, in the order they were staged.</summary>
    private void MoveStaged()
    {
        if (_staged == 0) return;
        _move!.Run();
        _clear!.Run();
        _staged = 0;
    }

    /// <summary>
    /// The write's effect on the tallies: its verdict replaces the old one, its review starts again at reported, and
    /// the case gains or loses a passing pair when the cell starts or stops passing while the same pair's other
    /// direction (a directional case's reverse cell; none for a non-directional case) does not pass. A retired result
    /// counted nothing, so its cell's write counts as a new result's.
    /// </summary>
    private void Count(in VerdictWrite write, Current? current)
    {
        if (current is { Retired: true }) current = null;
        var (passed, passes) = (current?.Verdict == Verdict.Pass, write.Verdict == Verdict.Pass);
        var passingPairs = passed == passes
                           || Find(write.EventId, new Cell(write.CaseId, write.ResponderId, write.InitiatorId)) is { Verdict: Verdict.Pass, Retired: false }
            ? 0
            : passes ? 1 : -1;
        _tallies.Write(write.EventId, write.PlanId, write.CaseId, write.InitiatorId, write.ResponderId, current?.Verdict, current?.Status,
            write.Verdict, Reported, passingPairs);
    }

    /// <summary>Writes what a bulk write still holds (new results, tally changes); call it before committing.</summary>
    public void Flush()
    {
        MoveStaged();
        _tallies.Apply();
    }

    private const string Reported = "reported";

    /// <summary>The review statuses, as interned constants (a <see cref="Current"/> holds one as its place here).</summary>
    private static readonly string[] Statuses = [Reported, "confirmed", "disputed"];

    private static string Status(string status) =>
        Array.IndexOf(Statuses, status) is var known and >= 0
            ? Statuses[known]
            : throw new InvalidDataException($"Unknown review status '{status}' in the results table.");

    /// <summary>The cell's current result: from memory when a bulk write knows it, else from the results table.</summary>
    private Current? Find(long eventId, Cell cell)
    {
        if (Bulk(eventId))
        {
            if (_known!.TryGetValue(cell, out var known)) return known;
            if (_preloaded) return null;
        }
        return Stored(eventId, cell);
    }

    private Current? Stored(long eventId, Cell cell)
    {
        if (!_find.Bind(1, eventId).Bind(2, cell.CaseId).Bind(3, cell.InitiatorId).Bind(4, cell.ResponderId).Row()) return null;
        var current = new Current(_find.Long(0), _find.Long(1), StoredVerdict.Parse(_find.Text(2)), Status(_find.Text(3)), _find.Long(4) != 0);
        _find.Reset();
        return current;
    }

    private long Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }

    public void Dispose()
    {
        // The connection goes back to the pool: it keeps its usual cache, not a bulk write's.
        if (_cacheSize is { } size) Scalar($"PRAGMA cache_size = {size}");
        _find.Dispose();
        _insert.Dispose();
        _stage?.Dispose();
        _move?.Dispose();
        _clear?.Dispose();
        if (_stage is not null) Scalar("DROP TABLE IF EXISTS temp.staged_results");
        _archive.Dispose();
        _update.Dispose();
        _tallies.Dispose();
    }
}

