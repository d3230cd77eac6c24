using InteropTracker.Core;

namespace InteropTracker.Engine;

/// <summary>A verdict as the results table stores it (its name), read back by either engine.</summary>
internal static class StoredVerdict
{
    public static Verdict Parse(string name) =>
        VerdictNames.TryParse(name, out var verdict) ? verdict : throw new InvalidDataException($"Unknown verdict '{name}' in the results table.");
}

/// <summary>One ordered pair's count of one verdict, as both engines count it from the results.</summary>
internal sealed record CellRow
{
    public long InitiatorId { get; init; }
    public long ResponderId { get; init; }
    public string Verdict { get; init; } = "";
    public long Count { get; init; }

    public CellCount ToCount() => new(InitiatorId, ResponderId, StoredVerdict.Parse(Verdict), Count);
}

/// <summary>One case's counts as both engines read or count them.</summary>
internal sealed record CaseRow
{
    public long CaseId { get; init; }
    public long Pass { get; init; }
    public long Fail { get; init; }
    public long Na { get; init; }
    public long Blocked { get; init; }
    public long Reported { get; init; }
    public long Confirmed { get; init; }
    public long Disputed { get; init; }
    public long PassingPairs { get; init; }

    public CaseTally ToTally() => new(CaseId, Pass, Fail, Na, Blocked, Reported, Confirmed, Disputed, PassingPairs);
}

/// <summary>How many current results of a case with a verdict carry an attribute value, as both engines count them.</summary>
internal sealed record AttributeRow
{
    public long CaseId { get; init; }
    public string Name { get; init; } = "";
    public string Value { get; init; } = "";
    public string Verdict { get; init; } = "";
    public long Count { get; init; }

    public AttributeCount ToCount() => new(CaseId, Name, Value, StoredVerdict.Parse(Verdict), Count);
}

/// <summary>What a review reads of the result it reviews, on either engine: its case, revision and review status.</summary>
internal sealed record ReviewedRow
{
    public long CaseId { get; init; }
    public long Revision { get; init; }
    public string Status { get; init; } = "";
}
