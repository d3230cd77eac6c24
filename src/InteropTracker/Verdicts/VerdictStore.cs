using Dapper;
using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Verdicts;

/// <summary>One verdict to store for a cell: ids resolved, order as stored, already checked by <see cref="ResultRules"/>.</summary>
public readonly record struct VerdictWrite(long EventId, long PlanId, long CaseId, long InitiatorId, long ResponderId,
    Verdict Verdict, string? Notes, string? Issue, long RecordedBy, string RecordedAt);

public static class CellWrites
{
    /// <summary>The checked cell as the writer stores it.</summary>
    public static VerdictWrite ToWrite(this CellWrite cell, long eventId, long recordedBy, string at) =>
        new(eventId, cell.Case.PlanId, cell.Case.Id, cell.Initiator.Id, cell.Responder.Id, cell.Verdict, cell.Notes, cell.Issue,
            recordedBy, at);
}

/// <summary>
/// What a write did: the result row, the revision it added, and the verdict it replaced (null for a new result). A new
/// result of a bulk write (an import) gets its id only when moved into results: its <see cref="ResultId"/> is 0.
/// </summary>
public readonly record struct Recorded(long ResultId, long Revision, Verdict? Previous);

/// <summary>
/// The one write path of verdicts. Every write, from the single POST, the import or a batch of requests sharing a
/// commit, goes through <see cref="Record"/> on the caller's connection and transaction: it adds a revision (who,
/// when, verdict, notes, issue) and makes it the result's current verdict, resetting its review to reported. The
/// results row holds the current revision; the ones it replaced are in result_revisions (migration 0005), so a new
/// result is one row, and a revision moves the one it replaces there.
/// Commands are prepared once per writer and reused row after row. Because every write passes here with the verdict
/// it replaces, aggregates kept beside the results are maintained here too.
/// </summary>
public sealed class VerdictWriter : IDisposable
{
    private readonly record struct Cell(long CaseId, long InitiatorId, long ResponderId);

    private readonly record struct Current(long Id, long Revision, Verdict Verdict, string Status);

    /// <summary>The most new results a bulk write holds in its staging table before moving them to results.</summary>
    public const int MaxStaged = 8_192;

    private const string NewColumns = "event_id, case_id, initiator_id, responder_id, verdict, notes, issue, updated_at, updated_by";

    /// <summary>A new result's values: ?1 … ?9 in the order of <see cref="NewColumns"/>.</summary>
    private const string NewValues = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9";

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
    public VerdictWriter(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        _connection = connection;
        _transaction = transaction;
        _tallies = new TallyChanges(connection);
        _find = new Statement(connection, """
            SELECT id, revision, verdict, status FROM results
            WHERE event_id = ?1 AND case_id = ?2 AND initiator_id = ?3 AND responder_id = ?4
            """);
        _insert = new Statement(connection, $"INSERT INTO results ({NewColumns}, revision, status) VALUES ({NewValues}, 1, 'reported')");
        // The revision being replaced moves, as it is, from the result to its history.
        _archive = new Statement(connection, """
            INSERT INTO result_revisions (result_id, revision, verdict, notes, issue, recorded_at, recorded_by)
            SELECT id, revision, verdict, notes, issue, updated_at, updated_by FROM results WHERE id = ?1
            """);
        _update = new Statement(connection, """
            UPDATE results
            SET verdict = ?2, notes = ?3, issue = ?4, revision = ?5, status = 'reported',
                status_reason = NULL, status_at = NULL, status_by = NULL, updated_at = ?6, updated_by = ?7
            WHERE id = ?1
            """);
    }

