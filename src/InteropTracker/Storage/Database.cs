using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// The app's one data source: the embedded SQLite file by default, or a PostgreSQL database when the connection string
/// names a host (several instances of the process on one database). Features open connections here and speak SQL
/// both engines understand; what differs between them (transactions, migrations, the result engine) stays in Storage
/// and Engine.
/// </summary>
public abstract class Database
{
    public abstract string ConnectionString { get; }

    public abstract DatabaseKind Kind { get; }

    /// <summary>The folder the app keeps its files in beside the database (evidence, by default).</summary>
    public abstract string DataFolder { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken ct = default);

    public abstract DbConnection Open();

    private volatile string? _notWritable;

    /// <summary>
    /// Why the database is not writable (a write was refused for lack of space), or null. Set where that refusal becomes
    /// an answer (<see cref="DiskFullHandler"/>), cleared by the next write that commits; /healthz reports it.
    /// </summary>
    public string? NotWritable => _notWritable;

    public void RefusedForSpace(string why) => _notWritable = why;

    /// <summary>A write committed: whatever space ran out is back (a commit that still fails sets it again).</summary>
    public void WriteSucceeded()
    {
        if (_notWritable is not null) _notWritable = null;
    }

    /// <summary>
    /// ConnectionStrings:Interop: <c>Host=…</c> (Npgsql's keywords) selects PostgreSQL; anything else is a SQLite file,
    /// data/interop.db under the content root when nothing is set.
    /// </summary>
    public static Database FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        var cs = configuration.GetConnectionString("Interop");
        var dataFolder = Path.Combine(environment.ContentRootPath, "data");
        if (PostgresDatabase.Names(cs)) return new PostgresDatabase(cs!, dataFolder);
        if (string.IsNullOrWhiteSpace(cs)) cs = $"Data Source={Path.Combine(dataFolder, "interop.db")}";
        var file = new SqliteConnectionStringBuilder(cs).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        return new SqliteDatabase(cs);
    }
}
