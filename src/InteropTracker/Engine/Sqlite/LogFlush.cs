using InteropTracker.Storage;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Makes what has been written to a database's write-ahead log durable: an fsync of the log file (on Linux, an fsync
/// through any descriptor of a file flushes every write made to it, by SQLite's descriptor too). The shared commits
/// (<see cref="GroupCommit"/>) call it after SQLite's commit returns and before they acknowledge the writes.
/// </summary>
public class LogFlush : IDisposable
{
    private readonly string _log;
    private FileStream? _file;

    public LogFlush(SqliteDatabase database) => _log = database.DataFile + "-wal";

    /// <summary>Whether the database has a log file to flush (WAL mode, on disk).</summary>
    public bool Available => File.Exists(_log);

    /// <summary>Flushes every write made to the log so far to the disk.</summary>
    public virtual void Flush()
    {
        // Opened for writing, though nothing is written through it: .NET flushes to the disk only a stream that can write.
        // The loop's connection stays open while this descriptor is used, so SQLite never deletes the log under it
        // (it does so only when its last connection closes); a new loop connection reopens it (Reopen).
        _file ??= new FileStream(_log, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        _file.Flush(flushToDisk: true);
    }

    /// <summary>Forgets the descriptor, after the connection that kept the log in place was closed.</summary>
    public void Reopen()
    {
        _file?.Dispose();
        _file = null;
    }

    public void Dispose() => Reopen();
}
