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

    public static bool PsqlAvailable() => Runs("psql");

    /// <summary>Whether pgbench is on PATH (Debian's postgresql-client): without it, the posts have no server ceiling beside them.</summary>
    public static bool PgbenchAvailable() => Runs("pgbench");

    private static bool Runs(string tool)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
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

    /// <summary>
    /// PostgreSQL's own rate for the app's write of a single result, without the app: pgbench's clients each calling
    /// append_result (the function the app calls, db/migrations/postgres/0009_append_result.sql) as fast as the server
    /// answers, each on a random cell of the event that has a result, with a random verdict, for the given time. Every
    /// call is one transaction, durable as the app's. Results per second, as pgbench reports them.
    /// </summary>
    public static double PgbenchAppendsPerSecond(string connectionString, string eventKey, int clients, TimeSpan duration, string work)
    {
        var cells = $"bench_cells_{Guid.NewGuid():N}";
        Execute(connectionString, $"""
            CREATE TABLE {cells} AS
            SELECT row_number() OVER (ORDER BY r.id) AS n, c.plan_id, r.case_id, r.initiator_id, r.responder_id, r.updated_by,
                   r.case_id::integer AS pair_high,
                   ((least(r.initiator_id, r.responder_id) * 100003 + greatest(r.initiator_id, r.responder_id)) % 2147483647)::integer AS pair_low
            FROM results r JOIN test_cases c ON c.id = r.case_id JOIN events e ON e.id = r.event_id
            WHERE e.key = '{eventKey}' AND r.retired_at IS NULL;
            CREATE UNIQUE INDEX ON {cells} (n);
            """);
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var read = new NpgsqlCommand($"SELECT e.id, e.updated_at, (SELECT count(*) FROM {cells}) FROM events e WHERE e.key = '{eventKey}'", connection);
            using var reader = read.ExecuteReader();
            reader.Read();
            var (eventId, stamp, count) = (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2));
            // The pair's lock keys are the bench's own, the same for both directions of a pair: the app is idle meanwhile.
            var script = Path.Combine(work, "append.pgbench");
            File.WriteAllText(script, $"""
                \set n random(1, {count})
                \set v random(1, 4)
                SELECT (append_result({eventId}, '{stamp}', p.plan_id, p.case_id, p.initiator_id, p.responder_id,
                        (ARRAY['pass', 'fail', 'na', 'blocked'])[:v], 'pgbench', NULL, '{DateTime.UtcNow:O}', p.updated_by, NULL, NULL,
                        p.pair_high, p.pair_low)).result_id
                FROM {cells} p WHERE p.n = :n;

                """);
            var cs = new NpgsqlConnectionStringBuilder(connectionString);
            var start = new ProcessStartInfo("pgbench") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[]
                     {
                         "-n", "-M", "prepared", "-c", clients.ToString(), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(),
                         "-T", ((int)duration.TotalSeconds).ToString(), "-f", script, "-h", cs.Host!, "-p", cs.Port.ToString(), "-U", cs.Username!,
                         cs.Database!,
                     })
                start.ArgumentList.Add(argument);
            if (cs.Password is { Length: > 0 } password) start.Environment["PGPASSWORD"] = password;
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var tps = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal));
            if (process.ExitCode != 0 || tps is null) throw new InvalidOperationException($"pgbench failed: {error.Result}{output}");
            return double.Parse(tps["tps = ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            Execute(connectionString, $"DROP TABLE {cells}");
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
