using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Tests.Storage;

/// <summary>
/// The migrations on PostgreSQL, each test on an empty database of its own: applied once, in order; nothing at a second
/// start; and instances starting together at once on one database migrate it exactly once, without an error, and leave
/// one admin token.
/// </summary>
[Trait("Engine", "Postgres")]
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.OnPostgres
        ? TestDatabase.Create()
        : throw new InvalidOperationException(
            $"These tests migrate PostgreSQL databases: set {TestDatabase.Variable} to a server's connection string " +
            "(.ci/postgres start prints one), or leave them out with --filter \"Engine!=Postgres\".");

    private readonly List<PostgresDatabase> _opened = [];

    /// <summary>An instance's own data source on the test's database, as each process has one.</summary>
    private PostgresDatabase Instance()
    {
        var database = new PostgresDatabase(_database.ConnectionString!, Path.GetTempPath());
        _opened.Add(database);
        return database;
    }

    [Fact]
    public void Migrations_apply_in_order_once_and_a_second_start_applies_nothing()
    {
        var database = Instance();

        var first = Migrations.Apply(database);
        Assert.Equal(Migrations.Available(DatabaseKind.Postgres), first);
        Assert.Equal("0001_initial", first[0]);
        Assert.Empty(Migrations.Apply(database));
        Assert.Empty(Migrations.Apply(Instance()));

        using var connection = database.Open();
        Assert.Equal(first, connection.Query<string>("SELECT name FROM schema_migrations ORDER BY name"));
        // The schema is the one the features speak to: every integer a BIGINT, as Dapper reads SQLite's.
        Assert.Empty(connection.Query<string>("""
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND data_type IN ('integer', 'smallint', 'numeric', 'real')
            """));
    }

    [Fact]
    public async Task Instances_starting_together_migrate_once_without_an_error()
    {
        var instances = Enumerable.Range(0, 4).Select(_ => Instance()).ToList();
        using var start = new Barrier(instances.Count);

        var applied = await Task.WhenAll(instances.Select(database => Task.Run(() =>
        {
            start.SignalAndWait();
            return Migrations.Apply(database);
        })));

        // One of them applied every migration; the others waited for it and found nothing left.
        Assert.Single(applied, a => a.Count > 0);
        Assert.Equal(Migrations.Available(DatabaseKind.Postgres), applied.Single(a => a.Count > 0));
        using var connection = instances[0].Open();
        var names = connection.Query<string>("SELECT name FROM schema_migrations").ToList();
        Assert.Equal(Migrations.Available(DatabaseKind.Postgres).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Instances_starting_together_with_the_same_INTEROP_ADMIN_TOKEN_store_it_once()
    {
        Migrations.Apply(Instance());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [Tokens.BootstrapVariable] = AppFixture.AdminToken })
            .Build();
        var instances = Enumerable.Range(0, 4).Select(_ => Instance()).ToList();
        using var start = new Barrier(instances.Count);

        await Task.WhenAll(instances.Select(database => Task.Run(async () =>
        {
            start.SignalAndWait();
            await Tokens.EnsureFirstAdminAsync(database, configuration, NullLogger.Instance);
        })));

        using var connection = instances[0].Open();
        Assert.Equal(1L, connection.ExecuteScalar<long>("SELECT count(*) FROM tokens"));
        Assert.Equal(Roles.Admin, connection.ExecuteScalar<string>("SELECT role FROM tokens"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _opened) await database.Source.DisposeAsync();
        await _database.DisposeAsync();
    }
}
