using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// One SQL statement prepared once and run many times straight through SQLite's C API, on a connection opened by
/// Microsoft.Data.Sqlite and inside its transaction. For the few statements run once per result (the write path, the
/// shared commit's savepoints), where a command object's per-run cost — a data reader, parameter objects, a UTF-8 copy
/// of every value — was more than SQLite's own work. Parameters are numbered ?1, ?2, … in the SQL.
/// </summary>
public sealed class Statement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _utf8 = new byte[256];

    public Statement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out _);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public Statement Bind(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, index, value));
        return this;
    }

    public Statement BindNull(int index)
    {
        Check(raw.sqlite3_bind_null(_statement, index));
        return this;
    }

    /// <summary>Binds text, encoded to UTF-8 in a buffer the statement reuses (SQLite copies it).</summary>
    public Statement Bind(int index, string? value)
    {
        if (value is null) return BindNull(index);
        if (value.Length == 0) // an empty span would bind NULL, not ''
        {
            Check(raw.sqlite3_bind_text(_statement, index, value));
            return this;
        }
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_utf8.Length < length) _utf8 = new byte[Math.Max(length, 2 * _utf8.Length)];
        var written = Encoding.UTF8.GetBytes(value, _utf8);
        return Bind(index, _utf8.AsSpan(0, written));
    }

    /// <summary>Binds text already encoded as UTF-8 (SQLite copies it).</summary>
    public Statement Bind(int index, ReadOnlySpan<byte> utf8)
    {
        Check(raw.sqlite3_bind_text(_statement, index, utf8));
        return this;
    }

    /// <summary>Runs a statement that returns no row.</summary>
    public void Run()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>Runs a query for at most one row: true with the row readable by <see cref="Long"/> and <see cref="Text"/> until <see cref="Reset"/>.</summary>
    public bool Row()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW) return true;
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    public long Long(int column) => raw.sqlite3_column_int64(_statement, column);

    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Ends the row read by <see cref="Row"/>, so that the statement can run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _statement.Dispose();
}
