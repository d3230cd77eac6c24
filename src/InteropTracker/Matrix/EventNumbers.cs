using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Dapper;
using InteropTracker.Core;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Matrix;

/// <summary>What an event's numbers are computed from: its pinned cases and its participants.</summary>
public sealed record NumbersSource(long EventId, IReadOnlyList<PlannedCase> Cases, IReadOnlyList<Participant> Participants,
    bool IncludeSameOrganization)
{
    private const int MaxRemembered = 64;

    // Planned counts are a pure function of the cases, the participants and the scope, and cost O(pairs × case kinds):
    // remembered per scope, so that a cached planning answers repeated matrices without counting again. The key holds
    // the lists themselves (by reference), so a copy made with `with` never reads another source's counts.
    private readonly ConcurrentDictionary<(object Cases, object Participants, bool Same, Scope Scope), PlannedCounts> _planned =
        new(PlannedKeyComparer.Instance);

    /// <summary>
    /// The planned cells of <paramref name="cases"/> (the scope's cases) among the participants; for a technology's
    /// scope, among the participants that declare it (the others could have no cell in it).
    /// </summary>
    public PlannedCounts Planned(Scope scope, IEnumerable<PlannedCase> cases)
    {
        var key = ((object)Cases, (object)Participants, IncludeSameOrganization, scope);
        if (_planned.TryGetValue(key, out var planned)) return planned;
        var products = scope.Technology is null
            ? Participants
            : Participants.Where(p => p.Technologies.Contains(scope.Technology)).ToList();
        planned = Planning.Count(cases, products, IncludeSameOrganization);
        if (_planned.Count >= MaxRemembered) _planned.Clear();
        _planned[key] = planned;
        return planned;
    }

    private const int MaxDerived = 8;

    // Values derived from this source and from the results as of a version (see EventNumbers.ResultsVersionAsync):
    // a matrix asked again before any result changed is served as it was, not read and built again.
    private readonly ConcurrentDictionary<object, (long Version, object Value)> _derived = new();

    /// <summary>The value remembered under <paramref name="key"/> if the results are still at <paramref name="version"/>.</summary>
    public T? Remembered<T>(object key, long version) where T : class =>
        _derived.TryGetValue(key, out var entry) && entry.Version == version ? entry.Value as T : null;

    /// <summary>Remembers a value derived from this source and from the results as of <paramref name="version"/>.</summary>
    public void Remember(object key, long version, object value)
    {
        if (_derived.Count >= MaxDerived && !_derived.ContainsKey(key)) _derived.Clear();
        _derived[key] = (version, value);
    }

    /// <summary>How many of the event's cases belong to the plan.</summary>
    public int CasesOf(long planId)
    {
        var count = 0;
        foreach (var c in Cases)
            if (c.PlanId == planId) count++;
        return count;
    }

    private sealed class PlannedKeyComparer : IEqualityComparer<(object Cases, object Participants, bool Same, Scope Scope)>
    {
        public static readonly PlannedKeyComparer Instance = new();

        public bool Equals((object Cases, object Participants, bool Same, Scope Scope) a, (object Cases, object Participants, bool Same, Scope Scope) b) =>
            ReferenceEquals(a.Cases, b.Cases) && ReferenceEquals(a.Participants, b.Participants) && a.Same == b.Same && a.Scope == b.Scope;

        public int GetHashCode((object Cases, object Participants, bool Same, Scope Scope) key) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(key.Cases), RuntimeHelpers.GetHashCode(key.Participants), key.Same, key.Scope);
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

public sealed record EventSummary(Tally Total, StatusCounts Statuses, IReadOnlyList<ScopeTotals> Technologies,
    IReadOnlyList<ScopeTotals> Plans);

/// <summary>
/// An event's matrix, summary and per-case statistics: planned cells from <see cref="Planning"/>, current verdicts read
/// from the <see cref="Tallies"/> kept beside the results (or, for a scope narrower than whole plans, counted from the
/// results of its cases), combined by <see cref="MatrixTable"/> and <see cref="CaseRanking"/>. The API, the pages and
/// both reports call these, so their figures cannot disagree.
/// </summary>
public static class EventNumbers
{
    private sealed record CellRow
    {
        public long InitiatorId { get; init; }
        public long ResponderId { get; init; }
        public string Verdict { get; init; } = "";
        public long Count { get; init; }
    }

    /// <summary>
    /// A number that moves whenever any current verdict may have changed: a new result takes the next id of results,
    /// a revision moves the one it replaces to result_revisions under the next id there, and ids only grow (nothing
    /// is deleted), so their sum grows with every write. Two looks at the end of an index, read from the database, so
    /// it holds across instances. Reviews (confirm, dispute) do not move it: no matrix shows them.
    /// </summary>
    public static Task<long> ResultsVersionAsync(SqliteConnection connection, SqliteTransaction? transaction = null) =>
        connection.ExecuteScalarAsync<long>(
            "SELECT (SELECT coalesce(max(id), 0) FROM results) + (SELECT coalesce(max(id), 0) FROM result_revisions)",
            transaction: transaction);

    public static async Task<MatrixTable> MatrixAsync(SqliteConnection connection, NumbersSource source, Scope scope,
        MatrixView view, SqliteTransaction? transaction = null)
    {
        var cases = scope.Apply(source.Cases).ToList();
        var planned = source.Planned(scope, cases);
        if (cases.Count == 0 || planned.Products.Count == 0) return MatrixTable.Build(planned, [], view);

        if (WholePlans(source, cases) is { } planIds)
            return MatrixTable.Build(planned, Tallies.ReadPairs(connection, transaction, source.EventId, planIds), view);

        // Part of a plan (a section, a case): its cases' results, through the (event, case, …) index.
        const string sql = """
            SELECT initiator_id AS InitiatorId, responder_id AS ResponderId, verdict AS Verdict, count(*) AS Count
            FROM results
            WHERE event_id = @eventId AND case_id IN @caseIds
            GROUP BY initiator_id, responder_id, verdict
            """;
        var rows = await connection.QueryAsync<CellRow>(sql,
            new { eventId = source.EventId, caseIds = cases.Select(c => c.Id) }, transaction);
        return MatrixTable.Build(planned,
            rows.Select(r => new CellCount(r.InitiatorId, r.ResponderId, Parse(r.Verdict), r.Count)), view);
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
    public static Task<IReadOnlyList<CaseStatistics>> CaseStatisticsAsync(SqliteConnection connection,
        NumbersSource source, Scope scope, SqliteTransaction? transaction = null)
    {
        var cases = scope.Apply(source.Cases).ToList();
        var planned = source.Planned(scope, cases);
        var tallies = Tallies.ReadCases(connection, transaction, source.EventId);
        var counts = new List<CaseCount>(tallies.Count * 4);
        foreach (var t in tallies)
        {
            counts.Add(new CaseCount(t.CaseId, Verdict.Pass, t.Pass));
            counts.Add(new CaseCount(t.CaseId, Verdict.Fail, t.Fail));
            counts.Add(new CaseCount(t.CaseId, Verdict.Na, t.Na));
            counts.Add(new CaseCount(t.CaseId, Verdict.Blocked, t.Blocked));
        }
        var pairs = tallies.Where(t => t.PassingPairs != 0).ToDictionary(t => t.CaseId, t => t.PassingPairs);
        return Task.FromResult(CaseRanking.Rank(cases, planned, counts, pairs));
    }

    /// <summary>Totals for the event, each technology and each plan, with the review statuses of their results.</summary>
    public static Task<EventSummary> SummaryAsync(SqliteConnection connection, NumbersSource source,
        SqliteTransaction? transaction = null)
    {
        var planned = source.Planned(Scope.Event, source.Cases);
        var rows = Tallies.ReadCases(connection, transaction, source.EventId);

        var tallies = source.Cases.ToDictionary(c => c.Id, c => new Tally(planned.PerCase.GetValueOrDefault(c.Id), 0, 0, 0, 0));
        var statuses = source.Cases.ToDictionary(c => c.Id, _ => new StatusCounts(0, 0, 0));
        foreach (var row in rows)
        {
            if (!tallies.TryGetValue(row.CaseId, out var tally) || tally.Planned == 0) continue;
            tallies[row.CaseId] = tally with { Pass = row.Pass, Fail = row.Fail, Na = row.Na, Blocked = row.Blocked };
            statuses[row.CaseId] = new StatusCounts(row.Reported, row.Confirmed, row.Disputed);
        }

        ScopeTotals Totals(string technology, string? plan, IEnumerable<PlannedCase> cases)
        {
            var list = cases.ToList();
            return new ScopeTotals(technology, plan,
                list.Aggregate(default(Tally), (t, c) => t + tallies[c.Id]),
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
        return Task.FromResult(new EventSummary(all.Tally, all.Statuses, technologies, plans));
    }

    private static Verdict Parse(string verdict) =>
        VerdictNames.TryParse(verdict, out var v) ? v : throw new InvalidDataException($"Unknown verdict '{verdict}' in the results table.");

    private static StatusCounts Sum(StatusCounts a, StatusCounts b) =>
        new(a.Reported + b.Reported, a.Confirmed + b.Confirmed, a.Disputed + b.Disputed);
}
