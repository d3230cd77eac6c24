using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Foreign-key enforcement off on one connection until disposed, for a bulk write whose every reference has been
/// resolved in its own transaction. SQLite only changes the setting outside a transaction: take it before beginning
/// one, and dispose it after that transaction ends (declare it first: disposal runs in reverse order).
/// </summary>
public sealed class ForeignKeys : IAsyncDisposable
{
    private readonly SqliteConnection _connection;

    private ForeignKeys(SqliteConnection connection) => _connection = connection;

    public static async Task<ForeignKeys> OffAsync(SqliteConnection connection)
    {
        await Pragma(connection, "OFF");
        return new ForeignKeys(connection);
    }

    // The connection goes back to the pool with its checks on, like every other.
    public async ValueTask DisposeAsync() => await Pragma(_connection, "ON");

    private static async Task Pragma(SqliteConnection connection, string value)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA foreign_keys = {value}";
        await command.ExecuteNonQueryAsync();
    }
}
