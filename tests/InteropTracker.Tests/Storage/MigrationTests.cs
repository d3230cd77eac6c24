using Dapper;
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
}
