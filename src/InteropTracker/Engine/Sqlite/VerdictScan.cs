using System.Runtime.CompilerServices;
using InteropTracker.Core;
using InteropTracker.Storage;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Every current result of an event, read once through the results' (event, case, initiator, responder) index with a
/// native statement: a data reader's per-row cost would be several times SQLite's own for rows of four numbers.
/// </summary>
internal static class VerdictScan
{
    // The verdict comes back as Verdict's number, so that a row costs no string.
    private const string Sql = """
        SELECT case_id, initiator_id, responder_id,
               CASE verdict WHEN 'pass' THEN 0 WHEN 'fail' THEN 1 WHEN 'na' THEN 2 ELSE 3 END
        FROM results
        WHERE event_id = ?1 AND retired_at IS NULL
        """;

    // Run once per event read, over up to millions of rows: compiled optimised straight away, not first as a quick tier.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Read(SqliteDatabase database, long eventId, VerdictVisitor visit)
    {
        using var connection = database.OpenSqlite();
        using var statement = new Statement(connection, Sql).Bind(1, eventId);
        while (statement.Row())
            visit(statement.Long(0), statement.Long(1), statement.Long(2), (Verdict)statement.Long(3));
    }
}
