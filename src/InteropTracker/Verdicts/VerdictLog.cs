using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Verdicts;

/// <summary>
/// One result logged through the shared commit (<see cref="GroupCommit"/>). The request is checked by the same
/// <see cref="ResultRules"/> as ever, against the event's planning as this process last loaded it; the writer loop
/// then confirms, under the write lock, that the event's <c>updated_at</c> is still the one that planning was loaded
/// at (any change to the event, its status or its participants bumps it) and writes through <see cref="VerdictWriter"/>;
/// the answer goes out once the commit that holds the write is done. A refusal is only ever given from a planning just
/// read from the database, so a stale copy can delay a write (it is checked again) but never refuse one wrongly.
/// </summary>
public static class VerdictLog
{
    /// <summary>How often the event may change under one request before it gives up with 409.</summary>
    private const int MaxAttempts = 4;

    public static async Task<Outcome<ResultInfo>> LogAsync(string eventKey, ResultInput body,
        Caller caller, Database database, PlanningCache plannings, GroupCommit commits, CancellationToken ct)
    {
        if (Permissions.Refusal(Permission.LogResults, caller) is { } refused) return Refusal.Forbidden(refused);
        var planning = plannings.Remembered(eventKey);
        var fresh = false;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (planning is null)
            {
                await using var connection = await database.OpenAsync(ct);
                planning = await plannings.GetAsync(connection, eventKey);
                fresh = true;
            }
            var gate = EventGate.Check(planning, eventKey, caller, EventNeed.Write);
            var (visible, refusal) = (gate.Value, gate.Refusal);
            var check = refusal is null ? ResultRules.Check(visible!, caller, body) : null;
            if (check?.Cell is not { } cell)
            {
                if (!fresh)
                {
                    planning = null;
                    continue;
                }
                return refusal ?? Refused(check!);
            }

            var write = cell.ToWrite(visible!.Event.Id, caller.TokenId, Clock.Now());
            var stamp = visible.Event.UpdatedAt;
            var recorded = await commits.WriteAsync(batch =>
                batch.Shared((c, t) => new EventStamps(c, t)).IsCurrent(write.EventId, stamp)
                    ? batch.Kept(c => new VerdictWriter(c)).Record(write)
                    : (Recorded?)null);
            if (recorded is { } done)
                return Info(visible, cell, write, done, caller);

            // The event changed since its planning was loaded: check the result again against the new planning.
            planning = null;
        }
        return Refusal.Conflict($"Event {eventKey} kept changing while the result was being logged; send it again.");
    }

    private static Refusal Refused(ResultCheck check) =>
        check.Forbidden is { } forbidden
            ? Refusal.Forbidden(forbidden)
            : Refusal.Unprocessable(check.Errors.ToDictionary(e => e.Key, e => new[] { e.Value }),
                "The result cannot be logged: " + string.Join(" ", check.Errors.Values));

    /// <summary>The stored result as GET …/results/{id} shows it, from what the request already knows.</summary>
    private static ResultInfo Info(EventPlanning planning, CellWrite cell, VerdictWrite write, Recorded recorded, Caller caller)
    {
        var details = planning.Details(cell.Case.Id);
        var recorderOrganization = caller.OrganizationId is { } organization
            ? new[] { cell.Initiator, cell.Responder }.FirstOrDefault(p => p.OrganizationId == organization)?.OrganizationKey
            : null;
        return new ResultInfo
        {
            Id = recorded.ResultId, Plan = cell.Case.Plan, PlanVersion = details.PlanVersion, Technology = cell.Case.Technology,
            Section = cell.Case.Section, Case = cell.Case.Key, CaseTitle = details.Title,
            Initiator = cell.Initiator.Key, InitiatorOrganization = cell.Initiator.OrganizationKey,
            Responder = cell.Responder.Key, ResponderOrganization = cell.Responder.OrganizationKey,
            Verdict = write.Verdict.Name(), Notes = write.Notes, Issue = write.Issue, Revision = recorded.Revision,
            RecordedAt = write.RecordedAt, RecordedBy = caller.Name, RecordedByOrganization = recorderOrganization,
            Status = "reported",
        };
    }

    /// <summary>Each event's updated_at as the shared transaction sees it: read once per event per batch.</summary>
    private sealed class EventStamps(SqliteConnection connection, SqliteTransaction transaction)
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
}
