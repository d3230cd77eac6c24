using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;

namespace InteropTracker.EventResults;

/// <summary>
/// POST …/results: one result, checked by <see cref="ResultRules"/> against the event's planning as this process last
/// loaded it, then appended by the engine, which writes it only while the event still has that planning's stamp and
/// answers once it is on the disk. A refusal is only ever given from a planning just read from the database, so a stale
/// copy can delay a write (it is checked again) but never refuse one wrongly.
/// </summary>
public static class LogResult
{
    public static async Task<Outcome<ResultInfo>> LogAsync(string eventKey, ResultInput body,
        Caller caller, Database database, PlanningCache plannings, IResultEngine engine, CancellationToken ct)
    {
        if (Permissions.Refusal(Permission.LogResults, caller) is { } refused) return Refusal.Forbidden(refused);
        var planning = plannings.Remembered(eventKey);
        var fresh = false;
        for (var attempt = 0; attempt < ResultsApi.MaxAttempts; attempt++)
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
            if (await engine.AppendAsync(write, visible.Event.UpdatedAt) is { } done)
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
    private static ResultInfo Info(EventPlanning planning, CellWrite cell, VerdictWrite write, Appended recorded, Caller caller)
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
            Verdict = write.Verdict.Name(), Notes = write.Notes, Issue = write.Issue, Cause = write.Cause, StoredAttributes = write.Attributes, Revision = recorded.Revision,
            RecordedAt = write.RecordedAt, RecordedBy = caller.Name, RecordedByOrganization = recorderOrganization,
            Status = "reported",
        };
    }
}
