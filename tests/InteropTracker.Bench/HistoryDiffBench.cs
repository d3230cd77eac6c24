using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace InteropTracker.Bench;

/// <summary>
/// history_diff: two events of the same product lines, the later one with every product at a new version (new keys, same
/// lines) and every plan at a new version with one case reworded, about <see cref="Scale.Results"/> results each, most
/// cells in both, some verdicts changed. The value is GET /api/history/diff of the two; the baseline is the sqlite3 shell
/// running the plain SQL join of the two events' results on plan, case key and line pair, on the same file. The diff's
/// counts are checked against the ones the bench generated.
/// </summary>
public sealed class HistoryDiffBench(Scale scale, Programme programme, Action<string> say)
{
    private const string From = "bench-history-from";
    private const string To = "bench-history-to";
    private const string Suffix = "-v2";

    private static readonly string[] Verdicts = ["pass", "fail", "na", "blocked"];

    /// <param name="appCpuSeconds">The app's processor time so far (user and system, all threads).</param>
    public async Task<Figure> MeasureAsync(Api api, string database, long planned, Func<double> appCpuSeconds)
    {
        await SetUpAsync(api);
        var expected = await LoadAsync(api, planned);
        Sqlite3.Run(database, ".timeout 10000\nPRAGMA wal_checkpoint(TRUNCATE);\n");

        var path = $"/api/history/diff?from={From}&to={To}";
        JsonElement answer = default;
        var cpu = new List<double>();
        async Task<double> GetAsync()
        {
            var (clock, before) = (Stopwatch.StartNew(), appCpuSeconds());
            answer = await api.SendAsync(HttpMethod.Get, path, null, HttpStatusCode.OK);
            cpu.Add(appCpuSeconds() - before);
            return clock.Elapsed.TotalSeconds;
        }
        for (var r = 0; r < 2; r++) await GetAsync(); // warm the JIT and the page cache
        cpu.Clear();
        var times = new List<double>();
        for (var r = 0; r < scale.BaselineRuns; r++) times.Add(await GetAsync());
        Check(answer.GetProperty("counts"), expected);

        var (fromId, toId) = (EventId(database, From), EventId(database, To));
        // Written in the order that lets every step of the join use an index (CROSS JOIN keeps it): left to choose, SQLite's
        // planner scans the later event's results once per result of the earlier one.
        var baseline = Sqlite3.TimedQueries(database, $"""
            SELECT sum(a.verdict = 'pass' AND b.verdict = 'fail'), sum(a.verdict = 'fail' AND b.verdict = 'pass'), count(*)
            FROM results a
                 CROSS JOIN test_cases ca ON ca.id = a.case_id CROSS JOIN test_plans pa ON pa.id = ca.plan_id
                 CROSS JOIN products ia ON ia.id = a.initiator_id CROSS JOIN products ra ON ra.id = a.responder_id
                 CROSS JOIN test_plans pb ON pb.plan = pa.plan
                 CROSS JOIN test_cases cb ON cb.plan_id = pb.id AND cb.case_key = ca.case_key
                 CROSS JOIN products ib ON ib.line = ia.line CROSS JOIN products rb ON rb.line = ra.line
                 CROSS JOIN results b ON b.event_id = {toId} AND b.case_id = cb.id AND b.initiator_id = ib.id AND b.responder_id = rb.id
            WHERE a.event_id = {fromId}
            """, Math.Min(3, scale.BaselineRuns));
        var (app, bare) = (Sqlite3.Median(times), Sqlite3.Median(baseline));
        say($"history diff of {expected.From:N0} and {expected.To:N0} results: app {app * 1000:0} ms ({Sqlite3.Median(cpu) * 1000:0} ms " +
            $"of processor time), sqlite3 join {bare * 1000:0} ms");
        return new Figure("history_diff", "ms", app * 1000, bare * 1000, "ms", Rule.RatioAtMost, 0.2,
            $"sqlite3 running a plain SQL join of the two events' results on plan, case key and initiator and responder line " +
            "(tables in an order where each step uses an index), " +
            $"counting regressed, fixed and matched cells (median of {baseline.Count}, timed by .timer); the value is " +
            $"GET /api/history/diff of events of {expected.From:N0} and {expected.To:N0} results (median of {times.Count}, " +
            "to the last byte); it must also stay under 2 s; app_cpu_ms is the app's processor time per diff (all threads)",
            new Dictionary<string, double>
            {
                ["app_cpu_ms"] = Sqlite3.Median(cpu) * 1000, ["from_results"] = expected.From, ["to_results"] = expected.To, ["regressed"] = expected.Counts["regressed"],
                ["fixed"] = expected.Counts["fixed"], ["new"] = expected.Counts["new"], ["dropped"] = expected.Counts["dropped"],
            },
            Required: app < 2.0);
    }

