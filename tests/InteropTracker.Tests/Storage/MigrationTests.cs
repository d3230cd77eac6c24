using System.Security.Cryptography;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;

namespace InteropTracker.Tests.Storage;

public class MigrationTests
{
    [Fact]
    public void Migrations_apply_in_order_once_and_a_second_start_applies_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var database = new Database($"Data Source={file}");

        var first = Migrations.Apply(database);
        Assert.Equal(Migrations.Available(), first);
        Assert.Equal("0001_initial", first[0]);
        Assert.Empty(Migrations.Apply(database));

        using var connection = database.Open();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(1L, connection.ExecuteScalar<long>("PRAGMA foreign_keys"));
        Assert.Equal(2L, connection.ExecuteScalar<long>("PRAGMA synchronous")); // FULL
        Assert.Equal(first.Count, connection.ExecuteScalar<long>("SELECT count(*) FROM schema_migrations"));
    }

    /// <summary>
    /// Every migration that has landed, by its SHA-256. A database that ran one never runs it again, so an edited or
    /// renamed migration would leave databases apart: a change to the schema is a new file, added here.
    /// </summary>
    private static readonly Dictionary<string, string> Landed = new()
    {
        ["0001_initial"] = "805ed9c7d3e33c3e427dfc6ec4636ffad4691231834de8d9213df96f12fd8fde",
        ["0002_tallies"] = "b43b6fc04e66f87f0295709271daeccbe68239d0c80deea11164d524d49daa74",
        ["0003_product_lines"] = "71dbc427f130026a5d80c7e519dba1164111572ccbea3f42415b282731a64014",
        ["0004_schedules"] = "4975d356880c6f0e592c5e86c17000c952d950553c1f14c79467c2a977354c60",
        ["0005_evidence"] = "5bf571843239b761c32b665a595075207be63f42449dbfe2afaa0e401165b818",
        ["0006_corrections"] = "66ff34aea52b17beea340f05424abd42f1326aa9f4479afb12884c80095548c9",
        ["0007_snapshots_and_review"] = "9dfb649b2d2d7f355f7a14f5e6ffac4a935c62cf85c937fcdbbd0f64ad571252",
        ["0008_result_attributes"] = "13d591db404c9d1a07e6d9860d92e16c055d48e3fb719914eaa70086e9969857",
    };

    [Fact]
    public void Every_landed_migration_is_unchanged_and_every_migration_is_pinned()
    {
        var shipped = Migrations.Available().ToDictionary(n => n, n =>
        {
            using var stream = typeof(Migrations).Assembly.GetManifestResourceStream($"migrations/{n}.sql")!;
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });

        Assert.Equal(Landed.Keys.Order(StringComparer.Ordinal), shipped.Keys);
        foreach (var (name, hash) in Landed)
            Assert.True(shipped[name] == hash, $"Migration {name} was changed after it landed; put the change in a new migration instead.");
    }

    [Fact]
    public void Migrations_are_numbered_without_gaps_from_0001()
    {
        var numbers = Migrations.Available().Select(n => int.Parse(n[..4])).ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
    }
}
