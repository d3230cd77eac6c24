using System.ComponentModel.DataAnnotations;

namespace InteropTracker.Core;

/// <summary>One logged result as a client gives it: the body of POST …/results, one row of an import.</summary>
public sealed record ResultInput
{
    /// <summary>The plan key of a plan pinned in the event.</summary>
    [Required] public string Plan { get; init; } = "";

    /// <summary>The case id in that plan, such as SIP-CS-001.</summary>
    [Required] public string Case { get; init; } = "";

    /// <summary>The initiating product's key.</summary>
    [Required] public string Initiator { get; init; } = "";

    /// <summary>The responding product's key.</summary>
    [Required] public string Responder { get; init; } = "";

    /// <summary>pass, fail, na or blocked.</summary>
    [Required] public string Verdict { get; init; } = "";

    [StringLength(ResultRules.MaxNotes)] public string? Notes { get; init; }

    /// <summary>A bug-tracker reference, such as ACME-1234.</summary>
    [StringLength(ResultRules.MaxIssue)] public string? Issue { get; init; }

    /// <summary>Why a fail or blocked result failed: implementation, test-case, specification, setup or unknown.</summary>
    public string? Cause { get; init; }

    /// <summary>Result attributes the case's plan declares, such as {"transport": "tls"}.</summary>
    public Dictionary<string, string>? Attributes { get; init; }
}

/// <summary>A result checked against the event's planning: the cell it goes to, in stored order.</summary>
public sealed record CellWrite(PlannedCase Case, Participant Initiator, Participant Responder, Verdict Verdict,
    string? Notes, string? Issue, string? Cause = null, string? Attributes = null)
{
    /// <summary>The checked cell as the engine stores it.</summary>
    public VerdictWrite ToWrite(long eventId, long recordedBy, string at) =>
        new(eventId, Case.PlanId, Case.Id, Initiator.Id, Responder.Id, Verdict, Notes, Issue, recordedBy, at, Cause, Attributes);
}

/// <summary>One verdict to store for a cell: ids resolved, order as stored, already checked by <see cref="ResultRules"/>.</summary>
public readonly record struct VerdictWrite(long EventId, long PlanId, long CaseId, long InitiatorId, long ResponderId,
    Verdict Verdict, string? Notes, string? Issue, long RecordedBy, string RecordedAt, string? Cause = null,
    string? Attributes = null);

/// <summary>The outcome of checking one result: the cell, or what is wrong keyed by field, or why the caller may not.</summary>
public sealed record ResultCheck(CellWrite? Cell, IReadOnlyDictionary<string, string> Errors, string? Forbidden);

/// <summary>
/// The rules a logged result obeys (DESIGN.md, "Verdicts and the numbers" and "Access"), as pure functions over an
/// event's planning, so that the single POST, the import and any batched path refuse the same things the same way.
/// </summary>
public static class ResultRules
{
    public const int MaxNotes = 4000;
    public const int MaxIssue = 200;

    private static readonly Dictionary<string, string> NoErrors = new();

