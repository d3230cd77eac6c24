namespace InteropTracker.Core;

/// <summary>A logged result as a correction weighs it: its cell by id, and by key for people.</summary>
public sealed record LoggedResult
{
    public long Id { get; init; }
    public long CaseId { get; init; }
    public long InitiatorId { get; init; }
    public long ResponderId { get; init; }
    public string Plan { get; init; } = "";
    public string PlanVersion { get; init; } = "";
    public string Case { get; init; } = "";
    public string Initiator { get; init; } = "";
    public string Responder { get; init; } = "";
    public string Verdict { get; init; } = "";
}

/// <summary>A result that a correction would leave outside the plan, and why.</summary>
public sealed record OutsideResult(string Event, long Id, string Plan, string Version, string Case, string Initiator, string Responder,
    string Verdict, string Why);

/// <summary>A result to move to another case: the same case id in the new version of a re-pinned plan.</summary>
public readonly record struct CaseMove(long ResultId, long ToCaseId);

/// <summary>What a correction does to an event's results: which stay (some moving case), which fall outside the plan.</summary>
public sealed record Replanned(int Kept, IReadOnlyList<CaseMove> Moves, IReadOnlyList<OutsideResult> Outside);

/// <summary>
/// Which logged results a changed planning still plans (DESIGN.md, "Corrections and the event's life"). Pure: the
/// results as stored, the planning as it would be after the change, and for a re-pinned plan which old case ids go on
/// as which new ones (the cases whose content did not change) and why the others do not.
/// </summary>
public static class OutsidePlan
{
    /// <summary>How many of the results a refused correction lists; the answer gives the count of all.</summary>
    public const int MaxListed = 50;

    public static Replanned Sort(IReadOnlyList<LoggedResult> results, EventPlanning after,
        IReadOnlyDictionary<long, long> caseMoves, IReadOnlyDictionary<long, string> changedCases)
    {
        var cases = after.Cases.ToDictionary(c => c.Id);
        var participants = after.Participants.ToDictionary(p => p.Id);
        var moves = new List<CaseMove>();
        var outside = new List<OutsideResult>();
        var kept = 0;
        foreach (var result in results)
        {
            var caseId = caseMoves.GetValueOrDefault(result.CaseId, result.CaseId);
            var why = Why(result, caseId, cases, participants, changedCases, after.Event.IncludeSameOrganization);
            if (why is not null)
            {
                outside.Add(new OutsideResult(after.Event.Key, result.Id, result.Plan, result.PlanVersion, result.Case, result.Initiator,
                    result.Responder, result.Verdict, why));
                continue;
            }
            kept++;
            if (caseId != result.CaseId) moves.Add(new CaseMove(result.Id, caseId));
        }
        return new Replanned(kept, moves, outside);
    }

    private static string? Why(LoggedResult result, long caseId, Dictionary<long, PlannedCase> cases,
        Dictionary<long, Participant> participants, IReadOnlyDictionary<long, string> changedCases, bool includeSameOrganization)
    {
        if (!cases.TryGetValue(caseId, out var planned))
            return changedCases.GetValueOrDefault(result.CaseId) ?? $"plan {result.Plan} version {result.PlanVersion} is no longer pinned";
        if (!participants.TryGetValue(result.InitiatorId, out var initiator))
            return $"'{result.Initiator}' no longer takes part";
        if (!participants.TryGetValue(result.ResponderId, out var responder))
            return $"'{result.Responder}' no longer takes part";
        return Planning.WhyNotCell(planned, initiator, responder, includeSameOrganization);
    }

    /// <summary>The detail of a refused correction: how many results it would leave outside the plan, and what to do.</summary>
    public static Refusal Refusal(string change, IReadOnlyList<OutsideResult> outside) =>
        Core.Refusal.Conflict(
            $"{change} would leave {outside.Count} logged {(outside.Count == 1 ? "result" : "results")} outside the plan" +
            (outside.Count > MaxListed ? $" (the first {MaxListed} are listed)" : "") +
            ". Send it again with ?retire=true to retire them (they stay in history and the audit, and count nowhere), " +
            "or change it so that they stay planned. Nothing was changed.") with
        {
            Extensions = new Dictionary<string, object?>
            {
                ["count"] = outside.Count,
                ["results"] = outside.Take(MaxListed).ToList(),
            },
        };
}
