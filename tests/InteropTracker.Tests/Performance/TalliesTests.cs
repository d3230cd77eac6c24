using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.EventResults;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Tests.Performance;

/// <summary>
/// The tallies kept beside the results (db/migrations/0002_tallies.sql and its PostgreSQL twin) against a recount of the results table, after seeded random
/// sequences of single results (alone and in concurrent bursts that share commits), revisions, imports, refused imports,
/// confirmations and disputes, and a restart of the app on the same database; and between them, corrections (products'
/// declarations edited, participants withdrawn and entered again, same-organization pairs turned on and off, the plan
/// re-pinned back and forth), refused with nothing changed or retiring what they leave outside the plan.
/// </summary>
[Trait("Engine", "Sqlite")]
public sealed class TalliesTests
{
    /// <summary>The app over a given database file, so that a second app can start where the first stopped.</summary>
    private sealed class AppOnFile(string file) : AppFixture
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:Interop", $"Data Source={file}");
        }
    }

    /// <summary>An open event of six products in three vendors, one plan with cases of every kind, and who may log what.</summary>
    private sealed class Floor
    {
        public required string Event { get; init; }
        public required string Plan { get; init; }
        public required IReadOnlyList<PlannedCell> Cells { get; init; }
        /// <summary>Engineer tokens by organization id.</summary>
        public required IReadOnlyDictionary<long, string> Engineers { get; init; }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Tallies_equal_a_recount_of_the_results_after_random_writes_revisions_imports_reviews_and_a_restart(int seed)
    {
        var file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var random = new Random(seed);
        try
        {
            Floor floor;
            await using (var app = new AppOnFile(file))
            {
                floor = await SetUpAsync(app, file, new Build(seed));
                await RandomWritesAsync(app, floor, random, 60);
                Assert.True(Recount(file) > 10);
            }
            SqliteConnection.ClearAllPools();

            await using (var app = new AppOnFile(file))
            {
                Assert.True(Recount(file) > 10); // what the first app kept is read back as it was
                await RandomWritesAsync(app, floor, random, 60);
                Recount(file);
                await AssertMatrixCountsTheResultsAsync(app, floor, file);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Every_figure_equals_a_recount_after_random_writes_edits_withdrawals_retirements_and_re_pins(int seed)
    {
        var file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var random = new Random(seed);
        try
        {
            await using var app = new AppOnFile(file);
            var floor = await SetUpAsync(app, file, new Build(seed));
            var chair = await app.ClientFor(Roles.Chair);
            // Version 2.0: CALL-3 reworded, DTMF-1 dropped, NEW-1 added; the rest unchanged, so their results are kept.
            await chair.LoadPlan(Build.Plan(
                new CaseSpec { Id = "CALL-1" },
                new CaseSpec { Id = "CALL-2", Requires = ["h264"] },
                new CaseSpec { Id = "CALL-3", Title = "Reworded", Requires = ["h264"], Initiator = ["sips-uri"] },
                new CaseSpec { Id = "MEET-1", Directional = false },
                new CaseSpec { Id = "SHARE-1", Requires = ["bfcp"], Responder = ["h264"] },
                new CaseSpec { Id = "NEW-1", Requires = ["dtmf.rfc4733"] }) with { Plan = floor.Plan, Version = "2.0" });
            var products = PlanningOf(file, floor.Event).Participants.ToList();
            var withdrawn = new List<Participant>();
            var (version, sameOrganization) = ("1.0", false);
            string[] tags = ["h264", "sips-uri", "dtmf.rfc4733", "bfcp"];

            for (var round = 0; round < 14; round++)
            {
                await RandomWritesAsync(app, floor, random, 12);
                var retire = random.Next(3) > 0;
                var (url, method, body) = random.Next(5) switch
                {
                    0 => ($"/api/products/{products[random.Next(products.Count)].Key}", HttpMethod.Patch,
                        (object?)new { capabilities = tags.Where(_ => random.Next(2) == 0).DefaultIfEmpty("h264").ToArray() }),
                    1 when products.Count - withdrawn.Count > 4 => Withdraw(),
                    2 when withdrawn.Count > 0 => ($"/api/events/{floor.Event}/participants", HttpMethod.Post,
                        new { products = new[] { withdrawn[0].Key } }),
                    3 => ($"/api/events/{floor.Event}", HttpMethod.Patch, new { includeSameOrganization = !sameOrganization }),
                    _ => ($"/api/events/{floor.Event}", HttpMethod.Patch,
                        new { plans = new[] { new { plan = floor.Plan, version = version == "1.0" ? "2.0" : "1.0" } } }),
                };
                (string, HttpMethod, object?) Withdraw()
                {
                    var present = products.Where(p => !withdrawn.Contains(p)).ToList();
                    return ($"/api/events/{floor.Event}/participants/{present[random.Next(present.Count)].Key}", HttpMethod.Delete, null);
                }

                var before = Fingerprint(file);
                var request = new HttpRequestMessage(method, method == HttpMethod.Post || retire ? url : url + "?retire=false")
                {
                    Content = body is null ? null : JsonContent.Create(body),
                };
                var answer = await chair.SendAsync(request);
                if (answer.StatusCode == HttpStatusCode.Conflict)
                {
                    // Refused: the results it would retire are listed, and nothing changed; then it is sent to retire them.
                    Assert.True((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32() > 0);
                    Assert.Equal(before, Fingerprint(file));
                    answer = await chair.SendAsync(new HttpRequestMessage(method, url + "?retire=true")
                    {
                        Content = body is null ? null : JsonContent.Create(body),
                    });
                }
                Assert.True(answer.IsSuccessStatusCode, $"{method} {url}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");

                var planning = PlanningOf(file, floor.Event);
                withdrawn = products.Where(p => planning.FindParticipant(p.Key) is null).ToList();
                (version, sameOrganization) = (planning.FindPlan(floor.Plan)!.Version, planning.Event.IncludeSameOrganization);
                floor = new Floor
                {
                    Event = floor.Event, Plan = floor.Plan, Engineers = floor.Engineers,
                    Cells = Planning.Cells(planning.Cases, planning.Participants, planning.Event.IncludeSameOrganization).ToList(),
                };
                Recount(file);
                await AssertMatrixCountsTheResultsAsync(app, floor, file);
                await AssertSummaryAndStatisticsCountTheResultsAsync(app, floor, file);
            }
            using var db = new SqliteConnection($"Data Source={file}");
            db.Open();
            Assert.True(db.QuerySingle<long>("SELECT count(*) FROM results WHERE retired_at IS NOT NULL") > 0);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        }
    }

    private static EventPlanning PlanningOf(string file, string @event)
    {
        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        return EventStore.PlanningAsync(db, @event).GetAwaiter().GetResult()!;
    }

    /// <summary>What a refused correction must leave as it was: results (with their retirements and cases), participants, pins, tallies.</summary>
    private static string Fingerprint(string file)
    {
        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        return db.QuerySingle<string>("""
            SELECT coalesce((SELECT group_concat(id || verdict || case_id || coalesce(retired_at, '-')) FROM results), '') || '/' ||
                   (SELECT group_concat(event_id || '.' || product_id) FROM participants) || '/' ||
                   (SELECT group_concat(plan_id) FROM event_plans) || '/' ||
                   (SELECT group_concat(include_same_organization || updated_at) FROM events) || '/' ||
                   (SELECT group_concat(capabilities) FROM products) || '/' ||
                   coalesce((SELECT sum(pass + fail + na + blocked) FROM pair_tallies), 0)
            """);
    }

    /// <summary>The summary's totals and each case's statistics against a count of the event's current results.</summary>
    private static async Task AssertSummaryAndStatisticsCountTheResultsAsync(AppFixture app, Floor floor, string file)
    {
        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        var counted = db.Query<(string Case, string Verdict, long Count)>("""
            SELECT c.case_key, r.verdict, count(*)
            FROM results r JOIN test_cases c ON c.id = r.case_id
            WHERE r.event_id = (SELECT id FROM events WHERE key = @key) AND r.retired_at IS NULL
            GROUP BY c.case_key, r.verdict
            """, new { key = floor.Event }).ToList();
        long Count(string verdict, string? @case = null) =>
            counted.Where(c => c.Verdict == verdict && (@case is null || c.Case == @case)).Sum(c => c.Count);

        var summary = await app.Admin().GetAsync($"/api/events/{floor.Event}/summary").ReadJson<MatrixApi.SummaryDto>();
        Assert.Equal((Count("pass"), Count("fail"), Count("na"), Count("blocked")),
            (summary.Total.Pass, summary.Total.Fail, summary.Total.Na, summary.Total.Blocked));
        var statistics = await app.Admin().GetAsync($"/api/events/{floor.Event}/test-case-stats").ReadJson<List<MatrixApi.CaseStatDto>>();
        foreach (var stat in statistics)
            Assert.Equal((Count("pass", stat.Case), Count("fail", stat.Case), Count("na", stat.Case), Count("blocked", stat.Case)),
                (stat.Tally.Pass, stat.Tally.Fail, stat.Tally.Na, stat.Tally.Blocked));
        Assert.Equal(counted.Sum(c => c.Count), statistics.Sum(s => s.Tally.Pass + s.Tally.Fail + s.Tally.Na + s.Tally.Blocked));
    }

    private static int Recount(string file)
    {
        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        return TallyRecount.AssertTalliesMatchResults(db);
    }

    private static async Task<Floor> SetUpAsync(AppFixture app, string file, Build build)
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "CALL-1" },
            new CaseSpec { Id = "CALL-2", Requires = ["h264"] },
            new CaseSpec { Id = "CALL-3", Requires = ["h264"], Initiator = ["sips-uri"] },
            new CaseSpec { Id = "DTMF-1", Directional = false, Requires = ["dtmf.rfc4733"] },
            new CaseSpec { Id = "MEET-1", Directional = false },
            new CaseSpec { Id = "SHARE-1", Requires = ["bfcp"], Responder = ["h264"] }));
        var organizations = new[] { build.Organization(), build.Organization(), build.Organization() };
        foreach (var organization in organizations) await chair.Register(organization);
        string[][] capabilities =
        [
            ["h264", "sips-uri", "dtmf.rfc4733", "bfcp"], ["h264"], ["h264", "dtmf.rfc4733"],
            ["sips-uri", "bfcp", "h264"], ["dtmf.rfc4733"], ["h264", "bfcp", "dtmf.rfc4733", "sips-uri"],
        ];
        var products = new List<string>();
        for (var i = 0; i < capabilities.Length; i++)
            products.Add((await chair.Register(build.Product(organizations[i % 3].Key) with
            {
                Technologies = ["SIP"], Capabilities = capabilities[i],
            })).Key);
        var @event = await chair.Create(build.Event(plan.Plan));
        await chair.Enter(@event.Key, products.ToArray());
        await chair.MoveTo(@event.Key, "open");

        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        var planning = (await EventStore.PlanningAsync(db, @event.Key))!;
        var engineers = new Dictionary<long, string>();
        foreach (var participant in planning.Participants)
            if (!engineers.ContainsKey(participant.OrganizationId))
                engineers[participant.OrganizationId] = await app.NewToken(Roles.Engineer, participant.OrganizationKey);
        return new Floor
        {
            Event = @event.Key, Plan = plan.Plan, Engineers = engineers,
            Cells = Planning.Cells(planning.Cases, planning.Participants, planning.Event.IncludeSameOrganization).ToList(),
        };
    }

    private static readonly string[] Verdicts = ["pass", "pass", "pass", "fail", "na", "blocked"];

    private static object Body(Floor floor, PlannedCell cell, string verdict) => new
    {
        plan = floor.Plan, @case = cell.Case.Key, initiator = cell.Initiator.Key, responder = cell.Responder.Key, verdict,
    };

    private static async Task RandomWritesAsync(AppFixture app, Floor floor, Random random, int steps)
    {
        var admin = app.Admin();
        var results = $"/api/events/{floor.Event}/results";
        PlannedCell AnyCell() => floor.Cells[random.Next(floor.Cells.Count)];
        string AnyVerdict() => Verdicts[random.Next(Verdicts.Length)];
        // Admins log anything; an engineer logs the pairings of its organization.
        HttpClient Logger(PlannedCell cell) => random.Next(2) == 0
            ? admin
            : app.WithToken(floor.Engineers[random.Next(2) == 0 ? cell.Initiator.OrganizationId : cell.Responder.OrganizationId]);

        for (var step = 0; step < steps; step++)
        {
            switch (random.Next(10))
            {
                case < 4:
                {
                    var cell = AnyCell();
                    await Logger(cell).PostJson(results, Body(floor, cell, AnyVerdict())).ReadJson<ResultInfo>(HttpStatusCode.Created);
                    break;
                }
                case 4 or 5:
                {
                    // A burst: the writes share commits, some of them to the same cell.
                    var cells = Enumerable.Range(0, 12).Select(_ => AnyCell()).ToList();
                    var answers = await Task.WhenAll(cells.Select(c => Logger(c).PostJson(results, Body(floor, c, AnyVerdict()))));
                    Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
                    break;
                }
                case 6:
                {
                    var csv = new StringBuilder("plan,case,initiator,responder,verdict\n");
                    for (var r = random.Next(1, 30); r > 0; r--)
                    {
                        var cell = AnyCell();
                        csv.Append($"{floor.Plan},{cell.Case.Key},{cell.Initiator.Key},{cell.Responder.Key},{AnyVerdict()}\n");
                    }
                    await admin.PostAsync($"{results}/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"))
                        .ReadJson<ResultImport.Summary>();
                    break;
                }
                case 7:
                {
                    // One bad row (a product paired with itself) sinks the whole file, tallies included.
                    var cell = AnyCell();
                    var csv = $"plan,case,initiator,responder,verdict\n{floor.Plan},{cell.Case.Key},{cell.Initiator.Key},{cell.Responder.Key},pass\n" +
                              $"{floor.Plan},{cell.Case.Key},{cell.Initiator.Key},{cell.Initiator.Key},pass\n";
                    await Problem.ReadAsync(await admin.PostAsync($"{results}/import", new StringContent(csv, Encoding.UTF8, "text/csv")),
                        HttpStatusCode.UnprocessableEntity);
                    break;
                }
                default:
                    await ReviewAnyAsync(app, floor, random, results);
                    break;
            }
        }
    }

    /// <summary>Confirms or disputes a random current result, as an engineer of a side that did not log it.</summary>
    private static async Task ReviewAnyAsync(AppFixture app, Floor floor, Random random, string results)
    {
        var page = await app.Admin().GetAsync($"{results}?pageSize=500").ReadJson<ResultPage>();
        if (page.Items.Count == 0) return;
        var result = page.Items[random.Next(page.Items.Count)];
        var cell = floor.Cells.First(c => c.Case.Key == result.Case && c.Initiator.Key == result.Initiator && c.Responder.Key == result.Responder);
        var dispute = random.Next(3) == 0;
        foreach (var organization in new[] { cell.Responder.OrganizationId, cell.Initiator.OrganizationId })
        {
            var engineer = app.WithToken(floor.Engineers[organization]);
            var answer = dispute
                ? await engineer.PostJson($"{results}/{result.Id}/dispute", new { reason = "Not what we saw" })
                : await engineer.PostJson($"{results}/{result.Id}/confirm", new { });
            if (answer.StatusCode == HttpStatusCode.Forbidden) continue; // this side logged it: the other one reviews
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return;
        }
    }

    /// <summary>The matrix the API serves, read from the tallies, against a count of the results table.</summary>
    private static async Task AssertMatrixCountsTheResultsAsync(AppFixture app, Floor floor, string file)
    {
        var matrix = await app.Admin().GetAsync($"/api/events/{floor.Event}/matrix").ReadJson<MatrixApi.MatrixDto>();
        using var db = new SqliteConnection($"Data Source={file}");
        db.Open();
        var counted = db.Query<(string Initiator, string Responder, string Verdict, long Count)>("""
            SELECT i.key, s.key, r.verdict, count(*)
            FROM results r JOIN products i ON i.id = r.initiator_id JOIN products s ON s.id = r.responder_id
            WHERE r.event_id = (SELECT id FROM events WHERE key = @key) AND r.retired_at IS NULL
            GROUP BY i.key, s.key, r.verdict
            """, new { key = floor.Event }).ToList();
        foreach (var cell in matrix.Cells)
        {
            long Count(string verdict) =>
                counted.Where(c => c.Initiator == cell.Initiator && c.Responder == cell.Responder && c.Verdict == verdict).Sum(c => c.Count);
            Assert.Equal((Count("pass"), Count("fail"), Count("na"), Count("blocked")),
                (cell.Tally.Pass, cell.Tally.Fail, cell.Tally.Na, cell.Tally.Blocked));
        }
        Assert.Equal(counted.Sum(c => c.Count), matrix.Total.Pass + matrix.Total.Fail + matrix.Total.Na + matrix.Total.Blocked);
    }
}
