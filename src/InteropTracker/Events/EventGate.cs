using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Events;

/// <summary>What a caller wants of an event.</summary>
public enum EventNeed
{
    /// <summary>Read it, its results and numbers (<see cref="Permission.ReadEvents"/>).</summary>
    Read,
    /// <summary>Log or review results: the event must be open (<see cref="Permission.LogResults"/>).</summary>
    Write,
    /// <summary>
    /// Confirm or dispute results (<see cref="Permission.ReviewResults"/>): the event must be open, or closed within its
    /// review window and not yet published.
    /// </summary>
    Review,
    /// <summary>Set it up: participants, status, publication (<see cref="Permission.ManageEvents"/>); the status rules are the feature's.</summary>
    Chair,
}

/// <summary>
/// The one way in to an event: load its planning (through <see cref="PlanningCache"/>) for a caller and a need, and
/// answer the planning or why not. An engineer asking for an event its organization takes no part in gets the same
/// answer as for an event that does not exist, so that events' existence does not leak.
/// </summary>
public static class EventGate
{
    public static async Task<Outcome<EventPlanning>> OpenAsync(DbConnection connection, PlanningCache plannings,
        string eventKey, Caller caller, EventNeed need, DbTransaction? transaction = null)
    {
        if (Permissions.Refusal(PermissionFor(need), caller) is { } forbidden) return Refusal.Forbidden(forbidden);
        return Check(await plannings.GetAsync(connection, eventKey, transaction), eventKey, caller, need);
    }

    /// <summary>The same answer for a planning already in hand (null: no such event).</summary>
    public static Outcome<EventPlanning> Check(EventPlanning? planning, string eventKey, Caller caller, EventNeed need)
    {
        if (Permissions.Refusal(PermissionFor(need), caller) is { } forbidden) return Refusal.Forbidden(forbidden);
        if (planning is null || !Sees(caller, planning)) return NoSuchEvent(eventKey);
        if (need == EventNeed.Write)
        {
            if (planning.Event.IsClosed) return Closed(eventKey);
            if (!planning.Event.IsOpen)
                return Refusal.Conflict($"Event {eventKey} is not open yet: results are logged once a chair opens it.");
        }
        if (need == EventNeed.Review && !planning.Event.IsOpen)
        {
            var now = Clock.Now();
            if (planning.Event.IsClosed && planning.Event.InReview(now) && !planning.Event.Published) return planning;
            if (planning.Event.IsClosed)
                return Refusal.Conflict(planning.Event.ReviewUntil is { } until
                    ? $"Event {eventKey} is closed and its review window ended at {until} (UTC): its results accept no more reviews."
                    : Closed(eventKey).Detail);
            return Refusal.Conflict($"Event {eventKey} is not open yet: results are reviewed once a chair opens it.");
        }
        return planning;
    }

    /// <summary>Whether the caller sees the event: every role but an engineer, and an engineer whose organization takes part.</summary>
    public static bool Sees(Caller caller, EventPlanning planning) =>
        caller.LimitedTo is not { } organization || planning.Participants.Any(p => p.OrganizationId == organization);

    public static Refusal NoSuchEvent(string eventKey) => Refusal.NotFound($"There is no event '{eventKey}' that you can see.");

    public static Refusal Closed(string eventKey) => Refusal.Conflict($"Event {eventKey} is closed: it accepts no more changes.");

    private static Permission PermissionFor(EventNeed need) => need switch
    {
        EventNeed.Read => Permission.ReadEvents,
        EventNeed.Write => Permission.LogResults,
        EventNeed.Review => Permission.ReviewResults,
        EventNeed.Chair => Permission.ManageEvents,
        _ => throw new ArgumentOutOfRangeException(nameof(need), need, null),
    };
}
