using System.Net;
using Dapper;
using InteropTracker.Engine.Postgres;
using InteropTracker.Storage;
using InteropTracker.Tests.EventResults;
using InteropTracker.Tests.Performance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InteropTracker.Tests.Engine;

/// <summary>
/// How an instance on PostgreSQL writes single results: at most its configured number at once, the others waiting their
/// turn and all landing; and connections going back to the pool without a reset (so that the server keeps their
/// plans) hold no lock of the session that used them.
/// </summary>
[Trait("Engine", "Postgres")]
public sealed class PostgresWritesTests(PostgresWritesTests.OneWriterAtATime app) : IClassFixture<PostgresWritesTests.OneWriterAtATime>
{
    /// <summary>The app writing one result at a time, the narrowest the setting allows.</summary>
    public sealed class OneWriterAtATime : AppFixture
    {
        protected override IDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { [PostgresResultEngine.ConcurrentWritesSetting] = "1" };
    }

    [Fact]
    public async Task Forty_engineers_posting_at_once_through_one_writer_all_land_and_the_tallies_match_a_recount()
    {
        var floor = await TestFloor.OpenAsync(app, new Build(7301));
        // Initiators that may start both cases (the secure call needs sips-uri on the initiator's side), both directions of A1-C1.
        var pairs = new[] { (floor.A1, floor.B1), (floor.C1, floor.B1), (floor.A1, floor.C1), (floor.C1, floor.A1) };
        var cases = new[] { TestFloor.Call, TestFloor.SecureCall };
        var verdicts = new[] { "pass", "fail", "na", "blocked" };
        using var admin = app.Admin();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(n =>
        {
            var (initiator, responder) = pairs[n % pairs.Length];
            return admin.PostJson(floor.Results,
                floor.Result(cases[n / pairs.Length % cases.Length], initiator, responder, verdicts[n % verdicts.Length], $"post {n}"));
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        // Eight cells, every post one revision of its cell's result.
        Assert.Equal((8L, 40L), floor.Counts());
        using var db = app.OpenDatabase();
        Assert.True(TallyRecount.AssertTalliesMatchResults(db) > 0);
    }

    [Fact]
    public void The_setting_must_allow_at_least_one_write_and_by_default_allows_a_few_per_core()
    {
        static IConfiguration With(string? value) =>
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PostgresResultEngine.ConcurrentWritesSetting] = value }).Build();

        Assert.Equal(PostgresResultEngine.DefaultConcurrentWritesPerCore * Environment.ProcessorCount,
            PostgresResultEngine.ConcurrentWrites(With(null)));
        Assert.Equal(3, PostgresResultEngine.ConcurrentWrites(With("3")));
        var refused = Assert.Throws<InvalidOperationException>(() => PostgresResultEngine.ConcurrentWrites(With("0")));
        Assert.Equal("Interop:Postgres:ConcurrentWrites must be at least 1 (it is 0).", refused.Message);
    }

    [Fact]
    public async Task A_connection_goes_back_to_the_pool_without_a_reset_and_without_the_advisory_lock_it_held()
    {
        var database = Assert.IsType<PostgresDatabase>(app.Database);
        Assert.True(new NpgsqlConnectionStringBuilder(database.ConnectionString).NoResetOnClose);
        int backend;
        await using (var connection = await database.OpenAsync())
        {
            backend = ((NpgsqlConnection)connection).ProcessID;
            await using (await InstanceLock.HoldAsync(connection, InstanceLock.EvidencePlacing))
                Assert.Equal(1L, await LocksAsync(backend));
        }
        // Back in the pool, its session still open on the server, and holding nothing.
        Assert.Equal(1L, await BackendsAsync(backend));
        Assert.Equal(0L, await LocksAsync(backend));
    }

    private async Task<long> BackendsAsync(int backend)
    {
        await using var observer = new NpgsqlConnection(app.ConnectionString);
        await observer.OpenAsync();
        return await observer.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = @backend", new { backend });
    }

    /// <summary>The advisory locks a backend holds, seen from another connection.</summary>
    private async Task<long> LocksAsync(int backend)
    {
        await using var observer = new NpgsqlConnection(app.ConnectionString);
        await observer.OpenAsync();
        return await observer.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = @backend AND granted", new { backend });
    }
}
