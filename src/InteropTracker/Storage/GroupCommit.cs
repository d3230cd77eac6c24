using System.Data;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

/// <summary>
/// Concurrent writes sharing commits. One writer loop takes every write waiting, applies each in its own SAVEPOINT of
/// one transaction (a write that throws rolls back alone), commits once, and only then completes each write's task:
/// a caller is acknowledged only after the commit that holds its write. With synchronous=FULL a commit costs a flush
/// of the write-ahead log to the disk; this way a crowd of writers pays for one flush per batch instead of one each.
/// The loop starts the next batch at once: while it writes and flushes one group of writers, the group it just
/// acknowledged is already sending its next writes, so the flush and the round trips overlap. (Waiting to gather
/// every writer into one batch made fewer, bigger commits but put the round trip in series with the flush: slower.)
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    /// <summary>The most writes one commit holds, so that a long queue still gets acknowledged in steps.</summary>
    public const int MaxBatch = 256;

    private readonly Database _database;
    private readonly ILogger<GroupCommit> _logger;
    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private SqliteConnection? _connection;
    private Statement? _savepoint, _release, _rollback;

    public GroupCommit(Database database, ILogger<GroupCommit> logger)
    {
        _database = database;
        _logger = logger;
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
                foreach (var write in batch) write.Complete();
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
            using (var shared = new CommitBatch(connection, transaction))
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

    /// <summary>
    /// The loop's own connection, kept open with its savepoint statements prepared. It checkpoints the log as every
    /// connection does (after a commit that leaves more than 1000 pages in it): a checkpoint run beside the loop never
    /// catches up with a loop that keeps committing, so the log would never start over and grow without end.
    /// </summary>
    private SqliteConnection Connection()
    {
        if (_connection is { State: ConnectionState.Open }) return _connection;
        var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder(_database.ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = FULL;";
            pragma.ExecuteNonQuery();
        }
        (_savepoint, _release, _rollback) =
            (new Statement(connection, "SAVEPOINT write"), new Statement(connection, "RELEASE write"), new Statement(connection, "ROLLBACK TO write"));
        return _connection = connection;
    }

    private void CloseConnection()
    {
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
/// The transaction a batch of writes shares, and what they may share besides: prepared commands, things read once per
/// batch. Each is made on first use and disposed with the batch.
/// </summary>
public sealed class CommitBatch(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private readonly Dictionary<Type, object> _shared = new();

    public SqliteConnection Connection { get; } = connection;
    public SqliteTransaction Transaction { get; } = transaction;

    public T Shared<T>(Func<SqliteConnection, SqliteTransaction, T> create) where T : class
    {
        if (_shared.TryGetValue(typeof(T), out var existing)) return (T)existing;
        var made = create(Connection, Transaction);
        _shared[typeof(T)] = made;
        return made;
    }

    public void Dispose()
    {
        foreach (var shared in _shared.Values)
            (shared as IDisposable)?.Dispose();
    }
}
