using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

/// <summary>The app's one data source. Every connection it opens has the same SQLite settings.</summary>
public sealed class Database
{
    private readonly DbDataSource _source;

    public Database(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            DefaultTimeout = 30, // seconds Microsoft.Data.Sqlite keeps retrying a busy database
            Pooling = true,
        };
        ConnectionString = builder.ConnectionString;
        DataFile = builder.DataSource;
        _source = SqliteFactory.Instance.CreateDataSource(ConnectionString);
    }

    public string ConnectionString { get; }

    /// <summary>The database file, for tools (backups, the benchmark's sqlite3 baselines).</summary>
    public string DataFile { get; }

    public static Database FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        var cs = configuration.GetConnectionString("Interop");
        if (string.IsNullOrWhiteSpace(cs))
        {
            var dir = Path.Combine(environment.ContentRootPath, "data");
            cs = $"Data Source={Path.Combine(dir, "interop.db")}";
        }
        var file = new SqliteConnectionStringBuilder(cs).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        return new Database(cs);
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = (SqliteConnection)await _source.OpenConnectionAsync(ct);
        // synchronous=FULL: an acknowledged write survives power loss (WAL itself is set once, persistently).
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public SqliteConnection Open()
    {
        var connection = (SqliteConnection)_source.OpenConnection();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
