using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Corrections;

/// <summary>
/// What every correction does after changing an event's planning, in the same transaction: read the planning as it now
/// stands and the event's current results, sort out those left outside the plan, and retire them (or refuse, so that
/// the caller rolls everything back); then move the event's stamp.
/// </summary>
internal static class Replanning
{
    /// <summary>One event's results under its changed planning.</summary>
    public sealed record Sorted(EventPlanning Before, EventPlanning After, Replanned Results);

    private static readonly IReadOnlyDictionary<long, long> NoMoves = new Dictionary<long, long>();
    private static readonly IReadOnlyDictionary<long, string> NoChanges = new Dictionary<long, string>();

    public static async Task<Sorted> SortAsync(DbConnection connection, DbTransaction transaction, EventPlanning before,
        IReadOnlyDictionary<long, long>? caseMoves = null, IReadOnlyDictionary<long, string>? changedCases = null)
    {
        // The event is held from here to the commit, before its results are read: a result write in flight is waited
        // for and read, and one that comes later waits and then finds the stamp moved (on PostgreSQL, any change to the
        // event's row takes the lock result writes share; on SQLite the transaction's write lock holds every write).
        await connection.ExecuteAsync("UPDATE events SET updated_at = updated_at WHERE id = @Id", before.Event, transaction);
        var after = (await EventStore.PlanningAsync(connection, before.Event.Key, transaction))!;
        const string sql = """
            SELECT r.id, r.case_id AS CaseId, r.initiator_id AS InitiatorId, r.responder_id AS ResponderId, p.plan,
                   p.version AS PlanVersion, c.case_key AS "Case", i.key AS Initiator, s.key AS Responder, r.verdict
            FROM results r
                 JOIN test_cases c ON c.id = r.case_id
                 JOIN test_plans p ON p.id = c.plan_id
                 JOIN products i ON i.id = r.initiator_id
                 JOIN products s ON s.id = r.responder_id
            WHERE r.event_id = @eventId AND r.retired_at IS NULL
            ORDER BY r.id
            """;
        var results = (await connection.QueryAsync<LoggedResult>(sql, new { eventId = before.Event.Id }, transaction)).AsList();
        return new Sorted(before, after, OutsidePlan.Sort(results, after, caseMoves ?? NoMoves, changedCases ?? NoChanges));
    }

    /// <summary>The refusal of a change that leaves results outside the plan without ?retire=true; null when it may go ahead.</summary>
    public static Refusal? Refusal(string change, bool retire, params IEnumerable<Sorted> events)
    {
        var outside = events.SelectMany(e => e.Results.Outside).ToList();
        return outside.Count > 0 && !retire ? OutsidePlan.Refusal(change, outside) : null;
    }

    /// <summary>Retires and moves results through the engine, records what was retired, and moves the event's stamp.</summary>
    /// <returns>False when the event changed under the transaction (it cannot while the transaction holds the write lock).</returns>
    public static async Task<bool> ApplyAsync(DbConnection connection, DbTransaction transaction, IResultEngine engine,
        Caller caller, Sorted sorted, string change)
    {
        var (row, results) = (sorted.Before.Event, sorted.Results);
        if (results.Outside.Count > 0 || results.Moves.Count > 0)
        {
            var retirement = new Retirement(row.Id, results.Outside.Select(o => o.Id).ToList(), results.Moves, caller.TokenId);
            if (!await engine.RetireAsync(retirement, row.UpdatedAt, transaction)) return false;
        }
        if (results.Outside.Count > 0)
            await Audit.RecordAsync(connection, transaction, caller, "results.retire",
                $"{row.Key}: {results.Outside.Count} {(results.Outside.Count == 1 ? "result" : "results")} retired by {change}", row.Id,
                before: new { results = results.Outside }, after: new { retired = results.Outside.Select(o => o.Id).ToList() });
        await EventStore.TouchAsync(connection, transaction, row.Id, caller.TokenId);
        return true;
    }

    /// <summary>Where an event is closed: what it says instead of correcting it.</summary>
    public static Refusal Closed(string eventKey, string what) =>
        Core.Refusal.Conflict($"Event {eventKey} is closed: {what} is final. An admin may reopen the event to correct it.");
}
