using System.Data;
using System.Threading.Channels;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Concurrent writes sharing commits. One writer loop takes every write waiting, applies each in its own SAVEPOINT of
/// one transaction (a write that throws rolls back alone) and commits once; each write's task completes only once that
/// commit is on the disk, so a crowd of writers pays for one flush of the write-ahead log per batch instead of one each.
/// The loop starts the next batch at once: while one group of writers is written and flushed, the group just
/// acknowledged is already sending its next writes, so the flush and the round trips overlap. (Waiting to gather
/// every writer into one batch made fewer, bigger commits but put the round trip in series with the flush: slower.)
/// <para>
/// Durability is synchronous=FULL's, with the flush taken out of the loop: the loop's connection commits with
/// synchronous=NORMAL (the log pages are written, not flushed) and goes straight on to the next batch, while a flusher
/// thread fsyncs the log file (<see cref="LogFlush"/>) and only then acknowledges the writes of every batch committed
/// before that fsync began. An acknowledged write is on the disk, as with FULL; a write that is committed but not yet
/// flushed may be read by another request for the millisecond until its flush, and is lost by a power cut within it,
/// but its writer has not been answered. Every other connection keeps synchronous=FULL.
/// </para>
/// <para>
/// The loop's connection does not checkpoint after its commits as SQLite's connections do by default (every 1,000 log
/// pages, a pause of copying in the middle of a batch): a <see cref="Checkpointer"/> copies the log
/// into the database on another thread, and the loop copies only the last few commits' pages, once the log is long,
/// so that it starts over.
/// </para>
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    /// <summary>The most writes one commit holds, so that a long queue still gets acknowledged in steps.</summary>
    public const int MaxBatch = 256;

    /// <summary>The loop connection's page cache, in KiB (SQLite's negative cache_size).</summary>
    private const int CacheKiB = -65536;

    private readonly SqliteDatabase _database;
    private readonly ILogger<GroupCommit> _logger;
    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly Checkpointer _checkpointer;
    private readonly LogFlush _flush;
    private readonly Thread _flusher;
    private readonly object _flushGate = new();
    private List<IWrite[]> _toFlush = [];
    private bool _flushing, _closing;
    private bool _flushOurselves;
    private SqliteConnection? _connection;
    private readonly Dictionary<Type, object> _perConnection = new();
    private Statement? _savepoint, _release, _rollback;

    /// <param name="flush">How the log is made durable (a test may watch or hold it); by default an fsync of the log file.</param>
    /// <param name="restartFrames">How long the log grows before it starts over (<see cref="Checkpointer"/>).</param>
    public GroupCommit(SqliteDatabase database, ILogger<GroupCommit> logger, LogFlush? flush = null,
        int restartFrames = Checkpointer.DefaultRestartFrames)
    {
        _database = database;
        _logger = logger;
        _flush = flush ?? new LogFlush(database);
        _checkpointer = new Checkpointer(database, logger, restartFrames);
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "WAL flushes" };
        _flusher.Start();
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// Runs <paramref name="write"/> in the next shared transaction; completes once that transaction is committed, with
    /// what the write returned, or with what it threw (its savepoint rolled back), or with the commit's failure.
    /// The write runs on the writer loop's thread and must not block on anything but the database.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<CommitBatch, T> write)
    {
        var pending = new Write<T>(write);
        if (!_queue.Writer.TryWrite(pending))
            throw new InvalidOperationException("The server is stopping: it accepts no more writes.");
        return pending.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write)) batch.Add(write);
            try
            {
                Commit(batch);
                if (_flushOurselves) ToFlush(batch.ToArray());
                else foreach (var write in batch) write.Complete();
                _checkpointer.Committed(batch.Count);
                if (_checkpointer.RestartWanted) _checkpointer.Finish(_connection!);
            }
            catch (Exception e)
            {
                // Nothing of the batch is stored: every write in it fails, none is acknowledged.
                _logger.LogError(e, "A shared commit of {Count} writes failed.", batch.Count);
                foreach (var write in batch) write.Fail(e);
            }
            batch.Clear();
        }
        CloseConnection();
    }

    private void Commit(List<IWrite> batch)
    {
        var connection = Connection();
        try
        {
            using var transaction = connection.BeginTransaction();
            using (var shared = new CommitBatch(connection, transaction, _perConnection))
            {
                foreach (var write in batch)
                {
                    _savepoint!.Run();
                    try
                    {
                        write.Run(shared);
                        _release!.Run();
                    }
                    catch (Exception e) when (e is not SqliteException { SqliteErrorCode: 10 or 13 }) // I/O error, disk full: the batch fails
                    {
                        _rollback!.Run();
                        _release!.Run();
                        write.Refuse(e);
                    }
                }
            }
            transaction.Commit();
        }
        catch
        {
            // After a failed batch the connection may be in any state: the next batch starts on a new one.
            CloseConnection();
            throw;
        }
    }

    /// <summary>The loop's own connection, kept open with its savepoint statements prepared.</summary>
    private SqliteConnection Connection()
    {
        if (_connection is { State: ConnectionState.Open }) return _connection;
        var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        // The flusher makes the log durable before any write is acknowledged (see the class's remarks); without a log file
        // to flush (not in WAL mode), SQLite flushes at every commit. A connection opens (and if need be creates) the
        // log when it first reads the database: read before looking.
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            read.ExecuteScalar();
        }
        _flushOurselves = _flush.Available;
        using (var pragma = connection.CreateCommand())
        {
            // A page cache big enough for the pages every batch touches at random (indexes, tallies), which SQLite's
            // default 2 MB keeps reading back from the file at a large event.
            pragma.CommandText = (_flushOurselves ? "PRAGMA synchronous = NORMAL;" : "PRAGMA synchronous = FULL;") +
                                 $" PRAGMA cache_size = {CacheKiB}; {_database.SizeCap}";
            pragma.ExecuteNonQuery();
        }
        SQLitePCL.raw.sqlite3_wal_autocheckpoint(connection.Handle, 0); // the Checkpointer's job
        _database.HookCommits(connection);
        (_savepoint, _release, _rollback) =
            (new Statement(connection, "SAVEPOINT write"), new Statement(connection, "RELEASE write"), new Statement(connection, "ROLLBACK TO write"));
        return _connection = connection;
    }

    private void ToFlush(IWrite[] committed)
    {
        lock (_flushGate)
        {
            _toFlush.Add(committed);
            Monitor.PulseAll(_flushGate);
        }
    }

    /// <summary>
    /// The flusher thread: takes every batch committed so far, flushes the log once for all of them, acknowledges them.
    /// While it flushes, the loop commits the next batches, which the next flush covers.
    /// </summary>
    private void FlushLoop()
    {
        var taken = new List<IWrite[]>();
        while (true)
        {
            lock (_flushGate)
            {
                while (_toFlush.Count == 0 && !_closing) Monitor.Wait(_flushGate);
                if (_toFlush.Count == 0) return;
                (taken, _toFlush) = (_toFlush, taken);
                _flushing = true;
            }
            try
            {
                _flush.Flush();
                foreach (var batch in taken)
                    foreach (var write in batch) write.Complete();
            }
            catch (Exception e)
            {
                // Committed, but not known to be on the disk: not acknowledged.
                _logger.LogError(e, "Flushing the write-ahead log failed; {Count} committed batches are not acknowledged.", taken.Count);
                foreach (var batch in taken)
                    foreach (var write in batch) write.Fail(e);
            }
            taken.Clear();
            lock (_flushGate)
            {
                _flushing = false;
                Monitor.PulseAll(_flushGate);
            }
        }
    }

    /// <summary>Waits until every batch committed so far has been flushed and answered.</summary>
    private void Drain()
    {
        lock (_flushGate)
        {
            while (_toFlush.Count > 0 || _flushing) Monitor.Wait(_flushGate);
        }
    }

    private void CloseConnection()
    {
        // The log's descriptor flushes what this connection wrote, and is good as long as the connection keeps the log
        // in place: flush everything before letting go of either.
        Drain();
        _flush.Reopen();
        foreach (var made in _perConnection.Values)
            (made as IDisposable)?.Dispose();
        _perConnection.Clear();
        _savepoint?.Dispose();
        _release?.Dispose();
        _rollback?.Dispose();
        (_savepoint, _release, _rollback) = (null, null, null);
        _connection?.Dispose();
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        lock (_flushGate)
        {
            _closing = true;
            Monitor.PulseAll(_flushGate);
        }
        _flusher.Join();
        _flush.Dispose();
        _checkpointer.Dispose();
    }

    private interface IWrite
    {
        void Run(CommitBatch batch);
        void Refuse(Exception e);
        void Complete();
        void Fail(Exception e);
    }

    private sealed class Write<T>(Func<CommitBatch, T> write) : IWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _refused;

        public Task<T> Task => _done.Task;

        public void Run(CommitBatch batch)
        {
            _refused = null;
            _result = write(batch);
        }

        public void Refuse(Exception e) => _refused = e;

        public void Complete()
        {
            if (_refused is { } e) _done.TrySetException(e);
            else _done.TrySetResult(_result!);
        }

        public void Fail(Exception e) => _done.TrySetException(e);
    }
}

