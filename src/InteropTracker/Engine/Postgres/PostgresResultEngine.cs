using System.Data.Common;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using Npgsql;
using NpgsqlTypes;

namespace InteropTracker.Engine.Postgres;

/// <summary>
/// The result engine on PostgreSQL, which several instances share. Every request is one transaction of its own, and
/// PostgreSQL groups the commits of concurrent ones itself. A write holds its event (shared) while it checks the
/// event's stamp and writes: a change to the event, which takes it exclusively (the trigger on events in
/// db/migrations/postgres/0001_initial.sql), waits for the writes in flight, and the writes after it see its new stamp.
/// A write locks the cell it writes and adjusts the tallies by upsert, always the pair's row before the case's, so that
/// concurrent writers wait for each other rather than deadlock; should PostgreSQL still find a deadlock or a
/// serialization failure, the whole request's transaction runs again. An import copies its rows into a temporary table
/// and moves them into place with a few set-based statements (<see cref="PostgresImport"/>).
/// </summary>
/// <remarks>
/// Locks, in the order they are taken: the event (transaction-scoped advisory locks, which queue fairly: single writes
/// and reviews share it; an import, a correction and any change to the event's row hold it alone, so that an import
/// may adjust the event's tallies set-based without racing other writes), then a write's unordered pair of a case (an
/// advisory lock too: whether the pair gains or loses a pass depends on the reverse cell, which may have no row to
/// lock), the cell's result, the pair's tally, the case's tally.
/// </remarks>
public sealed class PostgresResultEngine(PostgresDatabase database, ChangeFeed feed, IConfiguration configuration,
    ILogger<PostgresResultEngine> logger) : IResultEngine, IAsyncDisposable
{
    /// <summary>How many times a request's transaction runs before a deadlock or serialization failure is its answer.</summary>
    internal const int MaxAttempts = 5;

    /// <summary>The setting that bounds how many single results this instance writes at once.</summary>
    public const string ConcurrentWritesSetting = "Interop:Postgres:ConcurrentWrites";

    /// <summary>
    /// Single results in flight on the server from this instance. A server runs as many writes at once as it has cores
    /// to run them on; more only queue inside it, on the same rows and the same log flush, at the cost of switching
    /// between their backends, so the requests beyond this many wait their turn here instead, without a connection.
    /// </summary>
    private readonly SemaphoreSlim _writers = new(ConcurrentWrites(configuration));

    internal static int ConcurrentWrites(IConfiguration configuration) =>
        configuration.GetValue<int?>(ConcurrentWritesSetting) is { } set
            ? set >= 1 ? set : throw new InvalidOperationException($"{ConcurrentWritesSetting} must be at least 1 (it is {set}).")
            : DefaultConcurrentWritesPerCore * Environment.ProcessorCount;

    /// <summary>Without the setting, an instance writes this many results at once per core of its machine.</summary>
    public const int DefaultConcurrentWritesPerCore = 8;

    public async Task<Appended?> AppendAsync(VerdictWrite result, string eventStamp)
    {
        await _writers.WaitAsync();
        try
        {
            return await RetryingAsync("append", () => AppendOnceAsync(result, eventStamp));
        }
        finally
        {
            _writers.Release();
        }
    }

    /// <remarks>
    /// One round trip: append_result (db/migrations/postgres/0009_append_result.sql) takes the locks, checks the stamp,
    /// writes the result and its history and adjusts the tallies, and being the only statement sent it is the request's
    /// whole transaction, so PostgreSQL groups its commit with the concurrent ones.
    /// </remarks>
    private async Task<Appended?> AppendOnceAsync(VerdictWrite write, string eventStamp)
    {
        var (lo, hi) = (Math.Min(write.InitiatorId, write.ResponderId), Math.Max(write.InitiatorId, write.ResponderId));
        var (keyHigh, keyLow) = PairLock(write.EventId, write.CaseId, lo, hi);
        await using var connection = await database.Source.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT result_id, result_revision FROM append_result($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            connection);
        command.Parameters.Add(Long(write.EventId));
        command.Parameters.Add(Text(eventStamp));
        command.Parameters.Add(Long(write.PlanId));
        command.Parameters.Add(Long(write.CaseId));
        command.Parameters.Add(Long(write.InitiatorId));
        command.Parameters.Add(Long(write.ResponderId));
        command.Parameters.Add(Text(write.Verdict.Name()));
        command.Parameters.Add(Text(write.Notes));
        command.Parameters.Add(Text(write.Issue));
        command.Parameters.Add(Text(write.RecordedAt));
        command.Parameters.Add(Long(write.RecordedBy));
        command.Parameters.Add(Text(write.Cause));
        command.Parameters.Add(Text(write.Attributes));
        command.Parameters.Add(Int(keyHigh));
        command.Parameters.Add(Int(keyLow));
        // Prepared once per pooled connection (which keeps it: PostgresDatabase): parsed and planned once, not per request.
        await command.PrepareAsync();
        long id, revision;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            if (await reader.IsDBNullAsync(0)) return null;
            (id, revision) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        database.WriteSucceeded();
        feed.CommittedThenAnnounce(Change.Results);
        return new Appended(id, revision);
    }

    internal const string CaseUpsert = """
        INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (event_id, case_id) DO UPDATE SET
            pass = case_tallies.pass + excluded.pass, fail = case_tallies.fail + excluded.fail,
            na = case_tallies.na + excluded.na, blocked = case_tallies.blocked + excluded.blocked,
            reported = case_tallies.reported + excluded.reported, confirmed = case_tallies.confirmed + excluded.confirmed,
            disputed = case_tallies.disputed + excluded.disputed, passing_pairs = case_tallies.passing_pairs + excluded.passing_pairs
        """;

    /// <summary>
    /// The advisory lock of a case's unordered pair of products in an event (the two-key form, a space apart from the
    /// features' single-key lock): the same numbers on every instance. Two pairs sharing a key only wait for each other.
    /// </summary>
    internal static (int High, int Low) PairLock(long eventId, long caseId, long lo, long hi)
    {
        var h = Mix(Mix(Mix(Mix(0x5052_4169_7273UL, eventId), caseId), lo), hi);
        return ((int)(h >> 32), (int)h);
    }

    private static ulong Mix(ulong h, long value)
    {
        // splitmix64's finaliser over the running hash and the next number.
        var z = h ^ (ulong)value;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (z ^ (z >> 31)) + 0x9E3779B97F4A7C15UL;
    }

    public async Task<IResultImport?> BeginImportAsync(long eventId, string eventStamp, int expectedRows, CancellationToken ct)
    {
        var connection = await database.Source.OpenConnectionAsync(ct);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(ct);
            if (await HoldEventAsync(connection, transaction, eventId, ct) == eventStamp)
                return new PostgresImport(connection, transaction, eventId, this, feed);
        }
        catch
        {
            if (transaction is not null) await transaction.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// The event's stamp, the event held until the transaction ends against every other engine write to it and every
    /// change to it (which wait); reads go on.
    /// </summary>
    private static async Task<string?> HoldEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long eventId,
        CancellationToken ct = default)
    {
        await connection.ExecuteAsync(new CommandDefinition($"SELECT pg_advisory_xact_lock({EventLockClass}, @key)",
            new { key = EventLock(eventId) }, transaction, cancellationToken: ct));
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT updated_at FROM events WHERE id = @eventId", new { eventId }, transaction, cancellationToken: ct));
    }

    /// <summary>The first key of an event's advisory lock ("EVNT"), as the trigger on events takes it.</summary>
    internal const int EventLockClass = 1163284052;

    /// <summary>The second key of an event's advisory lock, as the trigger on events computes it.</summary>
    internal static int EventLock(long eventId) => (int)(eventId % int.MaxValue);

    /// <remarks>
    /// A correction is rare and may touch any number of cells, so rather than adjusting the tallies cell by cell the
    /// event's tallies are counted again from its results, in the caller's transaction, which holds the event against
    /// every other write to it. A result moving to a cell where a retired result already sits (a plan re-pinned
    /// back to a version it had before) trades places with it in one statement: the results' cell constraint is checked
    /// at the end of each statement (DEFERRABLE), so that each cell keeps one row. The other instances hear of the change
    /// when the caller commits; this one when its own listener does.
    /// </remarks>
    public async Task<bool> RetireAsync(Retirement retirement, string eventStamp, DbTransaction transaction)
    {
        if (transaction is not NpgsqlTransaction { Connection: { } connection } postgres)
            throw new ArgumentException("A correction on the PostgreSQL engine runs in a transaction on its database.", nameof(transaction));
        if (await HoldEventAsync(connection, postgres, retirement.EventId) != eventStamp) return false;

        if (retirement.Retire.Count > 0)
            await connection.ExecuteAsync("""
                UPDATE results SET retired_at = @at, retired_by = @By
                WHERE event_id = @EventId AND id = ANY(@ids) AND retired_at IS NULL
                """, new { at = Clock.Now(), retirement.By, retirement.EventId, ids = retirement.Retire.ToArray() }, postgres);
        foreach (var move in retirement.Moves)
            await connection.ExecuteAsync("""
                UPDATE results r
                SET case_id = CASE WHEN r.id = m.id THEN @ToCaseId ELSE m.case_id END
                FROM results m
                WHERE m.id = @ResultId
                  AND (r.id = m.id
                       OR (r.event_id = m.event_id AND r.case_id = @ToCaseId AND r.initiator_id = m.initiator_id
                           AND r.responder_id = m.responder_id AND r.retired_at IS NOT NULL))
                """, move, postgres);
        await RecountAsync(connection, postgres, retirement.EventId);
        await feed.AnnounceAsync(connection, postgres, Change.Results);
        return true;
    }

    /// <summary>Counts the event's tallies again from its results that are not retired, in the caller's transaction.</summary>
    internal static Task RecountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long eventId) =>
        connection.ExecuteAsync("""
            DELETE FROM pair_tallies WHERE event_id = @eventId;
            DELETE FROM case_tallies WHERE event_id = @eventId;
            INSERT INTO pair_tallies (event_id, plan_id, initiator_id, responder_id, pass, fail, na, blocked)
            SELECT r.event_id, c.plan_id, r.initiator_id, r.responder_id,
                   count(*) FILTER (WHERE r.verdict = 'pass'), count(*) FILTER (WHERE r.verdict = 'fail'),
                   count(*) FILTER (WHERE r.verdict = 'na'), count(*) FILTER (WHERE r.verdict = 'blocked')
            FROM results r JOIN test_cases c ON c.id = r.case_id
            WHERE r.event_id = @eventId AND r.retired_at IS NULL
            GROUP BY r.event_id, c.plan_id, r.initiator_id, r.responder_id
            ORDER BY c.plan_id, r.initiator_id, r.responder_id;
            INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
            SELECT event_id, case_id,
                   count(*) FILTER (WHERE verdict = 'pass'), count(*) FILTER (WHERE verdict = 'fail'),
                   count(*) FILTER (WHERE verdict = 'na'), count(*) FILTER (WHERE verdict = 'blocked'),
                   count(*) FILTER (WHERE status = 'reported'), count(*) FILTER (WHERE status = 'confirmed'),
                   count(*) FILTER (WHERE status = 'disputed'),
                   count(DISTINCT (least(initiator_id, responder_id), greatest(initiator_id, responder_id)))
                       FILTER (WHERE verdict = 'pass')
            FROM results
            WHERE event_id = @eventId AND retired_at IS NULL
            GROUP BY event_id, case_id
            ORDER BY case_id;
            """, new { eventId }, transaction, commandTimeout: 600);

    public Task<ReviewOutcome> ReviewAsync(ResultReview review, string eventStamp, AuditEntry audit) =>
        RetryingAsync("review", () => ReviewOnceAsync(review, eventStamp, audit));

    private async Task<ReviewOutcome> ReviewOnceAsync(ResultReview review, string eventStamp, AuditEntry audit)
    {
        await using var connection = await database.Source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync($"SELECT pg_advisory_xact_lock_shared({EventLockClass}, @key)",
            new { key = EventLock(review.EventId) }, transaction);
        var stamp = await connection.ExecuteScalarAsync<string?>("SELECT updated_at FROM events WHERE id = @EventId", review, transaction);
        if (stamp != eventStamp) return ReviewOutcome.EventChanged;
        var before = await connection.QuerySingleOrDefaultAsync<ReviewedRow>("""
            SELECT case_id AS CaseId, revision, status FROM results
            WHERE id = @ResultId AND event_id = @EventId AND retired_at IS NULL
            FOR UPDATE
            """, review, transaction);
        if (before is null || before.Revision != review.Revision) return ReviewOutcome.ResultChanged;

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(Command("""
                UPDATE results SET status = $2, status_reason = $3, status_at = $4, status_by = $5 WHERE id = $1
                """, Long(review.ResultId), Text(review.Status), Text(review.Reason), Text(Clock.Now()), Long(review.By)));
            if (before.Status != review.Status)
            {
                long Delta(string status) => (status == review.Status ? 1 : 0) - (status == before.Status ? 1 : 0);
                batch.BatchCommands.Add(Command(CaseUpsert, Long(review.EventId), Long(before.CaseId), Long(0), Long(0), Long(0),
                    Long(0), Long(Delta("reported")), Long(Delta("confirmed")), Long(Delta("disputed")), Long(0)));
            }
            await batch.ExecuteNonQueryAsync();
        }
        await Audit.RecordAsync(connection, transaction, audit.By, audit.Action, audit.Subject, audit.EventId, audit.Before, audit.After);
        await transaction.CommitAsync();
        database.WriteSucceeded();
        return ReviewOutcome.Reviewed;
    }

    /// <remarks>
    /// Not the highest id of results: ids are taken before their transactions commit, which commit in any order, so a
    /// highest id read now may miss a result committed later under a lower one. Every transaction that changes a
    /// current verdict announces it on commit, and the change feed counts what this instance made and heard.
    /// </remarks>
    public Task<long> ResultsVersionAsync(CancellationToken ct = default) => Task.FromResult(feed.Version(Change.Results));

    public void ReadVerdicts(long eventId, VerdictVisitor visit)
    {
        using var connection = database.Source.OpenConnection();
        using var command = new NpgsqlCommand("""
            SELECT case_id, initiator_id, responder_id,
                   CASE verdict WHEN 'pass' THEN 0 WHEN 'fail' THEN 1 WHEN 'na' THEN 2 ELSE 3 END
            FROM results
            WHERE event_id = $1 AND retired_at IS NULL
            ORDER BY case_id, initiator_id, responder_id
            """, connection);
        command.Parameters.Add(Long(eventId));
        using var reader = command.ExecuteReader();
        while (reader.Read())
            visit(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), (Verdict)reader.GetInt32(3));
    }

    public ITallies Tallies(DbTransaction? snapshot = null) => snapshot switch
    {
        null => new PostgresTallies(database, null, []),
        NpgsqlTransaction postgres => new PostgresTallies(database, postgres, []),
        _ => throw new ArgumentException("A snapshot of the PostgreSQL engine is a transaction on its database.", nameof(snapshot)),
    };

    public ITallies Tallies(IReadOnlyList<KeyValuePair<string, string>> attributes) => new PostgresTallies(database, null, attributes);

    /// <summary>What a transaction that committed tells this instance and the database's health.</summary>
    internal void Committed(Change change)
    {
        database.WriteSucceeded();
        feed.Committed(change);
    }

    /// <summary>
    /// Runs a request's transaction, and again (on a new transaction) when PostgreSQL ended it for a deadlock or a
    /// serialization failure: nothing of it was kept, and the next run reads everything again.
    /// </summary>
    private async Task<T> RetryingAsync<T>(string what, Func<Task<T>> once)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await once();
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                              && attempt < MaxAttempts)
            {
                logger.LogInformation("A result {What} ran into {State} ({Message}); running it again (attempt {Attempt}).",
                    what, e.SqlState, e.MessageText, attempt + 1);
                await Task.Delay(Random.Shared.Next(1, 10 * attempt));
            }
        }
    }

    internal static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    internal static NpgsqlParameter Long(long value) => new NpgsqlParameter<long>() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Bigint };

    private static NpgsqlParameter Int(int value) => new NpgsqlParameter<int>() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Integer };

    internal static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
