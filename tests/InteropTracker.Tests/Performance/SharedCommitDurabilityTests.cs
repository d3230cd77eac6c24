using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.EventResults;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Tests.Performance;

/// <summary>
/// The shared-commit path never acknowledges a write it has not stored: the app runs as its own process on a real
/// port, concurrent clients post results, the process is killed (SIGKILL) while they post, and every result it
/// acknowledged must be in the database file it leaves, with the revision it answered. Then it starts again on that
/// file, and again.
/// </summary>
[Trait("Engine", "Sqlite")]
public sealed class SharedCommitDurabilityTests
{
    private sealed record Acknowledged(long Id, long Revision, string Verdict);

    [Fact]
    public async Task Every_acknowledged_result_survives_the_process_being_killed_mid_write()
    {
        var folder = Path.Combine(Path.GetTempPath(), "interop-tests", $"kill-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "interop.db");
        var random = new Random(20261128);
        try
        {
            var (eventKey, bodies) = await SetUpAsync(file);
            var acknowledged = new ConcurrentBag<Acknowledged>();
            for (var round = 0; round < 3; round++)
            {
                await using var app = await ChildApp.StartAsync(file);
                using var client = app.Client(AppFixture.AdminToken);
                using var stop = new CancellationTokenSource();
                var posted = 0;

                async Task Poster(int seed)
                {
                    var mine = new Random(seed);
                    while (!stop.IsCancellationRequested)
                    {
                        var body = bodies[mine.Next(bodies.Count)] with { Verdict = mine.Next(2) == 0 ? "pass" : "fail" };
                        HttpResponseMessage response;
                        try
                        {
                            response = await client.PostAsJsonAsync($"/api/events/{eventKey}/results", body);
                        }
                        catch (HttpRequestException)
                        {
                            return; // the process is gone: this write was never acknowledged
                        }
                        if (response.StatusCode != HttpStatusCode.Created) continue;
                        var result = (await response.Content.ReadFromJsonAsync<ResultInfo>())!;
                        acknowledged.Add(new Acknowledged(result.Id, result.Revision, result.Verdict));
                        Interlocked.Increment(ref posted);
                    }
                }

                var posters = Enumerable.Range(0, 24).Select(i => Task.Run(() => Poster(round * 100 + i))).ToList();
                // Kill while writes are in flight, after a random share of a second of posting.
                while (Volatile.Read(ref posted) < 50) await Task.Delay(10);
                await Task.Delay(random.Next(100, 600));
                await app.KillAsync();
                await stop.CancelAsync();
                await Task.WhenAll(posters);

                SqliteConnection.ClearAllPools();
                using var db = new SqliteConnection($"Data Source={file}");
                db.Open();
                var missing = acknowledged.Where(a => db.ExecuteScalar<string?>(
                    $"SELECT verdict FROM {ResultStore.AllRevisions} WHERE result_id = @Id AND revision = @Revision", a) != a.Verdict).ToList();
                Assert.Empty(missing);
                var behind = acknowledged.Count(a => db.ExecuteScalar<long>("SELECT revision FROM results WHERE id = @Id", a) < a.Revision);
                Assert.Equal(0, behind);
                Assert.Equal("ok", db.ExecuteScalar<string>("PRAGMA integrity_check"));
                TallyRecount.AssertTalliesMatchResults(db);
            }
            Assert.True(acknowledged.Count >= 150, $"only {acknowledged.Count} writes were acknowledged in three rounds");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record ResultBody(string Plan, string Case, string Initiator, string Responder, string Verdict);

    /// <summary>An open event of four products in two vendors and a plan of five cases, set up through the child app.</summary>
    private static async Task<(string Event, List<ResultBody> Bodies)> SetUpAsync(string file)
    {
        await using var app = await ChildApp.StartAsync(file);
        using var admin = app.Client(AppFixture.AdminToken);
        var build = new Build(7);
        var plan = Build.Plan(Enumerable.Range(1, 5).Select(i => new CaseSpec { Id = $"CASE-{i}" }).ToArray());
        (await admin.PostAsync("/api/test-plans", new StringContent(plan.ToYaml(), System.Text.Encoding.UTF8, "application/yaml")))
            .EnsureSuccessStatusCode();
        var products = new List<string>();
        for (var o = 0; o < 2; o++)
        {
            var organization = build.Organization();
            (await admin.PostJson("/api/organizations", organization)).EnsureSuccessStatusCode();
            for (var p = 0; p < 2; p++)
            {
                var product = build.Product(organization.Key) with { Technologies = ["SIP"] };
                (await admin.PostJson("/api/products", product)).EnsureSuccessStatusCode();
                products.Add(product.Key);
            }
        }
        var @event = build.Event(plan.Plan);
        (await admin.PostJson("/api/events", @event)).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{@event.Key}/participants", new { products })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{@event.Key}/status", new { status = "open" })).EnsureSuccessStatusCode();

        // Every planned cell: products 0, 1 are one vendor's, 2, 3 the other's.
        var bodies = (from c in Enumerable.Range(1, 5)
                      from i in products
                      from r in products
                      where products.IndexOf(i) / 2 != products.IndexOf(r) / 2
                      select new ResultBody(plan.Plan, $"CASE-{c}", i, r, "pass")).ToList();
        return (@event.Key, bodies);
    }
}
