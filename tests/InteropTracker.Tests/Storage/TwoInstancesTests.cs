using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.Tests.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace InteropTracker.Tests.Storage;

/// <summary>
/// Two instances of the app on one PostgreSQL database, sharing one data folder, as an operator runs them behind a
/// reverse proxy, driven at once: they migrate once when they start together, and what one changes reaches what the
/// other remembers within a second (credentials, matrices).
/// </summary>
[Trait("Engine", "Postgres")]
public sealed class TwoInstancesTests : IAsyncLifetime
{
    /// <summary>How soon a change made on one instance must be seen by the other.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    private readonly TestDatabase _database = TestDatabase.OnPostgres
        ? TestDatabase.Create()
        : throw new InvalidOperationException(
            $"These tests run two instances on one PostgreSQL database: set {TestDatabase.Variable} to a server's connection string " +
            "(.ci/postgres start prints one), or leave them out with --filter \"Engine!=Postgres\".");

    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "interop-tests", $"shared-{Guid.NewGuid():N}");

    private Instance _a = null!;
    private Instance _b = null!;

    /// <summary>One instance: the real app over the shared database and data folder.</summary>
    private sealed class Instance(string connectionString, string dataFolder) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Interop", connectionString);
            builder.UseSetting("INTEROP_ADMIN_TOKEN", AppFixture.AdminToken);
            builder.UseSetting("Interop:TestCasesDirectory", "");
            builder.UseSetting("Evidence:Folder", Path.Combine(dataFolder, "evidence"));
        }

        public HttpClient WithToken(string? token)
        {
            var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public HttpClient Admin() => WithToken(AppFixture.AdminToken);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataFolder);
        _a = new Instance(_database.ConnectionString!, _dataFolder);
        _b = new Instance(_database.ConnectionString!, _dataFolder);
        // Started together, as two services brought up at once: both migrate the empty database, or wait for the other.
        await Task.WhenAll(Task.Run(() => _a.Services), Task.Run(() => _b.Services));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_dataFolder, recursive: true);
    }

    [Fact]
    public async Task Both_instances_starting_together_on_an_empty_database_migrate_it_once_and_both_serve()
    {
        await using var db = new NpgsqlConnection(_database.ConnectionString);
        var applied = (await db.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY name")).ToList();
        Assert.Equal(Migrations.Available(DatabaseKind.Postgres).Order(StringComparer.Ordinal), applied);
        Assert.Equal(HttpStatusCode.OK, (await _a.WithToken(null).GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _b.WithToken(null).GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_token_revoked_on_one_instance_is_refused_by_the_other_within_a_second()
    {
        var created = await _a.Admin().PostJson("/api/tokens", new { role = Roles.Member, name = "member on two instances" })
            .ReadJson<AppFixture.CreatedToken>(HttpStatusCode.Created);
        using var onB = _b.WithToken(created.Token);
        // B has read the token and remembers it.
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/events")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _a.Admin().DeleteAsync($"/api/tokens/{created.Id}")).StatusCode);
        var took = await UntilAsync(async () => (await onB.GetAsync("/api/events")).StatusCode == HttpStatusCode.Unauthorized);

        Assert.True(took < Within, $"Instance B still took the revoked token {took.TotalMilliseconds:0} ms after A revoked it.");
        var refused = await Problem.ReadAsync(await onB.GetAsync("/api/events"), HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", refused.Detail);
    }

    [Fact]
    public async Task A_session_signed_out_on_one_instance_is_refused_by_the_other_within_a_second()
    {
        var created = await _a.Admin().PostJson("/api/tokens", new { role = Roles.Member, name = "member signing out" })
            .ReadJson<AppFixture.CreatedToken>(HttpStatusCode.Created);
        var cookie = await _a.WithToken(null).SignInAsync(created.Token);
        using var onB = _b.WithToken(null);
        HttpRequestMessage Read() => new(HttpMethod.Get, "/api/events") { Headers = { { "Cookie", cookie } } };
        Assert.Equal(HttpStatusCode.OK, (await onB.SendAsync(Read())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.SendAsync(Read())).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await _a.WithToken(null).SignOutAsync(cookie)).StatusCode);
        var took = await UntilAsync(async () => (await onB.SendAsync(Read())).StatusCode == HttpStatusCode.Unauthorized);

        Assert.True(took < Within, $"Instance B still took the ended session {took.TotalMilliseconds:0} ms after A signed it out.");
    }

    /// <summary>An open event of one SIP case and two products of different organizations, made on A.</summary>
    private async Task<(string Event, string Plan, string Caller, string Callee)> OpenEventAsync()
    {
        var chair = _a.Admin();
        var build = new Build(13);
        var plan = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "CALL-1" }));
        var first = (await chair.Register(build.Organization())).Key;
        var second = (await chair.Register(build.Organization())).Key;
        var caller = (await chair.Register(build.Product(first) with { Technologies = ["SIP"] })).Key;
        var callee = (await chair.Register(build.Product(second) with { Technologies = ["SIP"] })).Key;
        var created = await chair.Create(build.Event(plan.Plan));
        await chair.Enter(created.Key, caller, callee);
        await chair.MoveTo(created.Key, "open");
        return (created.Key, plan.Plan, caller, callee);
    }

    private static Task<HttpResponseMessage> Log(Instance on, (string Event, string Plan, string Caller, string Callee) e, string verdict) =>
        on.Admin().PostJson($"/api/events/{e.Event}/results",
            new { plan = e.Plan, @case = "CALL-1", initiator = e.Caller, responder = e.Callee, verdict });

    [Fact]
    public async Task A_result_logged_on_one_instance_shows_in_the_other_instances_matrix_within_a_second()
    {
        var e = await OpenEventAsync();
        var matrixOnB = $"/api/events/{e.Event}/matrix";
        async Task<long> PassesOnB() =>
            (await _b.Admin().GetAsync(matrixOnB).ReadJson<JsonElement>()).GetProperty("total").GetProperty("pass").GetInt64();
        // B has built this matrix and remembers it under its results version.
        Assert.Equal(0, await PassesOnB());
        Assert.Equal(0, await PassesOnB());

        Assert.Equal(HttpStatusCode.Created, (await Log(_a, e, "pass")).StatusCode);
        var took = await UntilAsync(async () => await PassesOnB() == 1);

        Assert.True(took < Within, $"Instance B's matrix showed the result {took.TotalMilliseconds:0} ms after A logged it.");
    }

    [Fact]
    public async Task A_page_that_polls_its_matrix_through_another_instance_is_sent_the_matrix_as_that_instance_has_it()
    {
        var e = await OpenEventAsync();
        var created = await _a.Admin().PostJson("/api/tokens", new { role = Roles.Member, name = "member watching the matrix" })
            .ReadJson<AppFixture.CreatedToken>(HttpStatusCode.Created);
        var cookie = await _a.WithToken(null).SignInAsync(created.Token);
        async Task<HttpResponseMessage> Grid(Instance on, string query)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/events/{e.Event}?handler=Grid&technology=SIP{query}");
            request.Headers.Add("Cookie", cookie);
            return await on.WithToken(null).SendAsync(request);
        }
        var held = await (await Grid(_a, "")).ReadJson<JsonElement>();
        var since = $"&since={held.GetProperty("version").GetInt64()}&stamp={Uri.EscapeDataString(held.GetProperty("stamp").GetString()!)}";
        Assert.Equal(HttpStatusCode.NoContent, (await Grid(_a, since)).StatusCode);

        // A result is logged, then the proxy sends the page's next poll to an instance started since: it has counted
        // no more changes than A had when the page was sent its matrix, yet its matrix holds the result.
        Assert.Equal(HttpStatusCode.Created, (await Log(_b, e, "pass")).StatusCode);
        await using var third = new Instance(_database.ConnectionString!, _dataFolder);
        var polled = await Grid(third, since);

        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        Assert.Equal(await (await Grid(third, "")).Content.ReadAsStringAsync(), await polled.Content.ReadAsStringAsync());
        Assert.NotEqual(held.GetProperty("version").GetInt64(), (await polled.ReadJson<JsonElement>()).GetProperty("version").GetInt64());
    }

    /// <summary>How long until <paramref name="holds"/> held, asked every 10 ms; fails the test after ten seconds.</summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<bool>> holds)
    {
        var clock = Stopwatch.StartNew();
        while (!await holds())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) Assert.Fail("Instance B did not see the change made on A within ten seconds.");
            await Task.Delay(10);
        }
        return clock.Elapsed;
    }
}
