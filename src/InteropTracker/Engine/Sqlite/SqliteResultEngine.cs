using System.Data.Common;
using Dapper;
using InteropTracker.Storage;
using InteropTracker.Core;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// The result engine on SQLite. A single result joins the next shared commit (<see cref="GroupCommit"/>), where one
/// <see cref="ResultWriter"/> with its statements prepared serves batch after batch; an import gets a connection of its
/// own with foreign keys off (every id it writes was resolved from the planning its transaction holds still) and a
/// bulk <see cref="ResultWriter"/>; a review is one short transaction. Each keeps the tallies in the transaction of
/// its write (<see cref="TallyChanges"/>).
/// </summary>
public sealed class SqliteResultEngine(SqliteDatabase database, ILogger<GroupCommit> logger) : IResultEngine, IAsyncDisposable
{
    private readonly GroupCommit _commits = new(database, logger);

    public async Task<Appended?> AppendAsync(VerdictWrite result, string eventStamp) =>
        await _commits.WriteAsync(batch =>
            batch.OncePerBatch((c, t) => new EventStamps(c, t)).IsCurrent(result.EventId, eventStamp)
                ? batch.OncePerConnection(c => new ResultWriter(c)).Record(result)
                : (Appended?)null);

    public async Task<IResultImport?> BeginImportAsync(long eventId, string eventStamp, int expectedRows, CancellationToken ct)
    {
        var connection = await database.OpenSqliteAsync(ct);
        ForeignKeys? checks = null;
        SqliteTransaction? transaction = null;
        try
        {
            checks = await ForeignKeys.OffAsync(connection);
            transaction = connection.BeginTransaction();
            if (new EventStamps(connection, transaction).IsCurrent(eventId, eventStamp))
                return new SqliteImport(connection, checks, transaction, eventId, expectedRows);
        }
        catch
        {
            await Release(connection, checks, transaction);
            throw;
        }
        await Release(connection, checks, transaction);
        return null;
    }

    internal static async Task Release(SqliteConnection connection, ForeignKeys? checks, SqliteTransaction? transaction)
    {
        if (transaction is not null) await transaction.DisposeAsync();
        if (checks is not null) await checks.DisposeAsync();
        await connection.DisposeAsync();
    }

    /// <remarks>
    /// A correction is rare and may touch any number of cells, so rather than adjusting the tallies cell by cell the
    /// event's tallies are counted again from its results in the same transaction. A result moving to a cell where a
    /// retired result already sits (a plan re-pinned back to a version it had before) trades places with it, so
    /// that each cell keeps one row; foreign keys are checked at commit while they trade.
    /// </remarks>
    public async Task<bool> RetireAsync(Retirement retirement, string eventStamp, DbTransaction transaction)
    {
        if (transaction is not SqliteTransaction { Connection: { } connection } sqlite)
            throw new ArgumentException("A correction on the SQLite engine runs in a transaction on its database.", nameof(transaction));
        if (!new EventStamps(connection, sqlite).IsCurrent(retirement.EventId, eventStamp)) return false;

        var at = Clock.Now();
        foreach (var ids in retirement.Retire.Chunk(500))
            await connection.ExecuteAsync(
                "UPDATE results SET retired_at = @at, retired_by = @By WHERE event_id = @EventId AND id IN @ids AND retired_at IS NULL",
                new { at, retirement.By, retirement.EventId, ids }, sqlite);
        foreach (var move in retirement.Moves)
        {
            var occupant = await connection.QuerySingleOrDefaultAsync<long?>("""
                SELECT o.id FROM results m JOIN results o
                    ON o.event_id = m.event_id AND o.case_id = @ToCaseId AND o.initiator_id = m.initiator_id
                       AND o.responder_id = m.responder_id
                WHERE m.id = @ResultId AND o.retired_at IS NOT NULL
                """, move, sqlite);
            if (occupant is { } retired)
            {
                // Case 0 is no case: the moving result steps aside while the retired one takes its old case.
                await connection.ExecuteAsync("PRAGMA defer_foreign_keys = ON", transaction: sqlite);
                var from = await connection.ExecuteScalarAsync<long>("SELECT case_id FROM results WHERE id = @ResultId", move, sqlite);
                await connection.ExecuteAsync("""
                    UPDATE results SET case_id = 0 WHERE id = @ResultId;
                    UPDATE results SET case_id = @from WHERE id = @retired;
                    """, new { move.ResultId, from, retired }, sqlite);
            }
            await connection.ExecuteAsync("UPDATE results SET case_id = @ToCaseId WHERE id = @ResultId", move, sqlite);
        }
        await SqliteTallies.RecountAsync(connection, sqlite, retirement.EventId);
        return true;
    }

