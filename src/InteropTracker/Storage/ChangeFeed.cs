using System.Data.Common;
using Dapper;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>What one instance tells the others it changed, so that what they remember of it is read again.</summary>
public enum Change
{
    /// <summary>A current verdict may have changed: matrices and numbers derived from the results.</summary>
    Results,

    /// <summary>A token was revoked or a sign-in session ended: who may do what.</summary>
    Credentials,
}

/// <summary>
/// Keeps what each process remembers (credentials, matrices) in step with the database when several instances share
/// one PostgreSQL database: a change is announced inside the transaction that makes it (NOTIFY, which PostgreSQL
/// delivers to every listening instance when, and only if, that transaction commits), and each instance listens on one
/// connection of its own and counts what it hears. A lost listening connection counts as every kind of change (what
/// was said while it was down is unknown) and is opened again. On SQLite there is one process, whose own writes tell it.
/// </summary>
public sealed class ChangeFeed(Database database, ILogger<ChangeFeed> logger) : BackgroundService
{
    public const string Channel = "interop_changes";

    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(30);

    private readonly long[] _versions = Enum.GetValues<Change>().Select(_ => RandomBase()).ToArray();

    /// <remarks>
    /// The numbers are this instance's own count, so another instance's number says nothing here. A page holds the
    /// number it was last sent and asks with it, possibly of another instance behind the same proxy; counting from a
    /// random start (a multiple of 2^32 below 2^52, exact in a browser's numbers), one instance never takes another's
    /// number for one of its own, and answers in full.
    /// </remarks>
    private static long RandomBase() => Random.Shared.NextInt64(1, 1L << 20) << 32;

    /// <summary>A number that moves whenever this instance heard or made a change of the kind.</summary>
    public long Version(Change change) => Interlocked.Read(ref _versions[(int)change]);

    /// <summary>Raised on this instance for every change of the kind, its own and the other instances'.</summary>
    public event Action<Change>? Changed;

    /// <summary>Whether this instance is listening now (always on SQLite, which has no other instance to hear).</summary>
    public bool Listening => database.Kind == DatabaseKind.Sqlite || _listening;

    private volatile bool _listening;

    /// <summary>Tells the other instances about a change, once <paramref name="transaction"/> commits.</summary>
    public Task AnnounceAsync(DbConnection connection, DbTransaction? transaction, Change change) =>
        connection is NpgsqlConnection
            ? connection.ExecuteAsync("SELECT pg_notify(@channel, @payload)", new { channel = Channel, payload = change.ToString() }, transaction)
            : Task.CompletedTask;

    /// <summary>
    /// Commits <paramref name="transaction"/> with a notice of the change in it, so that every other instance hears of it
    /// once it is committed, and this one at once.
    /// </summary>
    public async Task CommitAsync(DbConnection connection, DbTransaction transaction, Change change)
    {
        await AnnounceAsync(connection, transaction, change);
        await transaction.CommitAsync();
        Committed(change);
    }

    /// <summary>This instance committed a change of the kind: what it remembers of it is stale from now on.</summary>
    public void Committed(Change change)
    {
        Interlocked.Increment(ref _versions[(int)change]);
        Changed?.Invoke(change);
    }

    /// <summary>
    /// This instance committed a change of the kind, and tells the others after the fact: the commits of a short while
    /// share one NOTIFY, sent on a connection of its own. For what is written many times a second (results): a
    /// transaction that notifies takes PostgreSQL's lock on the notification queue at commit, one such commit at a
    /// time, which would line every result write up behind the others. The others hear it a few milliseconds after the
    /// commit instead of at it; a process that stops between its commit and that notice leaves the others to hear of
    /// it with the next change.
    /// </summary>
    public void CommittedThenAnnounce(Change change)
    {
        Committed(change);
        if (database.Kind != DatabaseKind.Postgres) return;
        var bit = 1 << (int)change;
        if ((Interlocked.Or(ref _toAnnounce, bit) & bit) == 0) _announce.Release();
    }

    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(10);
    private readonly SemaphoreSlim _announce = new(0);
    private int _toAnnounce;

    private async Task SendNoticesAsync(PostgresDatabase postgres, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _announce.WaitAsync(stop);
            await Task.Delay(Gather, stop);
            var pending = Interlocked.Exchange(ref _toAnnounce, 0);
            if (pending == 0) continue;
            try
            {
                await using var connection = await postgres.Source.OpenConnectionAsync(stop);
                foreach (var change in Enum.GetValues<Change>().Where(c => (pending & (1 << (int)c)) != 0))
                    await connection.ExecuteAsync("SELECT pg_notify(@channel, @payload)", new { channel = Channel, payload = change.ToString() });
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning("Could not tell the other instances of this one's changes ({Reason}); trying again.", e.Message);
                if ((Interlocked.Or(ref _toAnnounce, pending) & pending) != pending) _announce.Release();
                await Task.Delay(Retry, stop);
            }
        }
    }

    private void CommittedEverything()
    {
        foreach (var change in Enum.GetValues<Change>()) Committed(change);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (database is not PostgresDatabase postgres) return;
        var announcing = SendNoticesAsync(postgres, stop).ContinueWith(_ => { }, CancellationToken.None);
        await ListenAsync(postgres, stop);
        await announcing;
    }

    private async Task ListenAsync(PostgresDatabase postgres, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ListenOnceAsync(postgres, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning("Lost the connection that hears other instances' changes ({Reason}); opening it again.", e.Message);
            }
            finally
            {
                _listening = false;
                CommittedEverything();
            }
            await Task.Delay(Retry, stop).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    private async Task ListenOnceAsync(PostgresDatabase postgres, CancellationToken stop)
    {
        await using var connection = await postgres.Source.OpenConnectionAsync(stop);
        connection.Notification += (_, e) =>
        {
            if (Enum.TryParse<Change>(e.Payload, out var change)) Committed(change);
        };
        await connection.ExecuteAsync($"LISTEN {Channel}");
        try
        {
            _listening = true;
            // Whatever changed before this connection listened was not heard.
            CommittedEverything();
            while (!stop.IsCancellationRequested)
            {
                // A quiet connection is probed now and then, so that one dropped without a word is noticed and reopened.
                if (!await connection.WaitAsync(Probe, stop))
                    await connection.ExecuteAsync("SELECT 1");
            }
        }
        finally
        {
            // Pooled connections are not reset (PostgresDatabase): this one stops listening before it goes back.
            if (connection.State == System.Data.ConnectionState.Open)
                await connection.ExecuteAsync($"UNLISTEN {Channel}").ContinueWith(_ => { }, CancellationToken.None);
        }
    }
}
