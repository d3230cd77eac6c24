using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

/// <summary>The embedded default: one SQLite file. Every connection it opens has the same settings.</summary>
public sealed class SqliteDatabase : Database
{
    private readonly DbDataSource _source;

    public SqliteDatabase(string connectionString)
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
        _onCommit = Committed;
    }

    public override string ConnectionString { get; }

    public override DatabaseKind Kind => DatabaseKind.Sqlite;

    public override string DataFolder => Path.GetDirectoryName(Path.GetFullPath(DataFile))!;

    // What every connection runs once opened: synchronous=FULL, so that an acknowledged write survives power loss (WAL
    // itself is set once, persistently), and the size cap when there is one. One command, written when the cap changes.
    private volatile string _setup = "PRAGMA synchronous = FULL;";
    private long? _maxPageCount;
    private bool _everCapped;

    /// <summary>
    /// A cap on the database's size, in pages, for every connection opened from now on (null: SQLite's own, about four
    /// billion). Past it a write is refused as if the disk were full (SQLITE_FULL), which is how tests run out of space
    /// on purpose and deterministically.
    /// </summary>
    public long? MaxPageCount
    {
        get => _maxPageCount;
        set
        {
            _maxPageCount = value;
            _everCapped |= value is not null;
            _setup = $"PRAGMA synchronous = FULL; {SizeCap}";
        }
    }

    /// <summary>The pragma that puts <see cref="MaxPageCount"/> on a connection ("" until a cap was ever set).</summary>
    /// <remarks>Pooled connections keep the last cap they were given: once lifted, it is lifted on each, not left out.</remarks>
    public string SizeCap => _maxPageCount is { } pages ? $"PRAGMA max_page_count = {pages};"
        : _everCapped ? "PRAGMA max_page_count = 4294967294;" : "";

    /// <summary>A write is being committed: whatever space ran out is back (a commit that still fails sets it again).</summary>
    private int Committed(object _)
    {
        WriteSucceeded();
        return 0;
    }

    // Held by the instance so that the hook SQLite calls is not collected.
    private readonly SQLitePCL.delegate_commit _onCommit;

    /// <summary>The database file, for tools (backups, the benchmark's sqlite3 baselines).</summary>
    public string DataFile { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await OpenSqliteAsync(ct);

    public override DbConnection Open() => OpenSqlite();

    public async Task<SqliteConnection> OpenSqliteAsync(CancellationToken ct = default)
    {
        var connection = (SqliteConnection)await _source.OpenConnectionAsync(ct);
        using var pragma = Prepare(connection);
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public SqliteConnection OpenSqlite()
    {
        var connection = (SqliteConnection)_source.OpenConnection();
        using var pragma = Prepare(connection);
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Lets the connection's commits clear <see cref="NotWritable"/>: every connection that writes needs it.</summary>
    public void HookCommits(SqliteConnection connection) => SQLitePCL.raw.sqlite3_commit_hook(connection.Handle, _onCommit, null);

    /// <summary>Hooks the connection's commits and returns the command of its settings, to run.</summary>
    private SqliteCommand Prepare(SqliteConnection connection)
    {
        HookCommits(connection);
        var pragma = connection.CreateCommand();
        pragma.CommandText = _setup;
        return pragma;
    }
}
