using System.Data.Common;
using Dapper;
using Npgsql;

namespace InteropTracker.Tests;

/// <summary>
/// Where a test's app keeps its data. By default a SQLite file (the fixture names it). When INTEROP_TEST_POSTGRES holds
/// the connection string of a PostgreSQL server's superuser (Host=…;Port=…;Username=postgres, as .ci/postgres prints
/// it), each test class gets a database of its own on that server, dropped when the class is done.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Variable = "INTEROP_TEST_POSTGRES";

    /// <summary>The server's superuser connection string when the suite runs on PostgreSQL, else null.</summary>
    public static string? PostgresServer => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    public static bool OnPostgres => PostgresServer is not null;

    private readonly string? _name;

    private TestDatabase(string? connectionString, string? name)
    {
        ConnectionString = connectionString;
        _name = name;
    }

    /// <summary>The PostgreSQL database's connection string, or null on SQLite.</summary>
    public string? ConnectionString { get; }

    /// <summary>The names of the tables of the database the connection is on, whichever the engine.</summary>
    public static IEnumerable<string> Tables(DbConnection connection) => connection.Query<string>(connection is NpgsqlConnection
        ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        : "SELECT name FROM sqlite_master WHERE type = 'table'");

    public static TestDatabase Create()
    {
        if (PostgresServer is not { } server) return new TestDatabase(null, null);
        var name = $"it_{Guid.NewGuid():N}";
        using (var admin = new NpgsqlConnection(server))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            create.ExecuteNonQuery();
        }
        return new TestDatabase(new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_name is null || PostgresServer is not { } server) return;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
