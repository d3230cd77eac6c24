using System.Data.Common;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>
/// A PostgreSQL database that several instances of the process share. Connections come from one pooled data source;
/// the files kept beside the database (evidence) live under the content root's data folder, which the instances share.
/// </summary>
public sealed class PostgresDatabase : Database
{
    public PostgresDatabase(string connectionString, string dataFolder)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // Which instance holds a connection shows in pg_stat_activity.
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "InteropTracker";
        // A unique violation's detail ("Key (key)=(acme) already exists.") is how ConflictHandler names the taken column;
        // Npgsql redacts it unless asked. The values in it are never sent to the client.
        builder.IncludeErrorDetail = true;
        // A connection goes back to the pool as it is, rather than reset by a DISCARD ALL before its next use, which would
        // also throw away the plans the server keeps for the connection (append_result's statements, and the statements
        // the engine prepares): they would be planned again on every request. Nothing here leaves state on a session
        // beyond its use: transactions end, temporary tables drop on commit, session advisory locks are given back
        // (InstanceLock, Migrations), settings are only ever set per transaction, and the change feed's listener
        // stops listening before its connection goes back. An operator's explicit No Reset On Close stands.
        if (!Sets(connectionString, "No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        ConnectionString = builder.ConnectionString;
        DataFolder = dataFolder;
        Source = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Whether a connection string names a PostgreSQL server (Host= or Server=) rather than a SQLite file.</summary>
    public static bool Names(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return false;
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return builder.ContainsKey("Host") || builder.ContainsKey("Server");
    }

    /// <summary>Whether the connection string itself sets one of these keywords (a typed builder knows them all).</summary>
    private static bool Sets(string connectionString, params string[] keywords)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keywords.Any(builder.ContainsKey);
    }

    public NpgsqlDataSource Source { get; }

    public override string ConnectionString { get; }

    public override DatabaseKind Kind => DatabaseKind.Postgres;

    public override string DataFolder { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await Source.OpenConnectionAsync(ct);

    public override DbConnection Open() => Source.OpenConnection();
}
