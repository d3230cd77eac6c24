using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using InteropTracker.Engine;
using InteropTracker.Core;

namespace InteropTracker.Matrix;

/// <summary>What an event's numbers are computed from: its pinned cases and its participants.</summary>
public sealed record NumbersSource(long EventId, IReadOnlyList<PlannedCase> Cases, IReadOnlyList<Participant> Participants,
    bool IncludeSameOrganization)
{
    /// <summary>How many of the event's cases belong to the plan.</summary>
    public int CasesOf(long planId)
    {
        var count = 0;
        foreach (var c in Cases)
            if (c.PlanId == planId) count++;
        return count;
    }
}

/// <summary>
/// What is remembered of one <see cref="NumbersSource"/> (a planning keeps its source as long as it is cached): its
/// planned counts per scope, and values derived from it and from the results as of a version. It goes when the source
/// goes, so a planning loaded again starts with nothing remembered.
/// </summary>
public sealed class NumbersMemo
{
    private const int MaxPlanned = 64;
    private const int MaxDerived = 8;

    private static readonly ConditionalWeakTable<NumbersSource, NumbersMemo> Memos = new();

    private readonly NumbersSource _source;

    // Planned counts are a pure function of the cases, the participants and the scope, and cost O(pairs × case kinds).
    private readonly ConcurrentDictionary<Scope, PlannedCounts> _planned = new();

    // A matrix asked again before any result changed is served as it was, not read and built again.
    private readonly ConcurrentDictionary<object, (long Version, object Value)> _derived = new();

    private NumbersMemo(NumbersSource source) => _source = source;

    public static NumbersMemo Of(NumbersSource source) => Memos.GetValue(source, s => new NumbersMemo(s));

    /// <summary>
    /// The planned cells of <paramref name="cases"/> (the scope's cases) among the participants; for a technology's
    /// scope, among the participants that declare it (the others could have no cell in it).
    /// </summary>
    public PlannedCounts Planned(Scope scope, IEnumerable<PlannedCase> cases)
    {
        if (_planned.TryGetValue(scope, out var planned)) return planned;
        var products = scope.Technology is null
            ? _source.Participants
            : _source.Participants.Where(p => p.Technologies.Contains(scope.Technology)).ToList();
        planned = Planning.Count(cases, products, _source.IncludeSameOrganization);
        if (_planned.Count >= MaxPlanned) _planned.Clear();
        _planned[scope] = planned;
        return planned;
    }

    /// <summary>The value remembered under <paramref name="key"/> if the results are still at <paramref name="version"/>.</summary>
    public T? Remembered<T>(object key, long version) where T : class =>
        _derived.TryGetValue(key, out var entry) && entry.Version == version ? entry.Value as T : null;

    /// <summary>Remembers a value derived from the source and from the results as of <paramref name="version"/>.</summary>
    public void Remember(object key, long version, object value)
    {
        if (_derived.Count >= MaxDerived && !_derived.ContainsKey(key)) _derived.Clear();
        _derived[key] = (version, value);
    }
}

/// <summary>The part of an event a figure covers; every given field narrows it.</summary>
public sealed record Scope(string? Technology = null, string? Plan = null, string? Section = null, string? Case = null)
{
    public static readonly Scope Event = new();

    public IEnumerable<PlannedCase> Apply(IEnumerable<PlannedCase> cases) => cases.Where(c =>
        (Technology is null || string.Equals(c.Technology, Technology, StringComparison.OrdinalIgnoreCase))
        && (Plan is null || c.Plan == Plan)
        && (Section is null || c.Section == Section)
        && (Case is null || c.Key == Case));
}

/// <summary>How many current results stand in each review status.</summary>
public sealed record StatusCounts(long Reported, long Confirmed, long Disputed);

/// <summary>One plan's, or one technology's, figures.</summary>
public sealed record ScopeTotals(string Technology, string? Plan, Tally Tally, StatusCounts Statuses);

/// <summary>How many executed results of a technology (Plan null) or a plan carry an attribute value, and their share.</summary>
public sealed record AttributeShare(string Technology, string? Plan, string Attribute, string Value, long Results, double Share);

public sealed record EventSummary(Tally Total, StatusCounts Statuses, IReadOnlyList<ScopeTotals> Technologies,
    IReadOnlyList<ScopeTotals> Plans);

/// <summary>
/// An event's matrix, summary and per-case statistics: planned cells from <see cref="Planning"/>, current verdicts from
/// the engine's tallies (<see cref="ITallies"/>), combined by <see cref="MatrixTable"/> and <see cref="CaseRanking"/>.
/// The API, the pages and both reports call these, so their figures cannot disagree.
/// </summary>
public static class EventNumbers
{
    public static async Task<MatrixTable> MatrixAsync(ITallies tallies, NumbersSource source, Scope scope, MatrixView view)
    {
        var cases = scope.Apply(source.Cases).ToList();
        var planned = NumbersMemo.Of(source).Planned(scope, cases);
        if (cases.Count == 0 || planned.Products.Count == 0) return MatrixTable.Build(planned, [], view);
        var counts = WholePlans(source, cases) is { } planIds
            ? await tallies.PairsAsync(source.EventId, planIds)
            : await tallies.PairsOfCasesAsync(source.EventId, cases.Select(c => c.Id).ToList());
        return MatrixTable.Build(planned, counts, view);
    }

