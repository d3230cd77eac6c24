using System.Reflection;
using Dapper;

namespace InteropTracker.Storage;

/// <summary>Applies the numbered SQL files of db/migrations (embedded in the assembly) in order, each once, each in a transaction.</summary>
public static class Migrations
{
    public static IReadOnlyList<string> Available() =>
        typeof(Migrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n["migrations/".Length..^".sql".Length])
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <returns>The names of the migrations this call applied.</returns>
    public static IReadOnlyList<string> Apply(Database database)
    {
        using var connection = database.Open();
        connection.Execute("PRAGMA journal_mode = WAL;");
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        var done = connection.Query<string>("SELECT name FROM schema_migrations").ToHashSet();
        var applied = new List<string>();
        foreach (var name in Available().Where(n => !done.Contains(n)))
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(Read(name), transaction: transaction);
            connection.Execute("INSERT INTO schema_migrations (name, applied_at) VALUES (@name, @at)",
                new { name, at = Clock.Now() }, transaction);
            transaction.Commit();
            applied.Add(name);
        }
        return applied;
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"migrations/{name}.sql")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
