using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Matrix;

/// <summary>Participants and cases of the matrix tests in one line each: tags and technologies as space-separated words.</summary>
internal static class Build
{
    public static Participant Product(long id, string key, long organizationId, string technologies = "SIP",
        string capabilities = "") => new()
        {
            Id = id,
            Key = key,
            OrganizationId = organizationId,
            Technologies = Words(technologies).ToHashSet(StringComparer.OrdinalIgnoreCase),
            Capabilities = Words(capabilities).ToHashSet(StringComparer.Ordinal),
        };

    public static PlannedCase Case(long id, string key, string technology = "SIP", string plan = "sip-basic",
        string section = "call", bool directional = true, string requires = "", string initiator = "",
        string responder = "", long planId = 1) => new()
        {
            Id = id,
            PlanId = planId,
            Plan = plan,
            Section = section,
            Key = key,
            Technology = technology,
            Directional = directional,
            Requires = Words(requires),
            Initiator = Words(initiator),
            Responder = Words(responder),
        };

    private static string[] Words(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>A current verdict of a planned cell, in its stored order, as the results table would hold it.</summary>
internal sealed record Logged(PlannedCase Case, Participant Initiator, Participant Responder, Verdict Verdict)
{
    /// <summary>What the matrix query counts: verdicts per ordered pair.</summary>
    public static IReadOnlyList<CellCount> CellCounts(IEnumerable<Logged> logged) => logged
        .GroupBy(l => (Initiator: l.Initiator.Id, Responder: l.Responder.Id, l.Verdict))
        .Select(g => new CellCount(g.Key.Initiator, g.Key.Responder, g.Key.Verdict, g.LongCount()))
        .ToList();

    /// <summary>What the per-case query counts: verdicts per case over all its pairs.</summary>
    public static IReadOnlyList<CaseCount> CaseCounts(IEnumerable<Logged> logged) => logged
        .GroupBy(l => (Case: l.Case.Id, l.Verdict))
        .Select(g => new CaseCount(g.Key.Case, g.Key.Verdict, g.LongCount()))
        .ToList();

    /// <summary>Per case, the distinct unordered pairs with at least one pass (what the passing-pairs query gives).</summary>
    public static IReadOnlyDictionary<long, long> PassingPairs(IEnumerable<Logged> logged) => logged
        .Where(l => l.Verdict == Verdict.Pass)
        .GroupBy(l => l.Case.Id)
        .ToDictionary(g => g.Key, g => g
            .Select(l => (Math.Min(l.Initiator.Id, l.Responder.Id), Math.Max(l.Initiator.Id, l.Responder.Id)))
            .Distinct()
            .LongCount());

    /// <summary>The figures these verdicts give a scope whose planned count is <paramref name="planned"/>.</summary>
    public static Tally Tally(long planned, IEnumerable<Logged> logged) =>
        logged.Aggregate(new Tally(planned, 0, 0, 0, 0), (t, l) => t.With(l.Verdict));
}
