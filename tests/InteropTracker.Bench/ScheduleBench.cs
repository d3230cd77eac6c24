using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using InteropTracker.Core;
using InteropTracker.Demo;
using InteropTracker.Schedule;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Bench;

/// <summary>
/// The timetable's quality (issue 12): on the demo event (built through the app's API, timetabled by
/// POST …/schedule) and on a generated 60-product event (timetabled in process, timed), the slots it takes to cover
/// every mandatory planned cell against the lower bound and against a greedy round robin run on the same sessions.
/// </summary>
public static class ScheduleBench
{
    private const int SessionCells = 20;
    private static readonly DateTimeOffset FirstSlot = new(2030, 3, 4, 8, 0, 0, TimeSpan.Zero);

    private static void Say(string text) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    public static async Task<IReadOnlyList<Figure>> RunAsync()
    {
        var figures = new List<Figure>();
        figures.AddRange(Quality("schedule_demo", await DemoTimetableAsync(), null));
        var (timetable, seconds) = SixtyProductTimetable();
        figures.AddRange(Quality("schedule_60", timetable, seconds));
        return figures;
    }

    /// <summary>Starts the app, loads the shipped plans, makes the demo event and asks it for a timetable with room enough.</summary>
    private static async Task<Timetable> DemoTimetableAsync()
    {
        var work = Path.Combine(Path.GetTempPath(), $"interop-bench-schedule-{DateTime.UtcNow:yyyyMMddHHmmss}");
        var adminToken = $"itk_bench-{Guid.NewGuid():N}";
        var app = await AppProcess.StartAsync(AppProcess.LocateApp(), work, adminToken);
        try
        {
            using var client = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromMinutes(5) };
            var api = new Api(client, adminToken);
            foreach (var file in Directory.GetFiles(TestCasesFolder(), "*.yaml").Order())
                await api.PostTextAsync("/api/test-plans", await File.ReadAllTextAsync(file), "application/yaml");
            HttpClient As(string token) => new()
            {
                BaseAddress = app.Address, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
            };
            Say("making the demo event through the API");
            await DemoEvent.SeedAsync(As(adminToken),
                async organization => As(await api.NewTokenAsync(Roles.Engineer, organization, $"bench engineer {organization}")),
                NullLogger.Instance);
            var answer = await api.PostJsonAsync($"/api/events/{DemoEvent.Key}/schedule",
                new { slots = Slots(400), tables = 10, sessionCells = SessionCells });
            return answer.Deserialize<Timetable>(JsonSerializerOptions.Web)!;
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static object[] Slots(int count) =>
        Enumerable.Range(0, count).Select(i => (object)new { start = FirstSlot.AddHours(i), end = FirstSlot.AddHours(i + 1) }).ToArray();

    private static string TestCasesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "InteropTracker.sln"))) return Path.Combine(dir.FullName, "testcases");
        throw new DirectoryNotFoundException("The bench runs from inside the repository (no InteropTracker.sln above it).");
    }

    /// <summary>
    /// A 60-product event of 30 vendors over three technologies and three plans of 40 cases (half mandatory, tags that
    /// some products lack), 40% of its cells already tested; its timetable built as POST …/schedule builds it, timed.
    /// </summary>
    private static (Timetable, double Seconds) SixtyProductTimetable()
    {
        var random = new Random(60);
        string[] technologies = ["SIP", "WebRTC", "H.323"];
        string[] tags = ["h264", "vp8", "opus", "srtp", "bfcp", "ice", "ipv6", "dtmf"];
        var participants = Enumerable.Range(0, 60).Select(i => new Participant
        {
            Id = i + 1, Key = $"p{i:00}", OrganizationId = i / 2 + 1, Name = $"Product {i:00}", Version = "1.0",
            OrganizationKey = $"o{i / 2:00}", OrganizationName = $"Vendor {i / 2:00}",
            Technologies = new HashSet<string>(technologies.Where((_, t) => t == i % 3 || random.NextDouble() < 0.45), StringComparer.OrdinalIgnoreCase),
            Capabilities = new HashSet<string>(tags.Where(_ => random.NextDouble() < 0.75), StringComparer.Ordinal),
        }).ToList();
        var plans = technologies.Select((t, i) => new PinnedPlan { Id = i + 1, Plan = $"plan-{t.ToLowerInvariant()}", Version = "1.0", Title = t, Technology = t, Cases = 40 }).ToList();
        var cases = new List<CaseDetails>();
        foreach (var plan in plans)
            for (var k = 0; k < 40; k++)
            {
                var planned = new PlannedCase
                {
                    Id = cases.Count + 1, PlanId = plan.Id, Plan = plan.Plan, Section = "s", Key = $"{plan.Technology}-{k:000}",
                    Technology = plan.Technology, Directional = random.NextDouble() < 0.8,
                    Requires = random.NextDouble() < 0.5 ? [tags[random.Next(tags.Length)]] : [],
                };
                cases.Add(new CaseDetails
                {
                    Case = planned, PlanVersion = "1.0", PlanTitle = plan.Title, SectionTitle = "s", Title = planned.Key,
                    Priority = k % 2 == 0 ? "mandatory" : k % 3 == 0 ? "optional" : "recommended", Ordinal = k,
                });
            }
        var planning = new EventPlanning(new EventRow { Id = 1, Key = "bench-60", Name = "Sixty products", Status = EventStatus.Open },
            plans, cases, participants);
        var tested = Planning.Cells(planning.Cases, participants, false)
            .Where(_ => random.NextDouble() < 0.4)
            .Select(c => (c.Case.Id, c.Initiator.Id, c.Responder.Id))
            .ToHashSet();

        var slots = Enumerable.Range(0, 400).Select(i => (FirstSlot.AddHours(i), FirstSlot.AddHours(i + 1))).ToList();
        var tables = Enumerable.Range(1, 30).Select(i => $"Table {i}").ToList();
        var clock = Stopwatch.StartNew();
        var timetable = ScheduleBuild.Plan(planning, tested, tables, slots, [], null,
            new Dictionary<string, (DateTimeOffset?, DateTimeOffset?)>(), SessionCells, DateTimeOffset.UtcNow, "bench");
        var seconds = clock.Elapsed.TotalSeconds;
        Say($"60 products: {timetable.Figures.Sessions} sessions timetabled in {seconds:0.00} s");
        return (timetable, seconds);
    }

    /// <summary>
    /// The figures of one timetable. The round robin gets the very sessions of the answer (each pairing's sessions,
    /// those with mandatory cells first) with the same slots and tables.
    /// </summary>
    private static IEnumerable<Figure> Quality(string name, Timetable timetable, double? seconds)
    {
        if (timetable.Unscheduled.Count > 0)
            throw new InvalidOperationException($"{name}: {timetable.Unscheduled.Count} pairings found no slot; give the bench more slots.");
        var products = timetable.Sessions.SelectMany(s => new[] { s.A, s.B }).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = products.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
        var pairs = timetable.Sessions
            .GroupBy(s => (s.A, s.B))
            .Select(g => new PairDemand(index[g.Key.A], index[g.Key.B], g.Count(), g.Count(s => s.Cells.Any(c => c.Priority == "mandatory"))))
            .ToList();
        var demand = new TimetableDemand(products.Count, pairs, timetable.Slots.Count, timetable.Tables.Count);
        var clock = Stopwatch.StartNew();
        var roundRobin = Timetabling.RoundRobin(demand);
        var roundRobinSeconds = clock.Elapsed.TotalSeconds;
        var f = timetable.Figures;
        var rrMandatory = roundRobin.SlotsUsed(demand, mandatoryOnly: true);
        var details = new Dictionary<string, double>
        {
            ["products"] = products.Count, ["sessions"] = f.Sessions, ["mandatory_sessions"] = f.MandatorySessions,
            ["cells"] = timetable.Sessions.Sum(s => s.Cells.Count), ["tables"] = timetable.Tables.Count,
            ["slots_all"] = f.SlotsUsed, ["bound_all"] = f.LowerBound, ["round_robin_all"] = roundRobin.SlotsUsed(demand, false),
            ["round_robin_mandatory"] = rrMandatory,
        };
        yield return new Figure($"{name}_mandatory_slots", "slots", f.SlotsForMandatory, f.MandatoryLowerBound, "slots", Rule.RatioAtMost, 1.15,
            "the lower bound: the busiest product's sessions with mandatory cells, or those sessions spread over the tables", details);
        yield return new Figure($"{name}_vs_round_robin", "slots", f.SlotsForMandatory, rrMandatory, "slots", Rule.ValueBelow, rrMandatory,
            "a greedy round robin over the same sessions (mandatory first, each slot taking the next pairs whose products are free)");
        if (seconds is { } s)
            yield return new Figure($"{name}_solve_seconds", "s", s, Math.Max(roundRobinSeconds, 1e-6), "s", Rule.ValueBelow, 10,
                "the round robin's time on the same sessions (the value covers planning the cells and building the timetable)");
    }
}