/// <summary>
/// The transaction a batch of writes shares, and what they may share besides: things read once per batch
/// (<see cref="OncePerBatch"/>), and prepared statements kept as long as the loop keeps its connection
/// (<see cref="OncePerConnection"/>). Each is made on first use.
/// </summary>
public sealed class CommitBatch(SqliteConnection connection, SqliteTransaction transaction, Dictionary<Type, object> perConnection) : IDisposable
{
    private readonly Dictionary<Type, object> _perBatch = new();

    public SqliteConnection Connection { get; } = connection;
    public SqliteTransaction Transaction { get; } = transaction;

    public T OncePerBatch<T>(Func<SqliteConnection, SqliteTransaction, T> create) where T : class
    {
        if (_perBatch.TryGetValue(typeof(T), out var existing)) return (T)existing;
        var made = create(Connection, Transaction);
        _perBatch[typeof(T)] = made;
        return made;
    }

    /// <summary>
    /// What writes may share across batches, as long as the loop keeps its connection: prepared statements, which
    /// cost more to prepare than a write takes to run them. Made on first use, disposed with the connection; it must
    /// not hold the batch's transaction.
    /// </summary>
    public T OncePerConnection<T>(Func<SqliteConnection, T> create) where T : class
    {
        if (perConnection.TryGetValue(typeof(T), out var existing)) return (T)existing;
        var made = create(Connection);
        perConnection[typeof(T)] = made;
        return made;
    }

    public void Dispose()
    {
        foreach (var made in _perBatch.Values)
            (made as IDisposable)?.Dispose();
    }
}
