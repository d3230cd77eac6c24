using System.Reflection;
using Dapper;

namespace InteropTracker.Storage;

/// <summary>
/// Applies the numbered SQL files of db/migrations (embedded in the assembly) in order, each once, each in a transaction.
/// A migration that has landed is never edited or renamed (a database that ran it would not run it again, or would
/// fail on it): a change to the schema is a new number. MigrationTests pins each file by its SHA-256.
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<string> Available() =>
        typeof(Migrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n["migrations/".Length..^".sql".Length])
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <returns>The names of the migrations this call applied.</returns>
    /// <remarks>
    /// Foreign keys are off while migrations run, so that one may rebuild a table others refer to (create the new
    /// table, copy, drop the old one, rename: SQLite's way of changing a table), and checked before each commits.
    /// </remarks>
    public static IReadOnlyList<string> Apply(Database database)
    {
        using var connection = database.Open();
        connection.Execute("PRAGMA journal_mode = WAL;");
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        var done = connection.Query<string>("SELECT name FROM schema_migrations").ToHashSet();
        var applied = new List<string>();
        connection.Execute("PRAGMA foreign_keys = OFF;");
        try
        {
            foreach (var name in Available().Where(n => !done.Contains(n)))
            {
                using var transaction = connection.BeginTransaction();
                connection.Execute(Read(name), transaction: transaction);
                if (connection.Query("PRAGMA foreign_key_check", transaction: transaction).Any())
                    throw new InvalidOperationException($"Migration {name} leaves rows whose foreign keys refer to nothing.");
                connection.Execute("INSERT INTO schema_migrations (name, applied_at) VALUES (@name, @at)",
                    new { name, at = Clock.Now() }, transaction);
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

    public static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"migrations/{name}.sql")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