    public async Task<ReviewOutcome> ReviewAsync(ResultReview review, string eventStamp, AuditEntry audit)
    {
        await using var connection = await database.OpenSqliteAsync();
        await using var transaction = connection.BeginTransaction();
        if (!new EventStamps(connection, transaction).IsCurrent(review.EventId, eventStamp)) return ReviewOutcome.EventChanged;
        var before = await connection.QuerySingleOrDefaultAsync<ReviewedRow>(
            "SELECT case_id AS CaseId, revision, status FROM results WHERE id = @ResultId AND event_id = @EventId AND retired_at IS NULL",
            review, transaction);
        if (before is null || before.Revision != review.Revision) return ReviewOutcome.ResultChanged;

        await connection.ExecuteAsync(
            "UPDATE results SET status = @Status, status_reason = @Reason, status_at = @at, status_by = @By WHERE id = @ResultId",
            new { review.ResultId, review.Status, review.Reason, at = Clock.Now(), review.By }, transaction);
        using (var tallies = new TallyChanges(connection))
        {
            tallies.Status(review.EventId, before.CaseId, before.Status, review.Status);
            tallies.Apply();
        }
        await Audit.RecordAsync(connection, transaction, audit.By, audit.Action, audit.Subject, audit.EventId, audit.Before, audit.After);
        transaction.Commit();
        return ReviewOutcome.Reviewed;
    }

    /// <remarks>
    /// A new result takes the next id of results, a revision moves the one it replaces to result_revisions under the
    /// next id there, and ids only grow (nothing is deleted), so their sum grows with every write: two looks at the end
    /// of an index.
    /// </remarks>
    public async Task<long> ResultsVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenSqliteAsync(ct);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT (SELECT coalesce(max(id), 0) FROM results) + (SELECT coalesce(max(id), 0) FROM result_revisions)");
    }

    public void ReadVerdicts(long eventId, VerdictVisitor visit) => VerdictScan.Read(database, eventId, visit);

    public ITallies Tallies(DbTransaction? snapshot = null) => snapshot switch
    {
        null => new SqliteTallies(database, null),
        SqliteTransaction sqlite => new SqliteTallies(database, sqlite),
        _ => throw new ArgumentException("A snapshot of the SQLite engine is a transaction on its database.", nameof(snapshot)),
    };

    public ITallies Tallies(IReadOnlyList<KeyValuePair<string, string>> attributes) =>
        attributes.Count == 0 ? new SqliteTallies(database, null) : new SqliteAttributeTallies(database, attributes);

    public ValueTask DisposeAsync() => _commits.DisposeAsync();
}

/// <summary>An import's transaction, on a connection of its own with foreign keys off, written through a bulk <see cref="ResultWriter"/>.</summary>
internal sealed class SqliteImport : IResultImport
{
    private readonly SqliteConnection _connection;
    private readonly ForeignKeys _checks;
    private readonly SqliteTransaction _transaction;
    private readonly ResultWriter _writer;

    public SqliteImport(SqliteConnection connection, ForeignKeys checks, SqliteTransaction transaction, long eventId, int expectedRows)
    {
        (_connection, _checks, _transaction) = (connection, checks, transaction);
        _writer = new ResultWriter(connection, transaction);
        // Preloading the event's current results pays when they are few beside the rows to write, not when a small
        // file goes into a big event.
        var stored = SqliteTallies.Results(connection, transaction, eventId);
        _writer.BeginBulk(eventId, expectedRows, preload: stored <= 2L * expectedRows, stored);
    }

    public int Created { get; private set; }
    public int Revised { get; private set; }

    public void Write(in VerdictWrite result)
    {
        if (_writer.Record(result).Revision == 1) Created++;
        else Revised++;
    }

    public async Task CommitAsync(AuditEntry audit)
    {
        _writer.Flush();
        await Audit.RecordAsync(_connection, _transaction, audit.By, audit.Action, audit.Subject, audit.EventId, audit.Before, audit.After);
        // The writer puts the connection back as it found it inside the transaction, its statements tied to it.
        ReleaseWriter();
        _transaction.Commit();
    }

    private bool _writerReleased;

    private void ReleaseWriter()
    {
        if (_writerReleased) return;
        _writerReleased = true;
        _writer.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseWriter();
        await SqliteResultEngine.Release(_connection, _checks, _transaction);
        // The bulk write's page cache is freed by now: its pages go back to the system, not to a thread's arena.
        NativeHeap.GiveBack();
    }
}
