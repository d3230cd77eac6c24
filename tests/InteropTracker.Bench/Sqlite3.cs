using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace InteropTracker.Bench;

/// <summary>The machine's own limits: the sqlite3 command-line shell doing the bare version of each job on the same files.</summary>
public static partial class Sqlite3
{
    public const string Executable = "sqlite3";

    public static bool Available()
    {
        try
        {
            return Run(":memory:", "SELECT 1;\n").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public sealed record Outcome(int ExitCode, string Output, string Error, double Seconds);

    /// <summary>Runs a script on a database file; the wall-clock time covers the whole process.</summary>
    public static Outcome Run(string database, string script, params string[] options)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var option in options) start.ArgumentList.Add(option);
        start.ArgumentList.Add(database);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        return new Outcome(process.ExitCode, output.Result, error.Result, seconds);
    }

    /// <summary>What starting the shell on this database costs, to subtract from wall-clock timings (median of 5).</summary>
    public static double StartupSeconds(string database) =>
        Median(Enumerable.Range(0, 5).Select(_ => Run(database, "SELECT 1;\n").Seconds));

    /// <summary>The time sqlite3 itself reports (`.timer on`) for each statement of the script, output discarded.</summary>
    public static IReadOnlyList<double> TimedQueries(string database, string sql, int runs)
    {
        var script = ".timer on\n.output /dev/null\n" + string.Concat(Enumerable.Repeat(sql.TrimEnd().TrimEnd(';') + ";\n", runs));
        var outcome = Run(database, script);
        if (outcome.ExitCode != 0) throw new InvalidOperationException($"sqlite3 failed: {outcome.Error}");
        return RunTime().Matches(outcome.Output)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();
    }

    /// <summary>`.import --csv` of a CSV file with a header row into a bare table of a fresh database: seconds.</summary>
    public static double ImportSeconds(string csvFile, string workDirectory)
    {
        var database = Path.Combine(workDirectory, $"baseline-import-{Guid.NewGuid():N}.db");
        try
        {
            var startup = StartupSeconds(database);
            var outcome = Run(database,
                "CREATE TABLE results (plan TEXT, \"case\" TEXT, initiator TEXT, responder TEXT, verdict TEXT, notes TEXT, issue TEXT);\n" +
                $".import --csv --skip 1 '{csvFile}' results\n");
            if (outcome.ExitCode != 0 || outcome.Error.Length > 0) throw new InvalidOperationException($"sqlite3 .import failed: {outcome.Error}");
            return Math.Max(outcome.Seconds - startup, 1e-6);
        }
        finally
        {
            foreach (var suffix in new[] { "", "-journal", "-wal", "-shm" }) File.Delete(database + suffix);
        }
    }

    /// <summary>`sqlite3 -csv` writing the rows of a query to a file: seconds, less the shell's start.</summary>
    public static double ExportSeconds(string database, string sql, string outputFile)
    {
        var startup = StartupSeconds(database);
        var outcome = Run(database, $".headers on\n.output '{outputFile}'\n{sql.TrimEnd().TrimEnd(';')};\n", "-csv");
        if (outcome.ExitCode != 0 || outcome.Error.Length > 0) throw new InvalidOperationException($"sqlite3 export failed: {outcome.Error}");
        return Math.Max(outcome.Seconds - startup, 1e-6);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    [GeneratedRegex(@"Run Time: real ([0-9.]+)")]
    private static partial Regex RunTime();
}
