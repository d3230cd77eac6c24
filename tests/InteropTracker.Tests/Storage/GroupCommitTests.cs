using Dapper;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Tests.Storage;

public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
    private Database _database = null!;
    private GroupCommit _commits = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        _database = new Database($"Data Source={_file}");
        Migrations.Apply(_database);
        _commits = new GroupCommit(_database, NullLogger<GroupCommit>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _commits.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_file + suffix);
    }

    private static int Audit(CommitBatch batch, string subject) =>
        batch.Connection.Execute("INSERT INTO audit_log (at, action, subject) VALUES ('2026-01-01', 'test', @subject)",
            new { subject }, batch.Transaction);

    [Fact]
    public async Task Writes_waiting_together_share_one_commit_and_one_that_throws_rolls_back_alone()
    {
        // The first write holds the loop until the others are queued behind it, so that they form the next batch.
        using var release = new ManualResetEventSlim();
        var first = _commits.WriteAsync(batch =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return Audit(batch, "first");
        });
        var batches = new List<object>();
        var before = _commits.WriteAsync(batch =>
        {
            batches.Add(batch.Shared((_, _) => new object()));
            return Audit(batch, "before");
        });
        var refused = _commits.WriteAsync<int>(batch =>
        {
            batches.Add(batch.Shared((_, _) => new object()));
            Audit(batch, "refused");
            throw new InvalidOperationException("this write is refused after it wrote");
        });
        var after = _commits.WriteAsync(batch =>
        {
            batches.Add(batch.Shared((_, _) => new object()));
            return Audit(batch, "after");
        });
        release.Set();

        Assert.Equal(1, await first);
        Assert.Equal(1, await before);
        Assert.Equal(1, await after);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refused);
        Assert.Equal("this write is refused after it wrote", error.Message);
        Assert.Equal(3, batches.Count);
        Assert.Single(batches.Distinct());

        using var connection = _database.Open();
        Assert.Equal(["after", "before", "first"],
            connection.Query<string>("SELECT subject FROM audit_log ORDER BY subject").ToList());
    }

    [Fact]
    public async Task A_write_is_acknowledged_only_once_its_commit_is_visible_to_another_connection()
    {
        var writes = Enumerable.Range(0, 200).Select(i => _commits.WriteAsync(batch => Audit(batch, $"w{i}"))).ToList();
        foreach (var (write, i) in writes.Select((w, i) => (w, i)))
        {
            await write;
            using var connection = _database.Open();
            Assert.Equal(1L, connection.ExecuteScalar<long>("SELECT count(*) FROM audit_log WHERE subject = @s", new { s = $"w{i}" }));
        }
    }

    [Fact]
    public async Task A_commit_that_fails_stores_and_acknowledges_nothing_of_its_batch()
    {
        using var release = new ManualResetEventSlim();
        var holder = _commits.WriteAsync(batch =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return 0;
        });
        var stored = _commits.WriteAsync(batch => Audit(batch, "would be stored"));
        // A foreign key checked only at commit: the write itself succeeds, the shared COMMIT fails.
        var breaker = _commits.WriteAsync(batch =>
        {
            batch.Connection.Execute("PRAGMA defer_foreign_keys = ON", transaction: batch.Transaction);
            return batch.Connection.Execute("""
                INSERT INTO result_revisions (result_id, revision, verdict, recorded_at) VALUES (999999, 1, 'pass', '2026-01-01')
                """, transaction: batch.Transaction);
        });
        release.Set();

        await Assert.ThrowsAsync<SqliteException>(() => stored);
        await Assert.ThrowsAsync<SqliteException>(() => breaker);
        await Task.WhenAny(holder); // in the failed batch or in one before it: either way not part of this test's claim
        Assert.Equal(1, await _commits.WriteAsync(batch => Audit(batch, "the loop goes on")));

        using var connection = _database.Open();
        Assert.Equal(["the loop goes on"], connection.Query<string>("SELECT subject FROM audit_log").ToList());
        Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT count(*) FROM result_revisions"));
    }
}