    /// <summary>The plans whose every case is in the scope, when the scope is made of whole plans; otherwise null.</summary>
    private static IReadOnlyCollection<long>? WholePlans(NumbersSource source, List<PlannedCase> cases)
    {
        var inScope = new Dictionary<long, int>();
        foreach (var c in cases) inScope[c.PlanId] = inScope.GetValueOrDefault(c.PlanId) + 1;
        foreach (var (plan, count) in inScope)
            if (source.CasesOf(plan) != count) return null;
        return inScope.Keys;
    }

    /// <summary>Per-case figures, worst first, with the distinct passing pairs of each case.</summary>
    public static async Task<IReadOnlyList<CaseStatistics>> CaseStatisticsAsync(ITallies reader, NumbersSource source, Scope scope)
    {
        var cases = scope.Apply(source.Cases).ToList();
        var planned = NumbersMemo.Of(source).Planned(scope, cases);
        var tallies = await reader.CasesAsync(source.EventId);
        var counts = new List<CaseCount>(tallies.Count * 4);
        foreach (var t in tallies)
        {
            counts.Add(new CaseCount(t.CaseId, Verdict.Pass, t.Pass));
            counts.Add(new CaseCount(t.CaseId, Verdict.Fail, t.Fail));
            counts.Add(new CaseCount(t.CaseId, Verdict.Na, t.Na));
            counts.Add(new CaseCount(t.CaseId, Verdict.Blocked, t.Blocked));
        }
        var pairs = tallies.Where(t => t.PassingPairs != 0).ToDictionary(t => t.CaseId, t => t.PassingPairs);
        return CaseRanking.Rank(cases, planned, counts, pairs);
    }

    /// <summary>Totals for the event, each technology and each plan, with the review statuses of their results.</summary>
    public static async Task<EventSummary> SummaryAsync(ITallies tallies, NumbersSource source)
    {
        var planned = NumbersMemo.Of(source).Planned(Scope.Event, source.Cases);
        var rows = await tallies.CasesAsync(source.EventId);

        var byCase = source.Cases.ToDictionary(c => c.Id, c => new Tally(planned.PerCase.GetValueOrDefault(c.Id), 0, 0, 0, 0));
        var statuses = source.Cases.ToDictionary(c => c.Id, _ => new StatusCounts(0, 0, 0));
        foreach (var row in rows)
        {
            if (!byCase.TryGetValue(row.CaseId, out var tally) || tally.Planned == 0) continue;
            byCase[row.CaseId] = tally with { Pass = row.Pass, Fail = row.Fail, Na = row.Na, Blocked = row.Blocked };
            statuses[row.CaseId] = new StatusCounts(row.Reported, row.Confirmed, row.Disputed);
        }

        ScopeTotals Totals(string technology, string? plan, IEnumerable<PlannedCase> cases)
        {
            var list = cases.ToList();
            return new ScopeTotals(technology, plan,
                list.Aggregate(default(Tally), (t, c) => t + byCase[c.Id]),
                list.Aggregate(new StatusCounts(0, 0, 0), (s, c) => Sum(s, statuses[c.Id])));
        }

        var technologies = source.Cases
            .GroupBy(c => c.Technology, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => Totals(g.Key, null, g))
            .ToList();
        var plans = source.Cases
            .GroupBy(c => (c.Technology, c.Plan))
            .OrderBy(g => g.Key.Technology, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Key.Plan, StringComparer.Ordinal)
            .Select(g => Totals(g.Key.Technology, g.Key.Plan, g))
            .ToList();
        var all = Totals("", null, source.Cases);
        return new EventSummary(all.Tally, all.Statuses, technologies, plans);
    }

    /// <summary>
    /// The share of each attribute value among the executed (pass or fail) results, per technology and per plan; the
    /// denominators are the summary's executed counts, so values not given leave the shares short of one.
    /// </summary>
    public static async Task<IReadOnlyList<AttributeShare>> AttributeSharesAsync(ITallies tallies, NumbersSource source,
        EventSummary summary)
    {
        var counts = await tallies.AttributesAsync(source.EventId);
        var cases = source.Cases.ToDictionary(c => c.Id);
        var shares = new List<AttributeShare>();
        void Add(ScopeTotals scope, Func<PlannedCase, bool> inScope)
        {
            var executed = scope.Tally.Executed;
            foreach (var value in counts
                         .Where(a => a.Verdict is Verdict.Pass or Verdict.Fail && cases.TryGetValue(a.CaseId, out var c) && inScope(c))
                         .GroupBy(a => (a.Name, a.Value))
                         .OrderBy(g => g.Key.Name, StringComparer.Ordinal).ThenByDescending(g => g.Sum(a => a.Count))
                         .ThenBy(g => g.Key.Value, StringComparer.Ordinal))
            {
                var results = value.Sum(a => a.Count);
                shares.Add(new AttributeShare(scope.Technology, scope.Plan, value.Key.Name, value.Key.Value, results,
                    executed == 0 ? 0 : (double)results / executed));
            }
        }
        foreach (var t in summary.Technologies)
            Add(t, c => string.Equals(c.Technology, t.Technology, StringComparison.OrdinalIgnoreCase));
        foreach (var p in summary.Plans)
            Add(p, c => c.Plan == p.Plan);
        return shares;
    }

    private static StatusCounts Sum(StatusCounts a, StatusCounts b) =>
        new(a.Reported + b.Reported, a.Confirmed + b.Confirmed, a.Disputed + b.Disputed);
}
