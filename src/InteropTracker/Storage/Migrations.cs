using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

/// <summary>
/// Applies the numbered SQL files of db/migrations (embedded in the assembly) in order, each once, each in a transaction:
/// db/migrations for the embedded default (SQLite), db/migrations/postgres for PostgreSQL, the same numbers in both, each
/// number the same change in its engine's idiom. A migration that has landed is never edited or renamed (a database that
/// ran it would not run it again, or would fail on it): a change to the schema is a new number, in both folders.
/// MigrationTests pins each file by its SHA-256.
/// </summary>
public static class Migrations
{
    private static string Folder(DatabaseKind kind) => kind == DatabaseKind.Postgres ? "postgres" : "sqlite";

    public static IReadOnlyList<string> Available(DatabaseKind kind = DatabaseKind.Sqlite)
    {
        var prefix = $"migrations/{Folder(kind)}/";
        return typeof(Migrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n[prefix.Length..^".sql".Length])
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <returns>The names of the migrations this call applied.</returns>
    public static IReadOnlyList<string> Apply(Database database) => database switch
    {
        SqliteDatabase sqlite => ApplySqlite(sqlite),
        _ => ApplyPostgres(database),
    };

    /// <remarks>
    /// Foreign keys are off while migrations run, so that one may rebuild a table others refer to (create the new
    /// table, copy, drop the old one, rename: SQLite's way of changing a table), and checked before each commits.
    /// </remarks>
    private static IReadOnlyList<string> ApplySqlite(SqliteDatabase database)
    {
        using var connection = database.OpenSqlite();
        connection.Execute("PRAGMA journal_mode = WAL;");
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        var done = connection.Query<string>("SELECT name FROM schema_migrations").ToHashSet();
        var applied = new List<string>();
        connection.Execute("PRAGMA foreign_keys = OFF;");
        try
        {
            foreach (var name in Available(DatabaseKind.Sqlite).Where(n => !done.Contains(n)))
            {
                using var transaction = connection.BeginTransaction();
                connection.Execute(Read(DatabaseKind.Sqlite, name), transaction: transaction);
                if (connection.Query("PRAGMA foreign_key_check", transaction: transaction).Any())
                    throw new InvalidOperationException($"Migration {name} leaves rows whose foreign keys refer to nothing.");
                Record(connection, transaction, name);
                transaction.Commit();
                applied.Add(name);
            }
        }
        finally
        {
            connection.Execute("PRAGMA foreign_keys = ON;");
        }
        return applied;
    }

    /// <summary>The session-level advisory lock instances hold while they migrate (pg_advisory_lock's key).</summary>
    public const long MigrationLock = 0x496E_7465_726F_7000; // "Interop" + 0

    /// <remarks>
    /// Instances starting together all come here: the first to take the advisory lock migrates, the others wait for it
    /// and then find nothing left to apply.
    /// </remarks>
    private static IReadOnlyList<string> ApplyPostgres(Database database)
    {
        using var connection = database.Open();
        connection.Execute("SELECT pg_advisory_lock(@key)", new { key = MigrationLock });
        try
        {
            connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
            var done = connection.Query<string>("SELECT name FROM schema_migrations").ToHashSet();
            var applied = new List<string>();
            foreach (var name in Available(DatabaseKind.Postgres).Where(n => !done.Contains(n)))
            {
                using var transaction = connection.BeginTransaction();
                connection.Execute(Read(DatabaseKind.Postgres, name), transaction: transaction);
                Record(connection, transaction, name);
                transaction.Commit();
                applied.Add(name);
            }
            return applied;
        }
        finally
        {
            connection.Execute("SELECT pg_advisory_unlock(@key)", new { key = MigrationLock });
        }
    }

    private static void Record(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string name) =>
        connection.Execute("INSERT INTO schema_migrations (name, applied_at) VALUES (@name, @at)",
            new { name, at = Clock.Now() }, transaction);

    public static string Read(DatabaseKind kind, string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"migrations/{Folder(kind)}/{name}.sql")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
