using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Storage;

/// <summary>
/// The database runs out of space under eight concurrent writers (a page cap on every connection the app opens:
/// SQLite then refuses writes exactly as on a full disk, SQLITE_FULL). Every refused write answers 507 as a problem,
/// every acknowledged one is stored, /healthz says the database is not writable; once space is back, writing resumes
/// by itself and /healthz says ok.
/// </summary>
[Trait("Engine", "Sqlite")]
public sealed class DiskFullTests(AppFixture app) : IClassFixture<AppFixture>
{
    private sealed record ResultBody(string Plan, string Case, string Initiator, string Responder, string Verdict, string Notes);

    private sealed record Acknowledged(long Id, long Revision, string Notes);

    [Fact]
    public async Task Writes_refused_for_lack_of_space_answer_507_lose_nothing_acknowledged_and_resume_once_space_is_back()
    {
        var admin = app.Admin();
        var (eventKey, cells) = await SetUpAsync(admin);
        var results = $"/api/events/{eventKey}/results";
        var database = (SqliteDatabase)app.Database;
        using (var db = app.OpenDatabase())
            database.MaxPageCount = db.ExecuteScalar<long>("PRAGMA page_count") + 4;

        var acknowledged = new ConcurrentBag<Acknowledged>();
        var refused = new ConcurrentBag<(HttpResponseMessage Response, string Notes)>();
        async Task Writer(int writer)
        {
            var random = new Random(writer);
            for (var i = 0; refused.Count < 40 && i < 2_000; i++)
            {
                // Notes of a few hundred bytes each: the cap is reached within some dozens of writes.
                var body = cells[random.Next(cells.Count)] with { Notes = $"writer {writer} write {i} " + new string('n', 400) };
                var response = await admin.PostAsJsonAsync(results, body);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var result = (await response.Content.ReadFromJsonAsync<ResultInfo>())!;
                    acknowledged.Add(new Acknowledged(result.Id, result.Revision, body.Notes));
                }
                else refused.Add((response, body.Notes));
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => Writer(w))));

        Assert.NotEmpty(acknowledged);
        Assert.True(refused.Count >= 40, $"only {refused.Count} writes were refused");
        foreach (var (response, notes) in refused)
        {
            Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"the post of '{notes[..20]}' answered {(int)response.StatusCode}");
            var problem = await Problem.ReadAsync(response, HttpStatusCode.InsufficientStorage);
            Assert.Equal(DiskFullHandler.Detail, problem.Detail);
        }
        // A small write may still find room after a refused one (and clear the mark, as it should): the last word before
        // the health check is a write too large for any room left.
        HttpResponseMessage large;
        for (var attempt = 0; ; attempt++)
        {
            var body = cells[attempt % cells.Count] with { Notes = $"large {attempt} " + new string('L', ResultRules.MaxNotes - 20) };
            large = await admin.PostAsJsonAsync(results, body);
            if (large.StatusCode != HttpStatusCode.Created || attempt == 50) break;
            var result = (await large.Content.ReadFromJsonAsync<ResultInfo>())!;
            acknowledged.Add(new Acknowledged(result.Id, result.Revision, body.Notes));
        }
        Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(large, HttpStatusCode.InsufficientStorage)).Detail);
        await AssertNotWritableAsync();

        // The other doors to a write: an import, and a chair's write through Dapper.
        var import = cells.Take(8).Select((c, i) => c with { Notes = $"import row {i} " + new string('i', 1500) }).ToList();
        var imported = await admin.PostAsync($"{results}/import",
            new StringContent(JsonSerializer.Serialize(import, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"));
        Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(imported, HttpStatusCode.InsufficientStorage)).Detail);
        var organization = new Build(3).Organization() with { Name = new string('o', 200) };
        HttpResponseMessage chair;
        var tries = 0;
        // A small row may still fit in a page's free space: the chair writes until one needs a page the cap refuses.
        while ((chair = await admin.PostJson("/api/organizations", organization with { Key = $"{organization.Key}-{tries}" }))
               .StatusCode == HttpStatusCode.Created && ++tries < 50) { }
        Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(chair, HttpStatusCode.InsufficientStorage)).Detail);
        await AssertNotWritableAsync();

        using (var db = app.OpenDatabase())
        {
            foreach (var ack in acknowledged)
                Assert.Equal(ack.Notes, db.ExecuteScalar<string?>(
                    $"SELECT notes FROM {ResultStore.AllRevisions} WHERE result_id = @Id AND revision = @Revision", ack));
            var stored = db.Query<string>($"SELECT notes FROM {ResultStore.AllRevisions}").ToHashSet();
            Assert.DoesNotContain(refused, r => stored.Contains(r.Notes));
            Assert.DoesNotContain(import, r => stored.Contains(r.Notes));
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM organizations WHERE key = @key",
                new { key = $"{organization.Key}-{tries}" }));
            Assert.Equal("ok", db.ExecuteScalar<string>("PRAGMA integrity_check"));
        }

        // The commit loop's connection keeps the cap it was opened with until a refused commit makes it open another (a
        // real disk has no per-connection cap): the last shared commit before space comes back is a refused one.
        HttpResponseMessage last;
        var big = 0;
        while ((last = await admin.PostAsJsonAsync(results, cells[0] with { Notes = new string('b', 1800) })).StatusCode
               == HttpStatusCode.Created && ++big < 50) { }
        Assert.Equal(HttpStatusCode.InsufficientStorage, last.StatusCode);

        // Space comes back: the next write succeeds, with no restart, and /healthz says so.
        database.MaxPageCount = null;
        var resumed = await admin.PostAsJsonAsync(results, cells[0] with { Notes = "after the disk was freed" });
        Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
        var health = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", (await health.Content.ReadFromJsonAsync<Health.HealthReport>())!.Status);
        (await admin.PostAsync($"{results}/import",
            new StringContent(JsonSerializer.Serialize(import, JsonSerializerOptions.Web), Encoding.UTF8, "application/json")))
            .EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/organizations", organization)).StatusCode);
    }

    [Fact]
    public async Task A_chairs_write_once_space_is_back_is_enough_for_healthz_to_say_ok()
    {
        var admin = app.Admin();
        var database = (SqliteDatabase)app.Database;
        using (var db = app.OpenDatabase())
            database.MaxPageCount = db.ExecuteScalar<long>("PRAGMA page_count") + 2;
        var organization = new Build(31).Organization() with { Name = new string('q', 200) };
        HttpResponseMessage chair;
        var tries = 0;
        while ((chair = await admin.PostJson("/api/organizations", organization with { Key = $"{organization.Key}-{tries}" }))
               .StatusCode == HttpStatusCode.Created && ++tries < 100) { }
        Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(chair, HttpStatusCode.InsufficientStorage)).Detail);
        await AssertNotWritableAsync();

        // No result is logged: any write that commits says that space is back.
        database.MaxPageCount = null;
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/organizations", organization with { Key = $"{organization.Key}-back" })).StatusCode);
        var health = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private async Task AssertNotWritableAsync()
    {
        var health = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = (await health.Content.ReadFromJsonAsync<Health.HealthReport>())!;
        Assert.Equal("unhealthy", report.Status);
        Assert.StartsWith("not writable: a write was refused for lack of space", report.Database);
    }

    /// <summary>An open event of four products in two vendors and a plan of five cases; every planned cell.</summary>
    private static async Task<(string Event, List<ResultBody> Cells)> SetUpAsync(HttpClient admin)
    {
        var build = new Build(16);
        var plan = await admin.LoadPlan(Build.Plan(Enumerable.Range(1, 5).Select(i => new CaseSpec { Id = $"CASE-{i}" }).ToArray()));
        var products = new List<string>();
        for (var o = 0; o < 2; o++)
        {
            var organization = await admin.Register(build.Organization());
            for (var p = 0; p < 2; p++)
                products.Add((await admin.Register(build.Product(organization.Key) with { Technologies = ["SIP"] })).Key);
        }
        var @event = await admin.Create(build.Event(plan.Plan));
        await admin.Enter(@event.Key, [.. products]);
        await admin.MoveTo(@event.Key, "open");
        var cells = (from c in Enumerable.Range(1, 5)
                     from i in products
                     from r in products
                     where products.IndexOf(i) / 2 != products.IndexOf(r) / 2
                     select new ResultBody(plan.Plan, $"CASE-{c}", i, r, "pass", "")).ToList();
        return (@event.Key, cells);
    }
}
