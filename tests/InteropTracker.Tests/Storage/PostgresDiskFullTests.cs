using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using InteropTracker.EventResults;
using InteropTracker.Storage;
using Npgsql;

namespace InteropTracker.Tests.Storage;

/// <summary>
/// PostgreSQL out of space. Its disk cannot be filled on purpose as SQLite's page cap fills the file (DiskFullTests), so
/// the server is made to refuse writes to a table the way a full disk makes it, with SQLSTATE 53100 (disk_full), by a
/// trigger: the app sees the very error a full disk gives. A refused write answers 507 and stores nothing, /healthz says
/// the database is not writable, and once space is back the next write succeeds and clears it.
/// </summary>
[Trait("Engine", "Postgres")]
public sealed class PostgresDiskFullTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public void PostgreSQLs_disk_full_is_out_of_space_and_no_other_error_is()
    {
        Assert.True(DiskFullHandler.IsOutOfSpace(Error(PostgresErrorCodes.DiskFull)));
        Assert.Equal("53100", PostgresErrorCodes.DiskFull);
        Assert.False(DiskFullHandler.IsOutOfSpace(Error(PostgresErrorCodes.UniqueViolation)));
        Assert.False(DiskFullHandler.IsOutOfSpace(Error(PostgresErrorCodes.OutOfMemory)));
        Assert.False(DiskFullHandler.IsOutOfSpace(Error(PostgresErrorCodes.SerializationFailure)));
    }

    [Fact]
    public async Task A_chairs_write_refused_for_lack_of_space_answers_507_stores_nothing_and_the_next_write_clears_healthz()
    {
        var admin = app.Admin();
        var organization = new Build(53).Organization();
        var before = Count("organizations");

        await using (Full("organizations"))
        {
            var refused = await admin.PostJson("/api/organizations", organization);
            Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(refused, HttpStatusCode.InsufficientStorage)).Detail);
            Assert.Equal(before, Count("organizations"));
            await AssertNotWritableAsync();
            // Reads still work while writes are refused.
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/organizations")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/organizations", organization)).StatusCode);
        var health = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", (await health.Content.ReadFromJsonAsync<Health.HealthReport>())!.Status);
    }

    [Fact]
    public async Task Results_refused_for_lack_of_space_answer_507_lose_nothing_acknowledged_and_resume_once_space_is_back()
    {
        var admin = app.Admin();
        var (eventKey, cells) = await SetUpAsync(admin);
        var results = $"/api/events/{eventKey}/results";
        var logged = await admin.PostAsJsonAsync(results, cells[0] with { Notes = "before the disk filled" });
        var acknowledged = (await logged.Content.ReadFromJsonAsync<ResultInfo>())!;

        var import = cells.Skip(2).Select((c, i) => c with { Notes = $"import row {i}" }).ToList();
        await using (Full("results"))
        {
            var refused = await admin.PostAsJsonAsync(results, cells[1] with { Notes = "refused for lack of space" });
            Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(refused, HttpStatusCode.InsufficientStorage)).Detail);
            var imported = await admin.PostAsync($"{results}/import",
                new StringContent(JsonSerializer.Serialize(import, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"));
            Assert.Equal(DiskFullHandler.Detail, (await Problem.ReadAsync(imported, HttpStatusCode.InsufficientStorage)).Detail);
            await AssertNotWritableAsync();

            using var db = app.OpenDatabase();
            Assert.Equal(["before the disk filled"], db.Query<string>("SELECT notes FROM results WHERE notes IS NOT NULL AND notes <> ''"));
            Assert.Equal(acknowledged.Id, db.ExecuteScalar<long>("SELECT id FROM results"));
        }

        var resumed = await admin.PostAsJsonAsync(results, cells[1] with { Notes = "after the disk was freed" });
        Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/healthz")).StatusCode);
        (await admin.PostAsync($"{results}/import",
            new StringContent(JsonSerializer.Serialize(import, JsonSerializerOptions.Web), Encoding.UTF8, "application/json")))
            .EnsureSuccessStatusCode();
        using (var db = app.OpenDatabase())
            Assert.Equal(2 + import.Count, db.ExecuteScalar<long>("SELECT count(*) FROM results"));
    }

    private static PostgresException Error(string sqlState) =>
        new("could not extend file \"base/16384/16385\": No space left on device", "ERROR", "ERROR", sqlState);

    /// <summary>Until disposed, the server refuses every new row of the table as a full disk makes it refuse them.</summary>
    private IAsyncDisposable Full(string table)
    {
        using (var db = app.OpenDatabase())
            db.Execute($"""
                CREATE FUNCTION refuse_for_space() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
                END $$;
                CREATE TRIGGER disk_full BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_for_space();
                """);
        return new SpaceBack(app, table);
    }

    private sealed class SpaceBack(AppFixture app, string table) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            using var db = app.OpenDatabase();
            db.Execute($"DROP TRIGGER disk_full ON {table}; DROP FUNCTION refuse_for_space();");
            return ValueTask.CompletedTask;
        }
    }

    private long Count(string table)
    {
        using var db = app.OpenDatabase();
        return db.ExecuteScalar<long>($"SELECT count(*) FROM {table}");
    }

    private async Task AssertNotWritableAsync()
    {
        var health = await app.Anonymous().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = (await health.Content.ReadFromJsonAsync<Health.HealthReport>())!;
        Assert.Equal("unhealthy", report.Status);
        Assert.StartsWith("not writable: a write was refused for lack of space", report.Database);
    }

    private sealed record ResultBody(string Plan, string Case, string Initiator, string Responder, string Verdict, string Notes);

    /// <summary>An open event of two products of two vendors and a plan of five cases; a cell of each case.</summary>
    private static async Task<(string Event, List<ResultBody> Cells)> SetUpAsync(HttpClient admin)
    {
        var build = new Build(54);
        var plan = await admin.LoadPlan(Build.Plan(Enumerable.Range(1, 5).Select(i => new CaseSpec { Id = $"FULL-{i}" }).ToArray()));
        var products = new List<string>();
        for (var o = 0; o < 2; o++)
        {
            var organization = await admin.Register(build.Organization());
            products.Add((await admin.Register(build.Product(organization.Key) with { Technologies = ["SIP"] })).Key);
        }
        var @event = await admin.Create(build.Event(plan.Plan));
        await admin.Enter(@event.Key, [.. products]);
        await admin.MoveTo(@event.Key, "open");
        var cells = (from c in Enumerable.Range(1, 5)
                     from i in products
                     from r in products
                     where products.IndexOf(i) < products.IndexOf(r)
                     select new ResultBody(plan.Plan, $"FULL-{c}", i, r, "pass", "")).ToList();
        return (@event.Key, cells);
    }
}
