using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>
/// The two kinds of transaction features open, the same on both engines. A write runs alone among the features' writes:
/// SQLite has one writer at a time by nature (BEGIN IMMEDIATE), and on PostgreSQL a transaction-scoped advisory lock
/// gives the same, so a rule checked inside a write holds until it commits, whichever instance runs it. (Results are
/// written by the engine, which holds the event's row instead and does not wait for this lock.) A snapshot reads many
/// statements as of one moment: a report's figures and rows agree.
/// </summary>
public static class Transactions
{
    /// <summary>The advisory lock every feature write holds on PostgreSQL (pg_advisory_xact_lock's key).</summary>
    public const long FeatureWrites = 0x496E_7465_726F_7001; // "Interop" + 1

    public static DbTransaction BeginWrite(this DbConnection connection)
    {
        var transaction = connection.BeginTransaction();
        if (connection is NpgsqlConnection)
            connection.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = FeatureWrites }, transaction);
        return transaction;
    }

    public static async Task<DbTransaction> BeginWriteAsync(this DbConnection connection, CancellationToken ct = default)
    {
        var transaction = await connection.BeginTransactionAsync(ct);
        if (connection is NpgsqlConnection)
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = FeatureWrites },
                transaction, cancellationToken: ct));
        return transaction;
    }

    /// <summary>A read-only transaction whose statements all see the database as of its first read.</summary>
    public static DbTransaction BeginSnapshot(this DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => sqlite.BeginTransaction(deferred: true),
        _ => connection.BeginTransaction(IsolationLevel.RepeatableRead),
    };
}