    /// <summary>
    /// Prepares a bulk write to one event, the import's: only this writer writes in its transaction, and every id it
    /// writes has been resolved from the event's planning read in that transaction. The connection gets a page cache
    /// large enough for the results table and its indexes (with SQLite's default 2 MB, a 100,000-row import spills
    /// pages to the WAL over and over and runs several times slower), back to its usual size when the writer is
    /// disposed; tally changes are gathered until <see cref="Flush"/>. New results wait in a temporary table and move
    /// into results by one INSERT … SELECT, in the order they came, every <see cref="MaxStaged"/> rows (and at the
    /// end), getting their ids then: SQLite's own loop fills the table and its indexes about twice as fast as a
    /// statement run per row, which starts from the root of every index each time, and faster still when the rows
    /// come in cell order (the caller's to give: an import sorts each chunk of its file). With <paramref name="preload"/>,
    /// the event's current results are read at once, so that a cell's current revision is found in memory rather than
    /// asked row by row: worth it when the event holds few results for the rows written, not when a small file goes
    /// into a big event.
    /// </summary>
    /// <param name="rows">About how many rows the bulk write is to record, to size what it keeps in memory once.</param>
    public void BeginBulk(long eventId, int rows, bool preload)
    {
        _bulkEvent = eventId;
        _known = new Dictionary<Cell, Current>(rows);
        _cacheSize ??= Scalar("PRAGMA cache_size");
        Scalar($"PRAGMA cache_size = {BulkCacheKiB}");
        if (_stage is null)
        {
            Scalar($"""
                PRAGMA temp.cache_size = {BulkCacheKiB};
                CREATE TEMP TABLE IF NOT EXISTS staged_results (
                    event_id INTEGER, case_id INTEGER, initiator_id INTEGER, responder_id INTEGER, verdict TEXT, notes TEXT,
                    issue TEXT, updated_at TEXT, updated_by INTEGER)
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
        command.CommandText = "SELECT case_id, initiator_id, responder_id, id, revision, verdict, status FROM results WHERE event_id = $event";
        command.Parameters.AddWithValue("$event", eventId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            _known[new Cell(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2))] =
                new Current(reader.GetInt64(3), reader.GetInt64(4), Parse(reader.GetString(5)), Status(reader.GetString(6)));
    }

    /// <summary>The page cache of a bulk write, in KiB (SQLite's negative cache_size).</summary>
    private const int BulkCacheKiB = -16384;

    private bool Bulk(long eventId) => _known is not null && _bulkEvent == eventId;

    public Recorded Record(in VerdictWrite write)
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
                .Bind(6, write.RecordedAt).Bind(7, write.RecordedBy).Run();
        }

        if (bulk) _known![cell] = new Current(id, revision, write.Verdict, Reported);
        Count(write, current);
        // A single write applies its tally changes at once (inside the caller's savepoint, if any); a bulk write
        // gathers them and applies them once, in Flush.
        if (!bulk) Flush();
        return new Recorded(id, revision, current?.Verdict);
    }

    /// <summary>Binds a new result's values.</summary>
    private static Statement BindNew(Statement insert, in VerdictWrite write) =>
        BindCell(insert.Bind(1, write.EventId).Bind(8, write.RecordedAt).Bind(9, write.RecordedBy), write);

    /// <summary>Binds what is a new result's own: its cell, verdict, notes and issue.</summary>
    private static Statement BindCell(Statement insert, in VerdictWrite write) =>
        insert.Bind(2, write.CaseId).Bind(3, write.InitiatorId).Bind(4, write.ResponderId).Bind(5, VerdictUtf8[(int)write.Verdict])
            .Bind(6, write.Notes).Bind(7, write.Issue);

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
    /// direction (a directional case's reverse cell; none for a non-directional case) does not pass.
    /// </summary>
    private void Count(in VerdictWrite write, Current? current)
    {
        var (passed, passes) = (current?.Verdict == Verdict.Pass, write.Verdict == Verdict.Pass);
        var passingPairs = passed == passes || Find(write.EventId, new Cell(write.CaseId, write.ResponderId, write.InitiatorId))?.Verdict == Verdict.Pass
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

    /// <summary>The review statuses, as interned constants: a preloaded event's results share three strings.</summary>
    private static string Status(string status) => status switch
    {
        "reported" => Reported,
        "confirmed" => "confirmed",
        "disputed" => "disputed",
        _ => throw new InvalidDataException($"Unknown review status '{status}' in the results table."),
    };

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
        var current = new Current(_find.Long(0), _find.Long(1), Parse(_find.Text(2)), Status(_find.Text(3)));
        _find.Reset();
        return current;
    }

    private static Verdict Parse(string name) =>
        VerdictNames.TryParse(name, out var verdict) ? verdict : throw new InvalidDataException($"Unknown verdict '{name}' in the results table.");

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

/// <summary>A result as the API shows it: the current verdict of a cell and its review.</summary>
public sealed record ResultInfo
{
    public long Id { get; init; }
    public string Plan { get; init; } = "";
    public string PlanVersion { get; init; } = "";
    public string Technology { get; init; } = "";
    public string Section { get; init; } = "";
    public string Case { get; init; } = "";
    public string CaseTitle { get; init; } = "";
    public string Initiator { get; init; } = "";
    public string InitiatorOrganization { get; init; } = "";
    public string Responder { get; init; } = "";
    public string ResponderOrganization { get; init; } = "";
    public string Verdict { get; init; } = "";
    public string? Notes { get; init; }
    public string? Issue { get; init; }
    public long Revision { get; init; }
    public string RecordedAt { get; init; } = "";
    public string? RecordedBy { get; init; }
    public string? RecordedByOrganization { get; init; }
    public string Status { get; init; } = "";
    public string? StatusReason { get; init; }
    public string? StatusAt { get; init; }
    public string? StatusBy { get; init; }
}

/// <summary>One revision of a result.</summary>
public sealed record RevisionInfo
{
    public long Revision { get; init; }
    public string Verdict { get; init; } = "";
    public string? Notes { get; init; }
    public string? Issue { get; init; }
    public string RecordedAt { get; init; } = "";
    public string? RecordedBy { get; init; }
    public string? RecordedByOrganization { get; init; }
}

/// <summary>Filters of GET …/results; every given one narrows the list.</summary>
public sealed record ResultFilter(string? Product, string? Initiator, string? Responder, string? Plan, string? Case,
    string? Verdict, string? Status);

public sealed record ResultPage(long Total, int Page, int PageSize, IReadOnlyList<ResultInfo> Items);

/// <summary>Reading results and their history, and reviewing them (confirm, dispute).</summary>
public static class VerdictStore
{
    public static readonly IReadOnlyList<string> Statuses = ["reported", "confirmed", "disputed"];

    /// <summary>Records one verdict through the one write path (<see cref="VerdictWriter"/>).</summary>
    public static Recorded Record(SqliteConnection connection, SqliteTransaction transaction, in VerdictWrite write)
    {
        using var writer = new VerdictWriter(connection, transaction);
        return writer.Record(write);
    }

    private const string SelectResults = """
        SELECT r.id, p.plan, p.version AS PlanVersion, p.technology, c.section, c.case_key AS "Case", c.title AS CaseTitle,
               i.key AS Initiator, io.key AS InitiatorOrganization, s.key AS Responder, so.key AS ResponderOrganization,
               r.verdict, r.notes, r.issue, r.revision, r.updated_at AS RecordedAt, ub.name AS RecordedBy,
               uo.key AS RecordedByOrganization, r.status, r.status_reason AS StatusReason, r.status_at AS StatusAt,
               sb.name AS StatusBy
        FROM results r
             JOIN test_cases c ON c.id = r.case_id
             JOIN test_plans p ON p.id = c.plan_id
             JOIN products i ON i.id = r.initiator_id
             JOIN organizations io ON io.id = i.organization_id
             JOIN products s ON s.id = r.responder_id
             JOIN organizations so ON so.id = s.organization_id
             LEFT JOIN tokens ub ON ub.id = r.updated_by
             LEFT JOIN organizations uo ON uo.id = ub.organization_id
             LEFT JOIN tokens sb ON sb.id = r.status_by
        """;

    private const string Filters = """
        r.event_id = @eventId
        AND (@product IS NULL OR r.initiator_id = (SELECT id FROM products WHERE key = @product)
                              OR r.responder_id = (SELECT id FROM products WHERE key = @product))
        AND (@initiator IS NULL OR r.initiator_id = (SELECT id FROM products WHERE key = @initiator))
        AND (@responder IS NULL OR r.responder_id = (SELECT id FROM products WHERE key = @responder))
        AND (@plan IS NULL OR c.plan_id IN (SELECT ep.plan_id FROM event_plans ep JOIN test_plans tp ON tp.id = ep.plan_id
                                            WHERE ep.event_id = @eventId AND tp.plan = @plan))
        AND (@caseKey IS NULL OR c.case_key = @caseKey)
        AND (@verdict IS NULL OR r.verdict = @verdict)
        AND (@status IS NULL OR r.status = @status)
        """;

    public static Task<ResultInfo?> FindAsync(SqliteConnection connection, long eventId, long id, SqliteTransaction? transaction = null) =>
        connection.QuerySingleOrDefaultAsync<ResultInfo>($"{SelectResults} WHERE r.event_id = @eventId AND r.id = @id",
            new { eventId, id }, transaction);

    /// <summary>One page of the event's results in the order they were first logged, with the total that match.</summary>
    public static async Task<ResultPage> ListAsync(SqliteConnection connection, long eventId, ResultFilter filter, int page, int pageSize)
    {
        var sql = $"""
            {SelectResults} WHERE {Filters} ORDER BY r.id LIMIT @limit OFFSET @offset;
            SELECT count(*) FROM results r JOIN test_cases c ON c.id = r.case_id WHERE {Filters};
            """;
        await using var reader = await connection.QueryMultipleAsync(sql, new
        {
            eventId, product = filter.Product, initiator = filter.Initiator, responder = filter.Responder, plan = filter.Plan,
            caseKey = filter.Case, verdict = filter.Verdict, status = filter.Status,
            limit = pageSize, offset = (long)(page - 1) * pageSize,
        });
        var items = (await reader.ReadAsync<ResultInfo>()).AsList();
        var total = await reader.ReadSingleAsync<long>();
        return new ResultPage(total, page, pageSize, items);
    }

    /// <summary>
    /// Every revision of every result as one row source (result_id, revision, verdict, notes, issue, recorded_at,
    /// recorded_by): the current ones, which are the results rows, and the ones they replaced.
    /// </summary>
    public const string AllRevisions = """
        (SELECT id AS result_id, revision, verdict, notes, issue, updated_at AS recorded_at, updated_by AS recorded_by FROM results
         UNION ALL
         SELECT result_id, revision, verdict, notes, issue, recorded_at, recorded_by FROM result_revisions)
        """;

    /// <summary>Every revision of a result, newest first: the current one (the results row), then the ones it replaced.</summary>
    public static async Task<IReadOnlyList<RevisionInfo>> HistoryAsync(SqliteConnection connection, long resultId)
    {
        const string sql = """
            SELECT v.revision, v.verdict, v.notes, v.issue, v.recorded_at AS RecordedAt, t.name AS RecordedBy,
                   o.key AS RecordedByOrganization
            FROM (SELECT revision, verdict, notes, issue, updated_at AS recorded_at, updated_by AS recorded_by
                  FROM results WHERE id = @resultId
                  UNION ALL
                  SELECT revision, verdict, notes, issue, recorded_at, recorded_by
                  FROM result_revisions WHERE result_id = @resultId) AS v
                 LEFT JOIN tokens t ON t.id = v.recorded_by
                 LEFT JOIN organizations o ON o.id = t.organization_id
            ORDER BY v.revision DESC
            """;
        return (await connection.QueryAsync<RevisionInfo>(sql, new { resultId })).AsList();
    }

    private sealed record AuthorshipRow
    {
        public long Revision { get; init; }
        public long? RecordedBy { get; init; }
        public long? RecorderOrganization { get; init; }
        public long InitiatorOrganization { get; init; }
        public long ResponderOrganization { get; init; }
        public string InitiatorOrganizationKey { get; init; } = "";
        public string ResponderOrganizationKey { get; init; } = "";
    }

    /// <summary>Who logged the result's current revision and whose products it pairs; null when the event has no such result.</summary>
    public static async Task<ResultRules.Authorship?> AuthorshipAsync(SqliteConnection connection, long eventId, long id,
        SqliteTransaction transaction)
    {
        const string sql = """
            SELECT r.revision, r.updated_by AS RecordedBy, t.organization_id AS RecorderOrganization,
                   i.organization_id AS InitiatorOrganization, s.organization_id AS ResponderOrganization,
                   io.key AS InitiatorOrganizationKey, so.key AS ResponderOrganizationKey
            FROM results r
                 JOIN products i ON i.id = r.initiator_id
                 JOIN organizations io ON io.id = i.organization_id
                 JOIN products s ON s.id = r.responder_id
                 JOIN organizations so ON so.id = s.organization_id
                 LEFT JOIN tokens t ON t.id = r.updated_by
            WHERE r.event_id = @eventId AND r.id = @id
            """;
        var row = await connection.QuerySingleOrDefaultAsync<AuthorshipRow>(sql, new { eventId, id }, transaction);
        return row is null
            ? null
            : new ResultRules.Authorship(row.Revision, row.RecordedBy, row.RecorderOrganization, row.InitiatorOrganization,
                row.ResponderOrganization, row.InitiatorOrganizationKey, row.ResponderOrganizationKey);
    }

    /// <summary>Sets the review of the result's current revision: confirmed, or disputed with a reason.</summary>
    /// <remarks>The case's review counts in the tallies follow, in the same transaction.</remarks>
    public static async Task ReviewAsync(SqliteConnection connection, SqliteTransaction transaction, long id, string status,
        string? reason, long by)
    {
        var before = await connection.QuerySingleAsync<ReviewedRow>(
            "SELECT event_id AS EventId, case_id AS CaseId, status FROM results WHERE id = @id", new { id }, transaction);
        await connection.ExecuteAsync(
            "UPDATE results SET status = @status, status_reason = @reason, status_at = @at, status_by = @by WHERE id = @id",
            new { id, status, reason, at = Storage.Clock.Now(), by }, transaction);
        using var tallies = new TallyChanges(connection);
        tallies.Status(before.EventId, before.CaseId, before.Status, status);
        tallies.Apply();
    }

    private sealed record ReviewedRow
    {
        public long EventId { get; init; }
        public long CaseId { get; init; }
        public string Status { get; init; } = "";
    }
}
