using Dapper;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// Each event's updated_at as one transaction sees it, read once per event: a write goes ahead only while its event
/// still has the stamp of the planning its rules were checked against.
/// </summary>
public sealed class EventStamps(SqliteConnection connection, SqliteTransaction transaction)
{
    private readonly Dictionary<long, string?> _stamps = new();

    public bool IsCurrent(long eventId, string stamp)
    {
        if (!_stamps.TryGetValue(eventId, out var current))
            _stamps[eventId] = current = connection.ExecuteScalar<string?>(
                "SELECT updated_at FROM events WHERE id = @eventId", new { eventId }, transaction);
        return current == stamp;
    }
}
