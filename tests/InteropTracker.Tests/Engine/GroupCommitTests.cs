using Dapper;
using InteropTracker.Engine.Sqlite;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Tests.Engine;

[Trait("Engine", "Sqlite")]
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
    private SqliteDatabase _database = null!;
    private GroupCommit _commits = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        _database = new SqliteDatabase($"Data Source={_file}");
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
            batches.Add(batch.OncePerBatch((_, _) => new object()));
            return Audit(batch, "before");
        });
        var refused = _commits.WriteAsync<int>(batch =>
        {
            batches.Add(batch.OncePerBatch((_, _) => new object()));
            Audit(batch, "refused");
            throw new InvalidOperationException("this write is refused after it wrote");
        });
        var after = _commits.WriteAsync(batch =>
        {
            batches.Add(batch.OncePerBatch((_, _) => new object()));
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

        using var connection = _database.OpenSqlite();
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
            using var connection = _database.OpenSqlite();
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

        using var connection = _database.OpenSqlite();
        Assert.Equal(["the loop goes on"], connection.Query<string>("SELECT subject FROM audit_log").ToList());
        Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT count(*) FROM result_revisions"));
    }

    /// <summary>A log flush the test holds until it lets it go, or makes fail.</summary>
    private sealed class HeldFlush(SqliteDatabase database) : LogFlush(database)
    {
        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();
        public Exception? Failure { get; set; }

        public override void Flush()
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
            if (Failure is not null) throw Failure;
            base.Flush();
        }
    }

    [Fact]
    public async Task A_committed_write_is_acknowledged_only_once_the_log_is_flushed_to_the_disk()
    {
        var flush = new HeldFlush(_database);
        await using var commits = new GroupCommit(_database, NullLogger<GroupCommit>.Instance, flush);
        var write = commits.WriteAsync(batch => Audit(batch, "held"));

        Assert.True(flush.Entered.Wait(TimeSpan.FromSeconds(10)));
        using (var connection = _database.OpenSqlite()) // committed: another connection reads it ...
            Assert.Equal(["held"], connection.Query<string>("SELECT subject FROM audit_log").ToList());
        await Task.Delay(100);
        Assert.False(write.IsCompleted); // ... but not acknowledged while its flush has not returned

        flush.Release.Set();
        Assert.Equal(1, await write);
    }

    [Fact]
    public async Task A_write_whose_flush_fails_is_not_acknowledged()
    {
        var flush = new HeldFlush(_database) { Failure = new IOException("the disk is gone") };
        flush.Release.Set();
        await using var commits = new GroupCommit(_database, NullLogger<GroupCommit>.Instance, flush);

        var error = await Assert.ThrowsAsync<IOException>(() => commits.WriteAsync(batch => Audit(batch, "not known to be on the disk")));
        Assert.Equal("the disk is gone", error.Message);
    }

    [Fact]
    public async Task Under_writes_that_never_stop_the_log_starts_over_instead_of_growing()
    {
        // 3,000 writes of a page each, ten at a time, would leave a log of over 12 MB; it starts over past 256 frames (1 MB).
        await using var commits = new GroupCommit(_database, NullLogger<GroupCommit>.Instance, restartFrames: 256);
        var page = new string('x', 4000);
        for (var wave = 0; wave < 300; wave++)
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => commits.WriteAsync(batch => Audit(batch, $"{wave:D3}.{i} {page}"))));

        Assert.True(new FileInfo(_file + "-wal").Length < 6_000_000, $"the log is {new FileInfo(_file + "-wal").Length:N0} bytes");
        using var connection = _database.OpenSqlite();
        Assert.Equal(3000L, connection.ExecuteScalar<long>("SELECT count(*) FROM audit_log"));
        Assert.Equal("ok", connection.ExecuteScalar<string>("PRAGMA integrity_check"));
    }

    [Fact]
    public async Task Foreign_keys_off_for_a_bulk_write_come_back_on_for_the_connection_after_it()
    {
        await using var connection = await _database.OpenSqliteAsync();
        await using (await ForeignKeys.OffAsync(connection))
            Assert.Equal(0L, connection.ExecuteScalar<long>("PRAGMA foreign_keys"));
        Assert.Equal(1L, connection.ExecuteScalar<long>("PRAGMA foreign_keys"));
    }
}
