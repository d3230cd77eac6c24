using System.Security.Cryptography;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;

namespace InteropTracker.Tests.Storage;

public class MigrationTests
{
    [Fact]
    [Trait("Engine", "Sqlite")] // its settings are SQLite's; PostgresMigrationTests runs the same on PostgreSQL
    public void Migrations_apply_in_order_once_and_a_second_start_applies_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var database = new SqliteDatabase($"Data Source={file}");

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
    private static readonly Dictionary<string, string> LandedSqlite = new()
    {
        ["0001_initial"] = "805ed9c7d3e33c3e427dfc6ec4636ffad4691231834de8d9213df96f12fd8fde",
        ["0002_tallies"] = "b43b6fc04e66f87f0295709271daeccbe68239d0c80deea11164d524d49daa74",
        ["0003_product_lines"] = "71dbc427f130026a5d80c7e519dba1164111572ccbea3f42415b282731a64014",
        ["0004_schedules"] = "4975d356880c6f0e592c5e86c17000c952d950553c1f14c79467c2a977354c60",
        ["0005_evidence"] = "5bf571843239b761c32b665a595075207be63f42449dbfe2afaa0e401165b818",
        ["0006_corrections"] = "66ff34aea52b17beea340f05424abd42f1326aa9f4479afb12884c80095548c9",
        ["0007_snapshots_and_review"] = "9dfb649b2d2d7f355f7a14f5e6ffac4a935c62cf85c937fcdbbd0f64ad571252",
        ["0008_result_attributes"] = "13d591db404c9d1a07e6d9860d92e16c055d48e3fb719914eaa70086e9969857",
        ["0009_append_result"] = "82b5bb5f29f9d0e512037386c0a0cddbae2e7ed123d1255c3c0ab5da9e99c502",
    };

    /// <summary>PostgreSQL's twins of the same numbers (db/migrations/postgres), pinned the same way.</summary>
    private static readonly Dictionary<string, string> LandedPostgres = new()
    {
        ["0001_initial"] = "c0b18e6ee03f621c40895eacc48c8d6dd19fcc1c73ba108c56a54ff7be204be9",
        ["0002_tallies"] = "93630ae8a78a47af187d05c4cdbb0d464c67e93e39960a6a309e120d924b8e3e",
        ["0003_product_lines"] = "71dbc427f130026a5d80c7e519dba1164111572ccbea3f42415b282731a64014",
        ["0004_schedules"] = "412da0699d3363056b8bdd36027954c786fe2f003825c29a71a32d12778109e6",
        ["0005_evidence"] = "198c4ebc470f8a9882b96f9f783440da8b7f586ee7cc78d6a490c5ecb0e3393c",
        ["0006_corrections"] = "09460ddd7690619338ff7585483d9ab33accb9ce7477a90cb18e0798d17a1860",
        ["0007_snapshots_and_review"] = "d50cb742c53b36373e54f38c1ea945ee04a9dcdc1f07326048592da7cfbaac04",
        ["0008_result_attributes"] = "13d591db404c9d1a07e6d9860d92e16c055d48e3fb719914eaa70086e9969857",
        ["0009_append_result"] = "877dd2bfeeb5d459d3dad732bd6e4a15822dd94acfdec3be9ccd30fd79cdfd3f",
    };

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public void Every_landed_migration_is_unchanged_and_every_migration_is_pinned(DatabaseKind kind)
    {
        var landed = kind == DatabaseKind.Postgres ? LandedPostgres : LandedSqlite;
        var shipped = Migrations.Available(kind).ToDictionary(n => n,
            n => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Migrations.Read(kind, n)))));

        Assert.Equal(landed.Keys.Order(StringComparer.Ordinal), shipped.Keys);
        foreach (var (name, hash) in landed)
            Assert.True(shipped[name] == hash, $"Migration {kind} {name} was changed after it landed; put the change in a new migration instead.");
    }

    [Fact]
    public void Both_engines_have_the_same_numbered_migrations_without_gaps_from_0001()
    {
        var numbers = Migrations.Available().Select(n => int.Parse(n[..4])).ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        Assert.Equal(Migrations.Available(DatabaseKind.Sqlite), Migrations.Available(DatabaseKind.Postgres));
    }
}
