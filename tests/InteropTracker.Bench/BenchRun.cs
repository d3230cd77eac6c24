using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using InteropTracker.Core;
using InteropTracker.Engine.Postgres;
using InteropTracker.EventResults;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace InteropTracker.Bench;

/// <summary>One benchmark run: set up the programme through the API, load its results, measure each figure.</summary>
/// <param name="only">The figures to measure (peak_rss_mb always is); null for all.</param>
/// <param name="postgres">The PostgreSQL server to run on (a fresh database of it), measuring <see cref="PostgresFigures"/>; null for SQLite.</param>
public sealed class BenchRun(Scale scale, bool keep, IReadOnlySet<string>? only = null, Postgres? postgres = null)
{
    /// <summary>The figures measured on PostgreSQL: those whose bare version PostgreSQL has, and two instances on one database.</summary>
    public static readonly IReadOnlySet<string> PostgresFigures = new HashSet<string> { "post_throughput", "import_rate", "matrix_latency", "two_instances" };

    private const string MainEvent = "bench-main";
    private readonly Programme _programme = new(scale);
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"interop-bench-{scale.Name}-{DateTime.UtcNow:yyyyMMddHHmmss}");
    private readonly string _adminToken = $"itk_bench-{Guid.NewGuid():N}";

    public List<string> Notes { get; } = [];

    private static void Say(string text) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    private AppProcess? _app;

    // On PostgreSQL: the fresh database the app runs on, and its connection string.
    private string? _postgresDatabase;
    private string? _connectionString;

    /// <summary>The server's memory now and at its peak so far, for the progress lines.</summary>
    private string Memory() => _app is null ? "" : $"server RSS {_app.RssMb():0} MB, peak {_app.PeakRssMb():0} MB";

    public async Task<IReadOnlyList<Figure>> ExecuteAsync()
    {
        Directory.CreateDirectory(_work);
        Say($"scale {scale.Name}: {scale.Products} products in {scale.Organizations} organizations, {scale.Cases} cases, " +
            $"~{scale.Results:N0} results; work folder {_work}");

        var cells = SelectCells();
        if (postgres is not null)
        {
            _postgresDatabase = $"interop_bench_{scale.Name}_{DateTime.UtcNow:yyyyMMddHHmmss}";
            _connectionString = postgres.CreateDatabase(_postgresDatabase);
            Say($"on PostgreSQL: database {_postgresDatabase}");
        }
        var app = await AppProcess.StartAsync(AppProcess.LocateApp(), _work, _adminToken, _connectionString);
        var figures = new List<Figure>();
        try
        {
            _app = app;
            Say($"app started (pid {app.Id}) at {app.Address}");
            using var client = Load.Client(app.Address, scale.Clients);
            var api = new Api(client, _adminToken);
            var tokens = await SetUpAsync(api);
            var idleRss = app.RssMb();

            bool Wanted(string figure) =>
                (postgres is null ? figure != "two_instances" : PostgresFigures.Contains(figure)) && (only is null || only.Contains(figure));
            var pageFigures = Wanted("event_page_mb") || Wanted("event_page_load_s");
            if (Wanted("matrix_latency") || Wanted("post_throughput") || Wanted("xlsx_export") || pageFigures) await LoadResultsAsync(api, cells.Main);
            if (Wanted("import_rate")) figures.Add(await ImportRateAsync(api, cells.ImportFile));
            if (postgres is null) Checkpoint(app.DatabaseFile);
            if (Wanted("matrix_latency")) figures.Add(await MatrixLatencyAsync(api, app.DatabaseFile, cells.Main));
            if (Wanted("post_throughput")) figures.Add(await PostThroughputAsync(api, tokens, cells.ForOrganization));
            if (Wanted("two_instances")) figures.Add(await TwoInstancesAsync(api, tokens, cells.ForOrganization));
            if (pageFigures)
                figures.AddRange(await PageLoad.MeasureAsync(app.Address, _adminToken, MainEvent, _programme.LargestTechnology,
                    async technology => (await (await api.Client.SendAsync(api.Request(HttpMethod.Get,
                        $"/api/events/{MainEvent}/matrix?technology={Uri.EscapeDataString(technology)}"))).Content.ReadAsByteArrayAsync()).LongLength,
                    Say));
            await CheckMatrixAsync(api, app.DatabaseFile);
            if (Wanted("xlsx_export") && await ExportAsync(api, app.DatabaseFile) is { } export) figures.Add(export);
            if (Wanted("history_diff")) figures.Add(await new HistoryDiffBench(scale, _programme, Say).MeasureAsync(api, app.DatabaseFile, cells.Planned, app.CpuSeconds));
            if (Wanted("import_memory")) figures.Add(await ImportMemoryAsync(cells.ImportFile));
            if (Wanted("evidence_memory")) figures.Add(await EvidenceMemory.MeasureAsync(_work, _adminToken, Say));

            static double Mb(string path) => File.Exists(path) ? new FileInfo(path).Length / 1e6 : 0;
            if (_connectionString is null)
                Notes.Add($"database file {Mb(app.DatabaseFile):N0} MB, write-ahead log {Mb(app.DatabaseFile + "-wal"):N0} MB at the end");
            else
                Notes.Add($"PostgreSQL database {await ScalarAsync<long>(app.DatabaseFile, "SELECT pg_database_size(current_database())") / 1e6:N0} MB at the end");
            figures.Add(new Figure("peak_rss_mb", "MB", app.PeakRssMb(), idleRss, "MB", Rule.ValueBelow, 400,
                "the server's resident set size after start-up and set-up, before any result (VmRSS); the value is the peak over the whole run (VmHWM)"));
            Notes.Add($"scale {scale.Name}: {scale.Products} products, {scale.Organizations} organizations, {_programme.Cases.Count} cases " +
                      $"in {_programme.Plans.Count} plans, {cells.Planned:N0} planned cells, {await CountResultsAsync(app.DatabaseFile):N0} current results " +
                      $"in {MainEvent} at the end; largest technology {_programme.LargestTechnology}; {Environment.ProcessorCount} cores");
        }
        finally
        {
            await app.DisposeAsync();
            if (!keep) Directory.Delete(_work, recursive: true);
            if (!keep && _postgresDatabase is not null) postgres!.DropDatabase(_postgresDatabase);
        }
        return figures;
    }

    private sealed record Cells(long Planned, long[] Main, string ImportFile, List<long>[] ForOrganization);

    /// <summary>
    /// Which planned cells get a result at load (about <see cref="Scale.Results"/>), which go into the measured import
    /// file, and a sample per organization for the engineers who post during the throughput run.
    /// </summary>
    private Cells SelectCells()
    {
        var byTheApp = _programme.PlannedByTheApp();
        var planned = _programme.PlannedCells().LongCount();
        if (planned != byTheApp)
            throw new InvalidOperationException($"The bench plans {planned} cells but the app's Planning.Count says {byTheApp}.");
        if (planned < scale.Results) Notes.Add($"only {planned:N0} cells are planned: every one gets a result");

        var random = new Random(scale.Seed + 1);
        var share = Math.Min(1.0, (double)scale.Results / planned);
        var main = new List<long>(scale.Results + scale.Results / 10);
        var import = new long[Math.Min(scale.ImportRows, planned)];
        const int perOrganization = 20_000;
        var forOrganization = _programme.Organizations.Select(_ => new List<long>(perOrganization)).ToArray();
        var seenByOrganization = new long[_programme.Organizations.Count];
        long seen = 0;
        foreach (var cell in _programme.PlannedCells())
        {
            if (random.NextDouble() < share) main.Add(cell);
            // Reservoir samples: uniform over every planned cell, in one pass.
            if (seen < import.Length) import[seen] = cell;
            else if (random.NextInt64(seen + 1) is var k && k < import.Length) import[k] = cell;
            seen++;
            var (_, i, j) = Programme.Unpack(cell);
            foreach (var organization in new[] { _programme.Products[i].Organization.Index, _programme.Products[j].Organization.Index })
            {
                var list = forOrganization[organization];
                var n = ++seenByOrganization[organization];
                if (list.Count < perOrganization) list.Add(cell);
                else if (random.NextInt64(n) is var r && r < perOrganization) list[(int)r] = cell;
            }
        }
        var shuffled = main.ToArray();
        random.Shuffle(shuffled);
        random.Shuffle(import);

        var csv = new StringBuilder(Programme.CsvHeader);
        foreach (var cell in import) _programme.AppendCsvRow(csv, cell, random);
        var importFile = Path.Combine(_work, $"import-{import.Length}.csv");
        File.WriteAllText(importFile, csv.ToString());
        Say($"{planned:N0} planned cells (the app's Planning.Count agrees); {shuffled.Length:N0} results to load; " +
            $"import file of {import.Length:N0} rows ({new FileInfo(importFile).Length / 1e6:0.0} MB)");
        return new Cells(planned, shuffled, importFile, forOrganization);
    }

    /// <summary>Plans, vendors, products, events with every product, and an engineer token per posting client.</summary>
    private async Task<string[]> SetUpAsync(Api api)
    {
        var clock = Stopwatch.StartNew();
        foreach (var plan in _programme.Plans)
            await api.PostTextAsync("/api/test-plans", Programme.ToYaml(plan), "application/yaml");
        foreach (var organization in _programme.Organizations)
            await api.PostJsonAsync("/api/organizations", new { key = organization.Key, name = organization.Name });
        foreach (var p in _programme.Products)
            await api.PostJsonAsync("/api/products", new
            {
                key = p.Key, organization = p.Organization.Key, name = $"Product {p.Index + 1:D4}", version = "1.0", kind = p.Kind,
                technologies = p.Technologies, capabilities = p.Capabilities.Order(StringComparer.Ordinal).ToArray(),
            });
        await CreateEventAsync(api, MainEvent);
        for (var r = 1; r <= scale.ImportRuns; r++) await CreateEventAsync(api, $"bench-import-{r}");

        var tokens = new string[scale.Clients];
        for (var w = 0; w < scale.Clients; w++)
            tokens[w] = await api.NewTokenAsync("engineer", OrganizationOf(w).Key, $"bench engineer {w + 1}");
        Say($"set up {_programme.Plans.Count} plans, {_programme.Organizations.Count} organizations, {_programme.Products.Count} products, " +
            $"{1 + scale.ImportRuns} events and {tokens.Length} engineer tokens in {clock.Elapsed.TotalSeconds:0.0} s");
        return tokens;
    }

    private BenchOrganization OrganizationOf(int worker) => _programme.Organizations[worker % _programme.Organizations.Count];

    private async Task CreateEventAsync(Api api, string key)
    {
        await api.PostJsonAsync("/api/events", new
        {
            key, name = $"Benchmark {key}", location = "Sophia Antipolis", startDate = "2026-11-23", endDate = "2026-11-27",
            plans = _programme.Plans.Select(p => new { plan = p.Key, version = "1.0" }).ToArray(),
        });
        await api.PostJsonAsync($"/api/events/{key}/participants", new { products = _programme.Products.Select(p => p.Key).ToArray() });
        await api.PostJsonAsync($"/api/events/{key}/status", new { status = "open" });
    }

    /// <summary>Loads the main event's results through POST …/results/import, a CSV of <see cref="Scale.ImportRows"/> rows at a time.</summary>
    private async Task LoadResultsAsync(Api api, long[] cells)
    {
        var random = new Random(scale.Seed + 2);
        var rates = new List<double>();
        var chunks = (cells.Length + scale.ImportRows - 1) / scale.ImportRows;
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var csv = new StringBuilder(Programme.CsvHeader);
            var (start, end) = ((int)((long)cells.Length * chunk / chunks), (int)((long)cells.Length * (chunk + 1) / chunks));
            for (var k = start; k < end; k++) _programme.AppendCsvRow(csv, cells[k], random);
            var clock = Stopwatch.StartNew();
            await api.PostTextAsync($"/api/events/{MainEvent}/results/import", csv.ToString(), "text/csv");
            rates.Add((end - start) / clock.Elapsed.TotalSeconds);
            Say($"loaded {end:N0} / {cells.Length:N0} results ({rates[^1]:N0} rows/s); {Memory()}");
        }
        Notes.Add($"loading {cells.Length:N0} results in {rates.Count} imports: {Sqlite3.Median(rates):N0} rows/s median, " +
                  $"{rates.Min():N0} slowest (the event's results grow as it loads)");
    }

    private async Task<Figure> ImportRateAsync(Api api, string file)
    {
        var text = await File.ReadAllTextAsync(file);
        var rows = text.Count(c => c == '\n') - 1;
        var times = new List<double>();
        for (var r = 1; r <= scale.ImportRuns; r++)
        {
            var clock = Stopwatch.StartNew();
            await api.PostTextAsync($"/api/events/bench-import-{r}/results/import", text, "text/csv");
            times.Add(clock.Elapsed.TotalSeconds);
        }
        var baselines = Enumerable.Range(0, scale.ImportRuns)
            .Select(_ => _connectionString is { } pg ? Postgres.CopySeconds(pg, file) : Sqlite3.ImportSeconds(file, _work)).ToList();
        var (app, bare) = (Sqlite3.Median(times), Sqlite3.Median(baselines));
        var tool = _connectionString is null ? "sqlite3 .import" : "psql \\copy";
        Say($"import of {rows:N0} rows: app {app:0.000} s, {tool} {bare:0.000} s; {Memory()}");
        return new Figure("import_rate", "rows/s", rows / app, rows / bare, "rows/s", Rule.RatioAtLeast, 0.25,
            (_connectionString is null
                ? $"sqlite3 .import --csv of the same {rows:N0}-row file into a bare table of a fresh database"
                : $"psql \\copy … (FORMAT csv) of the same {rows:N0}-row file into a bare table of the app's database") +
            $" (median of {scale.ImportRuns}; shell start subtracted); the value is POST …/results/import into a fresh event, upload included",
            new Dictionary<string, double> { ["app_seconds"] = app, [_connectionString is null ? "sqlite3_seconds" : "psql_seconds"] = bare });
    }

    /// <summary>
    /// Hostile imports against a server of their own, set up like the main one: three 60 MB results files at once whose
    /// first row is bad, then three whose last row is bad, each time beside six 40,000-case workbooks at once, every
    /// request with its own token. The value is that server's peak resident set size.
    /// </summary>
    private async Task<Figure> ImportMemoryAsync(string importFile)
    {
        const int Imports = 3, Workbooks = 6;
        var (firstBad, lastBad) = HostileResults(importFile);
        var workbook = LargeWorkbook(40_000);
        await using var app = await AppProcess.StartAsync(AppProcess.LocateApp(), Path.Combine(_work, "import-memory"), _adminToken);
        using var client = Load.Client(app.Address, Imports + Workbooks);
        var api = new Api(client, _adminToken);
        await SetUpAsync(api);
        var importers = new string[Imports];
        for (var k = 0; k < Imports; k++) importers[k] = await api.NewTokenAsync("admin", null, $"bench importer {k + 1}");
        var chairs = new string[Workbooks];
        for (var k = 0; k < Workbooks; k++) chairs[k] = await api.NewTokenAsync("chair", null, $"bench chair {k + 1}");
        var idle = app.RssMb();

        var closedEarly = 0;
        async Task<double> PostAsync(string path, byte[] body, string mediaType, string token, HttpStatusCode expected)
        {
            var clock = Stopwatch.StartNew();
            var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } };
            try
            {
                using var response = await api.Client.SendAsync(api.Request(HttpMethod.Post, path, content, token));
                var answer = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != expected)
                    throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}, not {(int)expected}: {answer[..Math.Min(500, answer.Length)]}");
            }
            catch (HttpRequestException e) when (e.InnerException is IOException)
            {
                // The server answered before the body was all sent and closed the connection, which this client reports
                // as a failed send rather than as the answer.
                Interlocked.Increment(ref closedEarly);
            }
            return clock.Elapsed.TotalSeconds;
        }

        var details = new Dictionary<string, double> { ["idle_mb"] = idle, ["results_file_mb"] = firstBad.Length / 1e6, ["workbook_mb"] = workbook.Length / 1e6 };
        foreach (var (name, file) in new[] { ("first_bad", firstBad), ("last_bad", lastBad) })
        {
            var imports = importers.Select(t => PostAsync($"/api/events/{MainEvent}/results/import", file, "text/csv", t,
                HttpStatusCode.UnprocessableEntity)).ToList();
            var plans = chairs.Select(t => PostAsync("/api/test-plans", workbook,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", t, HttpStatusCode.RequestEntityTooLarge)).ToList();
            details[$"{name}_import_s"] = (await Task.WhenAll(imports)).Max();
            details[$"{name}_workbook_s"] = (await Task.WhenAll(plans)).Max();
            details[$"{name}_peak_mb"] = app.PeakRssMb();
            Say($"{Imports} results imports of {firstBad.Length / 1e6:0} MB whose {name.Split('_')[0]} row is bad, beside {Workbooks} " +
                $"workbooks of 40,000 cases ({workbook.Length / 1e6:0.0} MB): refused in {details[$"{name}_import_s"]:0.00} s and " +
                $"{details[$"{name}_workbook_s"]:0.00} s; server RSS {app.RssMb():0} MB, peak {app.PeakRssMb():0} MB");
        }
        details["after_mb"] = app.RssMb();
        details["closed_before_the_body_was_sent"] = closedEarly;
        return new Figure("import_memory", "MB", app.PeakRssMb(), idle, "MB", Rule.ValueBelow, 400,
            $"a server of its own, set up like the main one, after set-up (VmRSS); the value is its peak (VmHWM) over {Imports} " +
            $"concurrent POST …/results/import of a {firstBad.Length / 1e6:0} MB CSV whose first row is bad, then {Imports} whose last " +
            $"row is bad, each time beside {Workbooks} concurrent POST /api/test-plans of a 40,000-case workbook; every request its own token",
            details);
    }

    /// <summary>
    /// Two 60 MB CSV files of the import file's rows, each with a long note so that the file stays under the row cap: one
    /// whose first row has a verdict that does not exist, one whose last row has.
    /// </summary>
    private static (byte[] FirstBad, byte[] LastBad) HostileResults(string importFile)
    {
        const long Size = 60L * 1024 * 1024;
        var rows = File.ReadLines(importFile).Skip(1).Select(line => string.Join(',', line.Split(',').Take(5))).ToList();
        var note = new string('n', (int)(Size / (ResultImport.MaxRows - 1000)) - rows.Min(r => r.Length));
        var body = new StringBuilder(Programme.CsvHeader, (int)Size + 1024);
        for (var k = 0; body.Length < Size; k++) body.Append(rows[k % rows.Count]).Append(',').Append(note).Append(",\n");
        var text = body.ToString();
        var first = rows[0];
        var badFirst = string.Join(',', first.Split(',').Take(4)) + ",great";
        var firstBad = Encoding.UTF8.GetBytes(Programme.CsvHeader + badFirst + text[(Programme.CsvHeader.Length + first.Length)..]);
        var lastBad = Encoding.UTF8.GetBytes(text + badFirst + ",,\n");
        return (firstBad, lastBad);
    }

    /// <summary>A test-plan workbook with a Plan sheet and a Cases sheet of <paramref name="cases"/> rows of eight columns.</summary>
    private static byte[] LargeWorkbook(int cases)
    {
        using var workbook = new XLWorkbook();
        var plan = workbook.AddWorksheet("Plan");
        string[][] fields = [["plan", "bench-big"], ["title", "Too many cases"], ["version", "1.0"], ["technology", "SIP"]];
        for (var r = 0; r < fields.Length; r++) (plan.Cell(r + 1, 1).Value, plan.Cell(r + 1, 2).Value) = (fields[r][0], fields[r][1]);
        var sheet = workbook.AddWorksheet("Cases");
        string[] header = ["section", "id", "title", "purpose", "steps", "expected", "priority", "requires"];
        for (var c = 0; c < header.Length; c++) sheet.Cell(1, c + 1).Value = header[c];
        for (var r = 2; r <= cases + 1; r++)
        {
            sheet.Cell(r, 1).Value = "calls";
            sheet.Cell(r, 2).Value = $"BIG-{r - 1:D5}";
            sheet.Cell(r, 3).Value = $"Case {r - 1}";
            sheet.Cell(r, 4).Value = "Checks that a call goes through";
            sheet.Cell(r, 5).Value = "Dial; answer";
            sheet.Cell(r, 6).Value = "Two-way audio";
            sheet.Cell(r, 7).Value = "must";
            sheet.Cell(r, 8).Value = "h264";
        }
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    /// <summary>Folds the write-ahead log into the database file, so that the app and the shell read the same pages.</summary>
    private static void Checkpoint(string database) =>
        Sqlite3.Run(database, ".timeout 10000\nPRAGMA wal_checkpoint(TRUNCATE);\n");

    private async Task<Figure> MatrixLatencyAsync(Api api, string database, long[] cells)
    {
        var technology = _programme.LargestTechnology;
        var path = $"/api/events/{MainEvent}/matrix?technology={Uri.EscapeDataString(technology)}";
        long bytes = 0;
        async Task<double> GetAsync()
        {
            var clock = Stopwatch.StartNew();
            using var response = await api.Client.SendAsync(api.Request(HttpMethod.Get, path));
            var body = await response.Content.ReadAsByteArrayAsync();
            var seconds = clock.Elapsed.TotalSeconds;
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
            bytes = body.Length;
            return seconds;
        }
        var times = new List<double>();
        for (var r = 0; r < scale.MatrixRuns + 2; r++)
        {
            var seconds = await GetAsync();
            if (r >= 2) times.Add(seconds); // the first two warm the app's caches and JIT
        }
        // The same after every write: a result is logged before each request, so none can be answered as it was.
        var random = new Random(scale.Seed + 3);
        var afterWrite = new List<double>();
        for (var r = 0; r < scale.BaselineRuns; r++)
        {
            var cell = cells[random.Next(cells.Length)];
            await api.SendAsync(HttpMethod.Post, $"/api/events/{MainEvent}/results",
                new ByteArrayContent(_programme.ResultJson(cell, Programme.Verdict(random))) { Headers = { ContentType = new("application/json") } },
                HttpStatusCode.Created);
            afterWrite.Add(await GetAsync());
        }
        var eventId = await EventIdAsync(database, MainEvent);
        var groupBy = $"SELECT initiator_id, responder_id, verdict, count(*) FROM results WHERE event_id = {eventId} GROUP BY initiator_id, responder_id, verdict";
        var baseline = _connectionString is { } pg
            ? Postgres.TimedQueries(pg, groupBy, scale.BaselineRuns)
            : Sqlite3.TimedQueries(database, groupBy, scale.BaselineRuns);
        var (app, bare, written) = (Sqlite3.Median(times), Sqlite3.Median(baseline), Sqlite3.Median(afterWrite));
        Say($"matrix of {technology}: app {app * 1000:0.0} ms, {written * 1000:0.0} ms right after a write ({bytes / 1e6:0.00} MB of JSON), " +
            $"bare GROUP BY {bare * 1000:0.0} ms; {Memory()}");
        return new Figure("matrix_latency", "ms", app * 1000, bare * 1000, "ms", Rule.RatioAtMost, 0.1,
            (_connectionString is null
                ? $"sqlite3 running the plain GROUP BY initiator, responder, verdict over the event's results on the same file " +
                  $"(median of {scale.BaselineRuns}, timed by .timer)"
                : $"PostgreSQL running the plain GROUP BY initiator, responder, verdict over the event's results in the same database " +
                  $"(median of {scale.BaselineRuns}, timed around the statement by an Npgsql client reading every row)") +
            $"; the value is GET …/matrix?technology={technology}, median of {scale.MatrixRuns}; " +
            $"after_write_ms is the median of {scale.BaselineRuns} requests each right after a result was logged",
            new Dictionary<string, double> { ["after_write_ms"] = written * 1000, ["after_write_ratio"] = written / bare, ["json_mb"] = bytes / 1e6 });
    }

    private async Task<Figure> PostThroughputAsync(Api api, string[] tokens, List<long>[] forOrganization)
    {
        var pingClient = api.Client;
        HttpRequestMessage Ping(int w, long i) => new(HttpMethod.Get, "/api/ping");

        var Post = Posts(tokens, forOrganization, seed: scale.Seed + 100);

        await Load.RunAsync(pingClient, scale.Clients, scale.Warmup, Ping, HttpStatusCode.OK);
        var pingBefore = await Load.RunAsync(pingClient, scale.Clients, scale.PingDuration, Ping, HttpStatusCode.OK);
        Say($"ping: {pingBefore.PerSecond:N0} req/s, p50 {pingBefore.P50Ms:0.0} ms, p99 {pingBefore.P99Ms:0.0} ms, {pingBefore.Errors} errors");
        await Load.RunAsync(pingClient, scale.Clients, scale.Warmup, Post, HttpStatusCode.Created);
        var posts = await Load.RunAsync(pingClient, scale.Clients, scale.PostDuration, Post, HttpStatusCode.Created);
        Say($"posts: {posts.PerSecond:N0} results/s, p50 {posts.P50Ms:0.0} ms, p99 {posts.P99Ms:0.0} ms, {posts.Errors} errors" +
            (posts.FirstError is { } error ? $" (first: {error[..Math.Min(300, error.Length)]})" : "") + $"; {Memory()}");
        var pingAfter = await Load.RunAsync(pingClient, scale.Clients, scale.PingDuration, Ping, HttpStatusCode.OK);
        Say($"ping: {pingAfter.PerSecond:N0} req/s, p50 {pingAfter.P50Ms:0.0} ms, p99 {pingAfter.P99Ms:0.0} ms; {Memory()}");

        var baseline = (pingBefore.PerSecond + pingAfter.PerSecond) / 2;
        var extra = new Dictionary<string, double>
        {
            ["p50_ms"] = posts.P50Ms, ["p99_ms"] = posts.P99Ms, ["errors"] = posts.Errors, ["posted"] = posts.Completed,
            ["ping_p50_ms"] = pingBefore.P50Ms, ["ping_p99_ms"] = pingBefore.P99Ms,
        };
        if (_connectionString is { } server && Postgres.PgbenchAvailable())
        {
            // The server's own ceiling for the same write, without the app: with as many clients as the bench, and with as
            // many as the app lets write at once by default.
            var gate = PostgresResultEngine.DefaultConcurrentWritesPerCore * Environment.ProcessorCount;
            var bare = Postgres.PgbenchAppendsPerSecond(server, MainEvent, scale.Clients, scale.PostDuration, _work);
            var gated = Postgres.PgbenchAppendsPerSecond(server, MainEvent, gate, scale.PostDuration, _work);
            Say($"pgbench calling append_result: {bare:N0} results/s with {scale.Clients} clients, {gated:N0} with {gate}; " +
                $"the app's posts are {posts.PerSecond / Math.Max(bare, gated):0.00} of the better");
            extra["pgbench_per_s"] = bare;
            extra["pgbench_gate_per_s"] = gated;
            extra["of_pgbench"] = posts.PerSecond / Math.Max(bare, gated);
        }
        var figure = new Figure("post_throughput", "results/s", posts.PerSecond, baseline, "req/s", Rule.RatioAtLeast, 0.20,
            $"GET /api/ping (no database, no token) from the same {scale.Clients} keep-alive clients, mean of a run before and after " +
            $"the posts ({scale.PingDuration.TotalSeconds:0} s each); the value is {scale.Clients} engineers posting single results " +
            $"for {scale.PostDuration.TotalSeconds:0} s" +
            (_connectionString is null ? "" : "; pgbench_per_s and pgbench_gate_per_s are PostgreSQL's own rate for the same write " +
                $"(pgbench's clients calling append_result on the event's cells for {scale.PostDuration.TotalSeconds:0} s, " +
                $"{scale.Clients} clients and {PostgresResultEngine.DefaultConcurrentWritesPerCore} per core, the app's default), " +
                "of_pgbench the app's rate over the better"),
            extra,
            Required: posts.Errors == 0 && pingBefore.Errors == 0 && pingAfter.Errors == 0);
        return figure;
    }

    /// <summary>Worker w's next single result, logged with its own engineer token on a cell of its organization.</summary>
    private Func<int, long, HttpRequestMessage> Posts(string[] tokens, List<long>[] forOrganization, int seed)
    {
        var randoms = Enumerable.Range(0, tokens.Length).Select(w => new Random(seed + w)).ToArray();
        var path = $"/api/events/{MainEvent}/results";
        return (w, _) =>
        {
            var cells = forOrganization[OrganizationOf(w).Index];
            var random = randoms[w];
            var cell = cells[random.Next(cells.Count)];
            var content = new ByteArrayContent(_programme.ResultJson(cell, Programme.Verdict(random)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[w]);
            return message;
        };
    }

    /// <summary>
    /// Two instances on one PostgreSQL database, as behind a reverse proxy: the same clients posting single results, all
    /// to one instance, then half to each of two (a second started on the same database). The value is the two
    /// instances' combined rate, the baseline the one instance's, measured just before.
    /// </summary>
    private async Task<Figure> TwoInstancesAsync(Api api, string[] tokens, List<long>[] forOrganization)
    {
        var half = scale.Clients / 2;
        await Load.RunAsync(api.Client, scale.Clients, scale.Warmup, Posts(tokens, forOrganization, scale.Seed + 200), HttpStatusCode.Created);
        var one = await Load.RunAsync(api.Client, scale.Clients, scale.PostDuration, Posts(tokens, forOrganization, scale.Seed + 300),
            HttpStatusCode.Created);
        Say($"one instance: {one.PerSecond:N0} results/s, p50 {one.P50Ms:0.0} ms, p99 {one.P99Ms:0.0} ms, {one.Errors} errors");

        await using var second = await AppProcess.StartAsync(AppProcess.LocateApp(), Path.Combine(_work, "second"), _adminToken, _connectionString);
        using var secondClient = Load.Client(second.Address, half);
        // Worker w of the second instance posts as engineer half + w, so every token and organization still posts.
        var firstPosts = Posts(tokens[..half], forOrganization, scale.Seed + 400);
        var secondPosts = Posts(tokens, forOrganization, scale.Seed + 500);
        HttpRequestMessage OnSecond(int w, long i) => secondPosts(half + w, i);
        await Task.WhenAll(Load.RunAsync(api.Client, half, scale.Warmup, firstPosts, HttpStatusCode.Created),
            Load.RunAsync(secondClient, scale.Clients - half, scale.Warmup, OnSecond, HttpStatusCode.Created));
        var both = await Task.WhenAll(Load.RunAsync(api.Client, half, scale.PostDuration, firstPosts, HttpStatusCode.Created),
            Load.RunAsync(secondClient, scale.Clients - half, scale.PostDuration, OnSecond, HttpStatusCode.Created));
        var combined = both.Sum(r => r.Completed) / both.Max(r => r.Seconds);
        var errors = both.Sum(r => r.Errors);
        Say($"two instances: {both[0].PerSecond:N0} + {both[1].PerSecond:N0} = {combined:N0} results/s, {errors} errors" +
            (both.Select(r => r.FirstError).FirstOrDefault(e => e is not null) is { } error ? $" (first: {error[..Math.Min(300, error.Length)]})" : "") +
            $"; second server peak RSS {second.PeakRssMb():0} MB");
        return new Figure("two_instances", "results/s", combined, one.PerSecond, "results/s", Rule.RatioAtLeast, 0.8,
            $"one instance taking all {scale.Clients} posting engineers for {scale.PostDuration.TotalSeconds:0} s, just before; the value is " +
            $"two instances on the same database and machine, {half} engineers each, posting at once for the same time",
            new Dictionary<string, double>
            {
                ["first_per_s"] = both[0].PerSecond, ["second_per_s"] = both[1].PerSecond, ["p99_ms"] = Math.Max(both[0].P99Ms, both[1].P99Ms),
                ["errors"] = errors, ["second_peak_rss_mb"] = second.PeakRssMb(),
            },
            Required: errors == 0 && one.Errors == 0);
    }

    /// <summary>After every write: the API's matrix of the largest technology equals a recount from the results table.</summary>
    private async Task CheckMatrixAsync(Api api, string database)
    {
        var technology = _programme.LargestTechnology;
        var matrix = await api.SendAsync(HttpMethod.Get,
            $"/api/events/{MainEvent}/matrix?technology={Uri.EscapeDataString(technology)}", null, HttpStatusCode.OK);
        var fromApi = new Dictionary<(string, string), long[]>();
        foreach (var cell in matrix.GetProperty("cells").EnumerateArray())
        {
            var tally = cell.GetProperty("tally");
            fromApi[(cell.GetProperty("initiator").GetString()!, cell.GetProperty("responder").GetString()!)] =
                [tally.GetProperty("pass").GetInt64(), tally.GetProperty("fail").GetInt64(), tally.GetProperty("na").GetInt64(),
                 tally.GetProperty("blocked").GetInt64()];
        }

        var recount = new Dictionary<(string, string), long[]>();
        await using (var connection = OpenRead(database))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT i.key, s.key, r.verdict, count(*)
                FROM results r JOIN test_cases c ON c.id = r.case_id JOIN test_plans p ON p.id = c.plan_id
                     JOIN products i ON i.id = r.initiator_id JOIN products s ON s.id = r.responder_id
                WHERE r.event_id = (SELECT id FROM events WHERE key = @event) AND p.technology = @technology
                GROUP BY i.key, s.key, r.verdict
                """;
            Parameter(command, "event", MainEvent);
            Parameter(command, "technology", technology);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!recount.TryGetValue(key, out var counts)) recount[key] = counts = new long[4];
                counts[Array.IndexOf(["pass", "fail", "na", "blocked"], reader.GetString(2))] = reader.GetInt64(3);
            }
        }
        var wrong = fromApi.Keys.Union(recount.Keys)
            .Count(k => !(fromApi.GetValueOrDefault(k) ?? new long[4]).SequenceEqual(recount.GetValueOrDefault(k) ?? new long[4]));
        var text = $"matrix check after the posts: {fromApi.Count:N0} cells of {technology}, {wrong} differ from a recount of the results table";
        Say(text);
        Notes.Add(text);
        if (wrong > 0) throw new InvalidOperationException(text);
    }

    private async Task<Figure?> ExportAsync(Api api, string database)
    {
        var path = $"/api/events/{MainEvent}/report.xlsx";
        var times = new List<double>();
        long bytes = 0;
        for (var r = 0; r < scale.ExportRuns; r++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await api.Client.SendAsync(api.Request(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.NotFound && r == 0) // the event exists: no such route yet
            {
                Notes.Add("xlsx_export: not measured, the app has no GET …/report.xlsx yet");
                return null;
            }
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1 << 16];
            int read;
            bytes = 0;
            while ((read = await body.ReadAsync(buffer)) > 0) bytes += read;
            times.Add(clock.Elapsed.TotalSeconds);
        }
        var eventId = await EventIdAsync(database, MainEvent);
        var output = Path.Combine(_work, "baseline-export.csv");
        var baselines = Enumerable.Range(0, scale.ExportRuns).Select(_ => Sqlite3.ExportSeconds(database, $"""
            SELECT p.technology, p.plan, c.section, c.case_key, i.name, s.name, r.verdict, r.status, r.revision, r.updated_at,
                   r.notes, r.issue, r.status_reason
            FROM results r JOIN test_cases c ON c.id = r.case_id JOIN test_plans p ON p.id = c.plan_id
                 JOIN products i ON i.id = r.initiator_id JOIN products s ON s.id = r.responder_id
            WHERE r.event_id = {eventId}
            ORDER BY r.case_id, r.initiator_id, r.responder_id
            """, output)).ToList();
        var (app, bare) = (Sqlite3.Median(times), Sqlite3.Median(baselines));
        Say($"report.xlsx: app {app:0.00} s ({bytes / 1e6:0.0} MB), sqlite3 -csv export {bare:0.00} s; {Memory()}");
        return new Figure("xlsx_export", "s", app, bare, "s", Rule.RatioAtMost, 4,
            $"sqlite3 -csv writing the same current results joined with case, plan and product names (the Results sheet's rows) " +
            $"to a file (median of {scale.ExportRuns}, shell start subtracted); the value is GET …/report.xlsx to the last byte",
            new Dictionary<string, double> { ["xlsx_mb"] = bytes / 1e6 });
    }

    private Task<long> EventIdAsync(string database, string key) =>
        ScalarAsync<long>(database, "SELECT id FROM events WHERE key = @key", ("key", key));

    private Task<long> CountResultsAsync(string database) =>
        ScalarAsync<long>(database, "SELECT count(*) FROM results WHERE event_id = (SELECT id FROM events WHERE key = @key)", ("key", MainEvent));

    /// <summary>A read of the app's database: its SQLite file read-only, or its PostgreSQL database.</summary>
    private DbConnection OpenRead(string database) => _connectionString is { } pg
        ? new NpgsqlConnection(pg)
        : new SqliteConnection($"Data Source={database};Mode=ReadOnly");

    private async Task<T> ScalarAsync<T>(string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = OpenRead(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) Parameter(command, name, value);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
