using InteropTracker.Bench;

// The benchmark: generates an interop programme through the app's own API, measures the app (a child process) and
// the sqlite3 shell doing the bare version of each job on the same files, and prints each figure as a ratio.
//   dotnet run -c Release --project tests/InteropTracker.Bench -- [--scale small|large] [--json PATH] [--keep]
//       [--only post_throughput,import_rate,matrix_latency,xlsx_export,import_memory,evidence_memory,history_diff,
//        event_page_mb,event_page_load_s] [--postgres "Host=…;Port=…;Username=…"]
//   --postgres (or INTEROP_BENCH_POSTGRES): the app runs on a fresh database of that PostgreSQL server, and the figures
//       are post_throughput, import_rate (against psql \copy), matrix_latency and two_instances (two servers, one database)
//   dotnet run -c Release --project tests/InteropTracker.Bench -- --schedule [--json PATH]    (the timetable's quality)

var scaleName = "small";
string? jsonPath = null;
var keep = false;
HashSet<string>? only = null;
var schedule = false;
var postgresServer = Environment.GetEnvironmentVariable("INTEROP_BENCH_POSTGRES") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--scale" when i + 1 < args.Length:
            scaleName = args[++i];
            break;
        case "--json" when i + 1 < args.Length:
            jsonPath = Path.GetFullPath(args[++i]);
            break;
        case "--keep":
            keep = true;
            break;
        case "--postgres" when i + 1 < args.Length:
            postgresServer = args[++i];
            break;
        case "--schedule":
            schedule = true;
            break;
        case "--only" when i + 1 < args.Length:
            only = args[++i].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            break;
        default:
            Console.Error.WriteLine("usage: InteropTracker.Bench [--scale small|large] [--json PATH] [--keep] [--only FIGURE,…] [--postgres CONNECTION] | --schedule [--json PATH]");
            return 2;
    }
}
if (schedule)
{
    var quality = await ScheduleBench.RunAsync();
    Console.WriteLine();
    Console.WriteLine(FigureTable.Format(quality, []));
    if (jsonPath is not null) await File.WriteAllTextAsync(jsonPath, FigureTable.Json(quality));
    return quality.All(f => f.Met) ? 0 : 1;
}
if (Scale.Named(scaleName) is not { } scale)
{
    Console.Error.WriteLine($"Unknown scale '{scaleName}': use small or large.");
    return 2;
}
if (postgresServer is not null && !Postgres.PsqlAvailable())
{
    Console.Error.WriteLine("psql is not on PATH (Debian: apt-get install -y postgresql-client); it measures the import baseline.");
    return 2;
}
if (postgresServer is null && !Sqlite3.Available())
{
    Console.Error.WriteLine("The sqlite3 shell is not on PATH (Debian: apt-get install -y sqlite3); it measures the baselines.");
    return 2;
}

var run = new BenchRun(scale, keep, only, postgresServer is null ? null : new Postgres(postgresServer));
var figures = await run.ExecuteAsync();
var table = FigureTable.Format(figures, run.Notes);
Console.WriteLine();
Console.WriteLine(table);
if (jsonPath is not null)
{
    await File.WriteAllTextAsync(jsonPath, FigureTable.Json(figures));
    Console.WriteLine($"\nWrote {jsonPath}");
}
return 0;
