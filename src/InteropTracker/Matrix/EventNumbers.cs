using Dapper;
using InteropTracker.Verdicts;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Matrix;

/// <summary>What an event's numbers are computed from: its pinned cases and its participants.</summary>
public sealed record NumbersSource(long EventId, IReadOnlyList<PlannedCase> Cases, IReadOnlyList<Contender> Participants,
    bool IncludeSameOrganization);

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
/// An event's matrix, summary and per-case statistics: planned cells from <see cref="Planning"/>, current verdicts
/// counted in the database, combined by <see cref="MatrixTable"/> and <see cref="CaseRanking"/>. The API, the pages
/// and both reports call these, so their figures cannot disagree.
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

    private sealed record CaseRow
    {
        public long CaseId { get; init; }
        public string Verdict { get; init; } = "";
        public string Status { get; init; } = "";
        public long Count { get; init; }
    }

    private sealed record PairRow
    {
        public long CaseId { get; init; }
        public long Pairs { get; init; }
    }

    public static async Task<MatrixTable> MatrixAsync(SqliteConnection connection, NumbersSource source, Scope scope,
        MatrixView view, SqliteTransaction? transaction = null)
    {
        var cases = scope.Apply(source.Cases).ToList();
        // A technology's matrix lists the products that declare it: the others could have no cell in it.
        var products = scope.Technology is null
            ? source.Participants
            : source.Participants.Where(p => p.Technologies.Contains(scope.Technology)).ToList();
        var planned = Planning.Count(cases, products, source.IncludeSameOrganization);
        if (cases.Count == 0 || planned.Products.Count == 0) return MatrixTable.Build(planned, [], view);

        var everyCase = cases.Count == source.Cases.Count;
        var sql = $"""
            SELECT initiator_id AS InitiatorId, responder_id AS ResponderId, verdict AS Verdict, count(*) AS Count
            FROM results
            WHERE event_id = @eventId {(everyCase ? "" : "AND case_id IN @caseIds")}
            GROUP BY initiator_id, responder_id, verdict
            """;
        var rows = await connection.QueryAsync<CellRow>(sql,
            new { eventId = source.EventId, caseIds = cases.Select(c => c.Id) }, transaction);
        return MatrixTable.Build(planned,
            rows.Select(r => new CellCount(r.InitiatorId, r.ResponderId, Parse(r.Verdict), r.Count)), view);
    }

    /// <summary>Per-case figures, worst first, with the distinct passing pairs of each case.</summary>
    public static async Task<IReadOnlyList<CaseStatistics>> CaseStatisticsAsync(SqliteConnection connection,
        NumbersSource source, Scope scope, SqliteTransaction? transaction = null)
    {
        var cases = scope.Apply(source.Cases).ToList();
        var planned = Planning.Count(cases, source.Participants, source.IncludeSameOrganization);
        var counts = await CaseCountsAsync(connection, source.EventId, transaction);
        var pairs = await PassingPairsAsync(connection, source.EventId, transaction);
        return CaseRanking.Rank(cases, planned,
            counts.Select(r => new CaseCount(r.CaseId, Parse(r.Verdict), r.Count)), pairs);
    }

    /// <summary>Totals for the event, each technology and each plan, with the review statuses of their results.</summary>
    public static async Task<EventSummary> SummaryAsync(SqliteConnection connection, NumbersSource source,
        SqliteTransaction? transaction = null)
    {
        var planned = Planning.Count(source.Cases, source.Participants, source.IncludeSameOrganization);
        var rows = await CaseCountsAsync(connection, source.EventId, transaction);

        var tallies = source.Cases.ToDictionary(c => c.Id, c => new Tally(planned.PerCase.GetValueOrDefault(c.Id), 0, 0, 0, 0));
        var statuses = source.Cases.ToDictionary(c => c.Id, _ => new StatusCounts(0, 0, 0));
        foreach (var row in rows)
        {
            if (!tallies.TryGetValue(row.CaseId, out var tally) || tally.Planned == 0) continue;
            tallies[row.CaseId] = tally.With(Parse(row.Verdict), row.Count);
            statuses[row.CaseId] = Add(statuses[row.CaseId], row.Status, row.Count);
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
        return new EventSummary(all.Tally, all.Statuses, technologies, plans);
    }

    private static async Task<IReadOnlyList<CaseRow>> CaseCountsAsync(SqliteConnection connection, long eventId,
        SqliteTransaction? transaction)
    {
        const string sql = """
            SELECT case_id AS CaseId, verdict AS Verdict, status AS Status, count(*) AS Count
            FROM results
            WHERE event_id = @eventId
            GROUP BY case_id, verdict, status
            """;
        return (await connection.QueryAsync<CaseRow>(sql, new { eventId }, transaction)).AsList();
    }

    /// <summary>Distinct unordered product pairs with at least one passing result, per case.</summary>
    private static async Task<IReadOnlyDictionary<long, long>> PassingPairsAsync(SqliteConnection connection, long eventId,
        SqliteTransaction? transaction)
    {
        const string sql = """
            SELECT case_id AS CaseId, count(*) AS Pairs
            FROM (SELECT DISTINCT case_id,
                         CASE WHEN initiator_id < responder_id THEN initiator_id ELSE responder_id END AS low,
                         CASE WHEN initiator_id < responder_id THEN responder_id ELSE initiator_id END AS high
                  FROM results
                  WHERE event_id = @eventId AND verdict = 'pass') AS passing
            GROUP BY case_id
            """;
        var rows = await connection.QueryAsync<PairRow>(sql, new { eventId }, transaction);
        return rows.ToDictionary(r => r.CaseId, r => r.Pairs);
    }

    private static Verdict Parse(string verdict) =>
        VerdictNames.TryParse(verdict, out var v) ? v : throw new InvalidDataException($"Unknown verdict '{verdict}' in the results table.");

    private static StatusCounts Add(StatusCounts s, string status, long count) => status switch
    {
        "confirmed" => s with { Confirmed = s.Confirmed + count },
        "disputed" => s with { Disputed = s.Disputed + count },
        _ => s with { Reported = s.Reported + count },
    };

    private static StatusCounts Sum(StatusCounts a, StatusCounts b) =>
        new(a.Reported + b.Reported, a.Confirmed + b.Confirmed, a.Disputed + b.Disputed);
}
