using Microsoft.Data.Sqlite;
using InteropTracker.Storage;
using SQLitePCL;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Copies committed pages from the write-ahead log into the database file on a thread of its own, so that the shared
/// commit loop (<see cref="GroupCommit"/>) does not. Each commit wakes it; it runs a PASSIVE checkpoint (which waits
/// for no reader and no writer) of whatever the log holds beyond what it last copied, and sleeps again.
/// A log that keeps being written to never starts over by itself: it restarts from its beginning only when a write
/// begins while every frame in it has been copied, which a checkpoint running beside a busy writer never quite
/// reaches. So once the log is longer than <see cref="DefaultRestartFrames"/>, <see cref="RestartWanted"/> asks the commit
/// loop to finish the job between two batches (this thread pauses meanwhile, not to hold the checkpoint lock): by then
/// only the last few commits are left to copy.
/// </summary>
public sealed class Checkpointer : IDisposable
{
    /// <summary>The log frames (pages) past which the commit loop copies the rest itself, so that the log starts over.</summary>
    public const int DefaultRestartFrames = 16384;

    private readonly int _restartFrames;

    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile bool _restartWanted;

    public Checkpointer(SqliteDatabase database, ILogger logger, int restartFrames = DefaultRestartFrames)
    {
        _restartFrames = restartFrames;
        _connectionString = new SqliteConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "WAL checkpoints" };
        _thread.Start();
    }

    /// <summary>Whether the commit loop should checkpoint the log's last frames itself, so that it starts over.</summary>
    public bool RestartWanted => _restartWanted;

    /// <summary>
    /// Commits, or writes, between two background checkpoints: each checkpoint costs two flushes (the log, then the
    /// database), not worth running for every commit's few pages.
    /// </summary>
    public const int CommitsPerCheckpoint = 64, WritesPerCheckpoint = 2048;

    private int _commits, _writes;

    /// <summary>Called by the commit loop after each commit of <paramref name="writes"/> writes: there is more in the log to copy.</summary>
    public void Committed(int writes)
    {
        _writes += writes;
        if (++_commits < CommitsPerCheckpoint && _writes < WritesPerCheckpoint) return;
        (_commits, _writes) = (0, 0);
        if (_wake.CurrentCount == 0) _wake.Release(); // the loop alone releases: not full after the check
    }

    /// <summary>
    /// The commit loop's part, between two batches, on its own connection: copies what is left. True when the whole log
    /// was copied, so that the next write starts it over.
    /// </summary>
    public bool Finish(SqliteConnection connection)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var copied);
        if (rc == raw.SQLITE_OK && log == copied)
        {
            _restartWanted = false;
            return true;
        }
        return false; // the background checkpoint holds the checkpoint lock, or a reader pins a frame: next time
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                try
                {
                    _wake.Wait(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (_restartWanted) continue; // the commit loop's turn: a checkpoint here would only hold the lock it needs
                try
                {
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        connection.Open();
                        // A connection opens the log only once it reads the database; until then a checkpoint finds none.
                        using var read = connection.CreateCommand();
                        read.CommandText = "PRAGMA journal_mode";
                        read.ExecuteScalar();
                    }
                    var rc = raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out _);
                    if (rc == raw.SQLITE_OK && log > _restartFrames) _restartWanted = true;
                }
                catch (Exception e)
                {
                    _logger.LogWarning(e, "A background checkpoint of the write-ahead log failed; the next commit tries again.");
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _wake.Dispose();
    }
}