    public static ResultCheck Check(EventPlanning planning, Caller caller, ResultInput input)
    {
        // Made at the first error only: an import checks every row of its file, and most rows have none.
        Dictionary<string, string>? errors = null;
        string Required(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value)) (errors ??= new())[field] = "A value is required.";
            return value?.Trim() ?? "";
        }
        var planKey = Required(input.Plan, "plan");
        var caseKey = Required(input.Case, "case");
        var initiatorKey = Required(input.Initiator, "initiator");
        var responderKey = Required(input.Responder, "responder");
        var verdictName = Required(input.Verdict, "verdict");
        var notes = Optional(input.Notes);
        var issue = Optional(input.Issue);

        var verdict = default(Verdict);
        if (verdictName.Length > 0 && !VerdictNames.TryParse(verdictName, out verdict))
            (errors ??= new())["verdict"] = $"'{verdictName}' is not a verdict; use {string.Join(", ", VerdictNames.All)}.";
        if (notes?.Length > MaxNotes) (errors ??= new())["notes"] = $"notes are at most {MaxNotes} characters.";
        if (issue?.Length > MaxIssue) (errors ??= new())["issue"] = $"issue is at most {MaxIssue} characters.";
        string? cause = null;
        if (Optional(input.Cause) is { } causeName)
        {
            if ((cause = Causes.Find(causeName)) is null)
                (errors ??= new())["cause"] = $"'{causeName}' is not a cause; use {string.Join(", ", Causes.All)}.";
            else if (verdictName.Length > 0 && VerdictNames.TryParse(verdictName, out var given) && !Causes.Allowed(given))
                (errors ??= new())["cause"] = $"A {given.Name()} result has no cause; only fail and blocked results name one.";
        }

        PlannedCase? planned = null;
        if (planKey.Length > 0)
        {
            var plan = planning.FindPlan(planKey);
            if (plan is null)
                (errors ??= new())["plan"] = $"Plan '{planKey}' is not pinned in event {planning.Event.Key}; its plans are " +
                                             $"{string.Join(", ", planning.Plans.Select(p => p.Plan))}.";
            else if (caseKey.Length > 0 && (planned = planning.FindCase(planKey, caseKey)) is null)
                (errors ??= new())["case"] = $"Plan '{planKey}' (version {plan.Version}) has no case '{caseKey}'.";
        }

        // Checked against the case's plan: without a known case there is nothing to check them against yet.
        var attributes = planned is null ? null : ResultAttributes.Check(planKey, planned.Attributes, input.Attributes, ref errors);

        var initiator = FindParticipant(planning, initiatorKey, "initiator", ref errors);
        var responder = FindParticipant(planning, responderKey, "responder", ref errors);
        if (errors is not null || planned is null || initiator is null || responder is null)
            return new ResultCheck(null, errors ?? NoErrors, null);

        if (Permissions.WhyCannotLog(caller, initiator.OrganizationId, responder.OrganizationId,
                $"{initiator.Key} ({initiator.OrganizationKey}) → {responder.Key} ({responder.OrganizationKey})") is { } refused)
            return new ResultCheck(null, NoErrors, refused);

        // A non-directional case is stored once per pair, smaller key first: given the other way round, it is turned.
        var (first, second) = Planning.Stored(planned, initiator, responder);
        if (Planning.WhyNotCell(planned, first, second, planning.Event.IncludeSameOrganization) is { } why)
            return new ResultCheck(null,
                new Dictionary<string, string> { ["case"] = $"Case {planned.Key} is not planned for {initiator.Key} → {responder.Key}: {why}." },
                null);

        return new ResultCheck(new CellWrite(planned, first, second, verdict, notes, issue, cause, attributes), NoErrors, null);
    }

    private static Participant? FindParticipant(EventPlanning planning, string key, string field, ref Dictionary<string, string>? errors)
    {
        if (key.Length == 0) return null;
        var participant = planning.FindParticipant(key);
        if (participant is null)
            (errors ??= new())[field] = $"'{key}' is not a participant of event {planning.Event.Key}.";
        return participant;
    }

    private static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>Who logged the current revision of a result, and whose products it pairs.</summary>
    public sealed record Authorship(long Revision, long? RecordedBy, long? RecorderOrganization, long InitiatorOrganization,
        long ResponderOrganization, string InitiatorOrganizationKey, string ResponderOrganizationKey);

    /// <summary>
    /// Why the caller may not confirm or dispute the current revision; null when it may. The other side reviews: an
    /// engineer of the pairing's organization that did not log the revision. Nobody reviews a revision they logged
    /// themselves, admins included. When a third party (an admin) logged it, either side reviews it.
    /// </summary>
    public static string? WhyCannotReview(Caller caller, Authorship result)
    {
        if (caller.TokenId == result.RecordedBy)
            return $"You logged revision {result.Revision} yourself; the other side confirms or disputes it.";
        if (caller.IsAdmin) return null;
        if (!caller.IsEngineer) return "Only the engineers of the other side (or an admin) confirm or dispute a result.";

        var organization = caller.OrganizationId;
        if (organization != result.InitiatorOrganization && organization != result.ResponderOrganization)
            return $"Your organization is not part of this pairing ({result.InitiatorOrganizationKey} → {result.ResponderOrganizationKey}).";
        if (organization == result.RecorderOrganization && result.InitiatorOrganization != result.ResponderOrganization)
        {
            var other = organization == result.InitiatorOrganization ? result.ResponderOrganizationKey : result.InitiatorOrganizationKey;
            return $"Your organization logged revision {result.Revision}; an engineer of {other} confirms or disputes it.";
        }
        return null;
    }
}
