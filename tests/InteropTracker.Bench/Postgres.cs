using System.Diagnostics;
using Npgsql;

namespace InteropTracker.Bench;

/// <summary>
/// The bench on PostgreSQL (--postgres "Host=…;Port=…;Username=…", a server's superuser or a role that may create
/// databases): the app runs on a fresh database of that server, and the bare version of each job is PostgreSQL's own
/// (psql \copy for an import, a plain GROUP BY for the matrix) on the same server.
/// </summary>
public sealed class Postgres(string server)
{
    /// <summary>Makes a fresh database on the server and returns its connection string.</summary>
    public string CreateDatabase(string name)
    {
        using (var admin = new NpgsqlConnection(server))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public void DropDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(server);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }

    public static bool PsqlAvailable()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("psql", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            process!.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// psql \copy of the CSV file into a bare table of the database (one text column per field, as sqlite3 .import
    /// gets), in seconds, psql's own start and connection (a `SELECT 1` run, median of five) subtracted.
    /// </summary>
    public static double CopySeconds(string connectionString, string csvFile)
    {
        var table = $"baseline_import_{Guid.NewGuid():N}";
        Execute(connectionString,
            $"CREATE TABLE {table} (plan TEXT, \"case\" TEXT, initiator TEXT, responder TEXT, verdict TEXT, notes TEXT, issue TEXT)");
        try
        {
            var startup = Sqlite3.Median(Enumerable.Range(0, 5).Select(_ => Psql(connectionString, "SELECT 1")));
            var seconds = Psql(connectionString, $"\\copy {table} FROM '{csvFile}' WITH (FORMAT csv, HEADER true)");
            return Math.Max(seconds - startup, 1e-6);
        }
        finally
        {
            Execute(connectionString, $"DROP TABLE {table}");
        }
    }

    /// <summary>Each run of the query, every row read, timed on the client around the statement alone.</summary>
    public static IReadOnlyList<double> TimedQueries(string connectionString, string sql, int runs)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        var times = new List<double>(runs);
        for (var r = 0; r < runs; r++)
        {
            var clock = Stopwatch.StartNew();
            using var command = new NpgsqlCommand(sql, connection);
            using var reader = command.ExecuteReader();
            while (reader.Read()) { }
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return times;
    }

    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Runs one psql command against the database and returns its wall time, in seconds.</summary>
    private static double Psql(string connectionString, string command)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", cs.Host!, "-p", cs.Port.ToString(), "-U", cs.Username!, "-d", cs.Database!,
                     "-c", command,
                 })
            start.ArgumentList.Add(argument);
        if (cs.Password is { Length: > 0 } password) start.Environment["PGPASSWORD"] = password;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"psql failed: {error.Result}");
        return seconds;
    }
}
