using System.Data.Common;
using Dapper;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>
/// A lock held across the instances that share a PostgreSQL database, beyond any one transaction: for work that pairs a
/// database change with a change outside it (a file moved or removed) and must not interleave with the same work on
/// another instance. A session-level advisory lock on the connection, taken and given back explicitly (and given back
/// by PostgreSQL if the connection is lost). On SQLite there is one process, whose own in-process lock suffices.
/// </summary>
public static class InstanceLock
{
    /// <summary>Evidence files moved into place or removed (see Evidence/EvidenceFiles).</summary>
    public const long EvidencePlacing = 0x496E_7465_726F_7002; // "Interop" + 2

    /// <summary>Holds <paramref name="key"/> on <paramref name="connection"/> until the returned handle is disposed.</summary>
    public static async Task<IAsyncDisposable> HoldAsync(DbConnection connection, long key, CancellationToken ct = default)
    {
        if (connection is not NpgsqlConnection) return Released.Instance;
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key }, cancellationToken: ct));
        return new Held(connection, key);
    }

    private sealed class Held(DbConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // A broken connection has lost the lock with its session already.
            if (connection.State == System.Data.ConnectionState.Open)
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key });
        }
    }

    private sealed class Released : IAsyncDisposable
    {
        public static readonly Released Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
