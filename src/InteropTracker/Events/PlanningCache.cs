using System.Collections.Concurrent;
using Dapper;
using InteropTracker.Core;
using System.Data.Common;

namespace InteropTracker.Events;

/// <summary>
/// Each event's <see cref="EventPlanning"/>, loaded once and reused while the event's <c>updated_at</c> stays the same:
/// every change to an event, its status or its participants bumps it (plans never change once stored; a product or an
/// organization changes only through a correction, which bumps the stamp of every event it takes part in),
/// so one indexed read tells whether the planning still holds. That read goes to the database, not to this process's
/// memory, so several instances on one database stay correct.
/// </summary>
public sealed class PlanningCache
{
    private const int MaxEvents = 256;

    private readonly ConcurrentDictionary<string, EventPlanning> _byKey = new(StringComparer.Ordinal);

    /// <summary>The event's current planning, or null when there is no such event.</summary>
    public async Task<EventPlanning?> GetAsync(DbConnection connection, string eventKey, DbTransaction? transaction = null)
    {
        var stamp = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT updated_at FROM events WHERE key = @key", new { key = eventKey }, transaction);
        if (stamp is null)
        {
            _byKey.TryRemove(eventKey, out _);
            return null;
        }
        if (_byKey.TryGetValue(eventKey, out var cached) && cached.Event.UpdatedAt == stamp) return cached;

        var planning = await EventStore.PlanningAsync(connection, eventKey, transaction);
        if (planning is not null) Remember(planning);
        return planning;
    }

    /// <summary>
    /// The planning last loaded, without asking the database: for a write that checks <c>updated_at</c> again inside its
    /// own transaction before it writes, and reloads when the event changed.
    /// </summary>
    public EventPlanning? Remembered(string eventKey) => _byKey.GetValueOrDefault(eventKey);

    /// <summary>
    /// Forgets the event's planning once a correction changed it: its stamp moved, so a write would be refused on the old
    /// planning anyway; forgotten, the next one starts from the new planning.
    /// </summary>
    public void Forget(string eventKey) => _byKey.TryRemove(eventKey, out _);

    private void Remember(EventPlanning planning)
    {
        if (_byKey.Count >= MaxEvents) _byKey.Clear();
        _byKey[planning.Event.Key] = planning;
    }
}
