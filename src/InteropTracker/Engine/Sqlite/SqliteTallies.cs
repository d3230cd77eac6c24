using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Reads the tallies that <see cref="TallyChanges"/> keeps, on a connection of its own per read, or inside the read
/// transaction it was given.
/// </summary>
public sealed class SqliteTallies(SqliteDatabase database, SqliteTransaction? snapshot) : ITallies
{
    public Task<IReadOnlyList<CellCount>> PairsAsync(long eventId, IReadOnlyCollection<long> planIds) =>
        Read<IReadOnlyList<CellCount>>((connection, transaction) =>
        {
            var counts = new List<CellCount>();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                SELECT initiator_id, responder_id, pass, fail, na, blocked
                FROM pair_tallies
                WHERE event_id = $event AND plan_id = $plan
                """;
            command.Parameters.AddWithValue("$event", eventId);
            var plan = command.Parameters.Add("$plan", SqliteType.Integer);
            foreach (var planId in planIds)
            {
                plan.Value = planId;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var (initiator, responder) = (reader.GetInt64(0), reader.GetInt64(1));
                    for (var v = 0; v < 4; v++)
                        if (reader.GetInt64(2 + v) is var count and not 0)
                            counts.Add(new CellCount(initiator, responder, (Verdict)v, count));
                }
            }
            return counts;
        });

    public Task<IReadOnlyList<CellCount>> PairsOfCasesAsync(long eventId, IReadOnlyCollection<long> caseIds) =>
        Read<IReadOnlyList<CellCount>>((connection, transaction) =>
        {
            // Counted from the results of the cases, through the (event, case, …) index: no tally is kept per case and pair.
            const string sql = """
                SELECT initiator_id AS InitiatorId, responder_id AS ResponderId, verdict AS Verdict, count(*) AS Count
                FROM results
                WHERE event_id = @eventId AND case_id IN @caseIds AND retired_at IS NULL
                GROUP BY initiator_id, responder_id, verdict
                """;
            return connection.Query<CellRow>(sql, new { eventId, caseIds }, transaction)
                .Select(r => r.ToCount())
                .ToList();
        });

    public Task<IReadOnlyList<CaseTally>> CasesAsync(long eventId) =>
        Read<IReadOnlyList<CaseTally>>((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                SELECT case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs
                FROM case_tallies
                WHERE event_id = $event
                """;
            command.Parameters.AddWithValue("$event", eventId);
            var rows = new List<CaseTally>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
                rows.Add(new CaseTally(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
            return rows;
        });

    /// <summary>Counts the event's tallies again from its results that are not retired, in the caller's transaction.</summary>
    public static Task RecountAsync(SqliteConnection connection, SqliteTransaction transaction, long eventId) =>
        connection.ExecuteAsync("""
            DELETE FROM pair_tallies WHERE event_id = @eventId;
            DELETE FROM case_tallies WHERE event_id = @eventId;
            INSERT INTO pair_tallies (event_id, plan_id, initiator_id, responder_id, pass, fail, na, blocked)
            SELECT r.event_id, c.plan_id, r.initiator_id, r.responder_id, sum(r.verdict = 'pass'), sum(r.verdict = 'fail'),
                   sum(r.verdict = 'na'), sum(r.verdict = 'blocked')
            FROM results r JOIN test_cases c ON c.id = r.case_id
            WHERE r.event_id = @eventId AND r.retired_at IS NULL
            GROUP BY r.event_id, c.plan_id, r.initiator_id, r.responder_id;
            INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
            SELECT event_id, case_id, sum(verdict = 'pass'), sum(verdict = 'fail'), sum(verdict = 'na'), sum(verdict = 'blocked'),
                   sum(status = 'reported'), sum(status = 'confirmed'), sum(status = 'disputed'),
                   count(DISTINCT CASE WHEN verdict = 'pass'
                                       THEN min(initiator_id, responder_id) || ' ' || max(initiator_id, responder_id) END)
            FROM results
            WHERE event_id = @eventId AND retired_at IS NULL
            GROUP BY event_id, case_id;
            """, new { eventId }, transaction);

    public Task<IReadOnlyList<AttributeCount>> AttributesAsync(long eventId) =>
        Read(connection => SqliteAttributeTallies.Attributes(connection, snapshot, eventId, []));

    /// <summary>How many current results the event holds, from its case tallies.</summary>
    public static long Results(SqliteConnection connection, SqliteTransaction? transaction, long eventId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(sum(pass + fail + na + blocked), 0) FROM case_tallies WHERE event_id = $event";
        command.Parameters.AddWithValue("$event", eventId);
        return (long)command.ExecuteScalar()!;
    }

    // SQLite answers from its page cache without waiting: the reads run synchronously, as Microsoft.Data.Sqlite's async
    // calls would anyway.
    private Task<T> Read<T>(Func<SqliteConnection, T> read) => Read((connection, _) => read(connection));

    private Task<T> Read<T>(Func<SqliteConnection, SqliteTransaction?, T> read)
    {
        if (snapshot is not null) return Task.FromResult(read(snapshot.Connection!, snapshot));
        using var connection = database.OpenSqlite();
        return Task.FromResult(read(connection, null));
    }
}