    /// <summary>Version 2.0 of every plan (its first case reworded), every product again at 2.0 in the same line, two events.</summary>
    private async Task SetUpAsync(Api api)
    {
        foreach (var plan in programme.Plans)
        {
            var first = plan.Sections[0].Cases[0].Key;
            var yaml = Programme.ToYaml(plan).Replace("version: \"1.0\"", "version: \"2.0\"")
                .Replace($"title: \"Benchmark case {first}\"", $"title: \"Benchmark case {first}, reworded\"");
            await api.PostTextAsync("/api/test-plans", yaml, "application/yaml");
        }
        foreach (var p in programme.Products)
            await api.PostJsonAsync("/api/products", new
            {
                key = p.Key + Suffix, line = p.Key, organization = p.Organization.Key, name = $"Product {p.Index + 1:D4}", version = "2.0",
                kind = p.Kind, technologies = p.Technologies, capabilities = p.Capabilities.Order(StringComparer.Ordinal).ToArray(),
            });
        foreach (var (key, version, suffix) in new[] { (From, "1.0", ""), (To, "2.0", Suffix) })
        {
            await api.PostJsonAsync("/api/events", new
            {
                key, name = $"Benchmark {key}", location = "Sophia Antipolis", startDate = version == "1.0" ? "2025-11-24" : "2026-11-23",
                endDate = version == "1.0" ? "2025-11-28" : "2026-11-27",
                plans = programme.Plans.Select(p => new { plan = p.Key, version }).ToArray(),
            });
            await api.PostJsonAsync($"/api/events/{key}/participants", new { products = programme.Products.Select(p => p.Key + suffix).ToArray() });
            await api.PostJsonAsync($"/api/events/{key}/status", new { status = "open" });
        }
    }

    private sealed record Expected(long From, long To, Dictionary<string, long> Counts);

    /// <summary>
    /// Picks the cells (nine in ten of each event's in both), their verdicts (a cell in both keeps its verdict four times in
    /// five), imports them, and counts what the diff must find.
    /// </summary>
    private async Task<Expected> LoadAsync(Api api, long planned)
    {
        var random = new Random(scale.Seed + 11);
        var share = Math.Min(1.0, (double)scale.Results / planned);
        var from = new List<(long Cell, byte Verdict)>(scale.Results);
        var to = new List<(long Cell, byte Verdict)>(scale.Results);
        var counts = new Dictionary<string, long> { ["regressed"] = 0, ["fixed"] = 0, ["new"] = 0, ["dropped"] = 0, ["stayed"] = 0, ["other"] = 0 };
        byte Verdict() => (byte)Array.IndexOf(Verdicts, Programme.Verdict(random));
        foreach (var cell in programme.PlannedCells())
        {
            var roll = random.NextDouble();
            if (roll >= share * 1.1) continue;
            if (roll < share * 0.9)
            {
                var before = Verdict();
                var after = random.NextDouble() < 0.8 ? before : Verdict();
                from.Add((cell, before));
                to.Add((cell, after));
                counts[(before, after) switch
                {
                    (0, 1) => "regressed",
                    (1, 0) => "fixed",
                    var (a, b) when a == b => "stayed",
                    _ => "other",
                }]++;
            }
            else if (roll < share)
            {
                from.Add((cell, Verdict()));
                counts["dropped"]++;
            }
            else
            {
                to.Add((cell, Verdict()));
                counts["new"]++;
            }
        }
        await ImportAsync(api, From, "1.0", "", from);
        await ImportAsync(api, To, "2.0", Suffix, to);
        return new Expected(from.Count, to.Count, counts);
    }

    private async Task ImportAsync(Api api, string @event, string version, string suffix, List<(long Cell, byte Verdict)> cells)
    {
        var clock = Stopwatch.StartNew();
        foreach (var chunk in cells.Chunk(scale.ImportRows))
        {
            var csv = new StringBuilder(Programme.CsvHeader);
            foreach (var (cell, verdict) in chunk)
            {
                var (c, i, j) = Programme.Unpack(cell);
                var @case = programme.Cases[c];
                csv.Append(@case.Plan).Append(',').Append(@case.Key).Append(',').Append(programme.Products[i].Key).Append(suffix)
                    .Append(',').Append(programme.Products[j].Key).Append(suffix).Append(',').Append(Verdicts[verdict]).Append(",,\n");
            }
            await api.PostTextAsync($"/api/events/{@event}/results/import", csv.ToString(), "text/csv");
        }
        say($"history: {cells.Count:N0} results into {@event} (plans {version}) in {clock.Elapsed.TotalSeconds:0} s");
    }

    private static void Check(JsonElement counts, Expected expected)
    {
        var wrong = expected.Counts.Where(c => counts.GetProperty(c.Key).GetInt64() != c.Value)
            .Select(c => $"{c.Key}: the diff says {counts.GetProperty(c.Key).GetInt64():N0}, the bench made {c.Value:N0}")
            .ToList();
        if (wrong.Count > 0) throw new InvalidOperationException("The history diff's counts are wrong: " + string.Join("; ", wrong));
    }

    private static long EventId(string database, string key)
    {
        var outcome = Sqlite3.Run(database, $"SELECT id FROM events WHERE key = '{key}';\n");
        return long.Parse(outcome.Output.Trim());
    }
}
