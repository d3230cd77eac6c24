namespace InteropTracker.Core;

/// <summary>How many current verdicts of one kind a cell (ordered pair) has within a scope.</summary>
public readonly record struct CellCount(long InitiatorId, long ResponderId, Verdict Verdict, long Count);

/// <summary>How many current verdicts of one kind a case has, over all its pairs.</summary>
public readonly record struct CaseCount(long CaseId, Verdict Verdict, long Count);

public enum MatrixView
{
    /// <summary>Rows are initiators, columns responders.</summary>
    Ordered,
    /// <summary>(a, b) and (b, a) summed into one symmetric cell.</summary>
    Pair,
}

/// <summary>
/// The matrix of a scope: rows are initiators, columns responders, each cell a <see cref="Tally"/>;
/// with row, column and grand totals. The API, the pages and both reports read this same table.
/// </summary>
public sealed class MatrixTable
{
    private MatrixTable(IReadOnlyList<Participant> products, Tally[,] cells, MatrixView view)
    {
        Products = products;
        Cells = cells;
        View = view;
        var n = products.Count;
        Rows = new Tally[n];
        Columns = new Tally[n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                Rows[i] += cells[i, j];
                Columns[j] += cells[i, j];
                if (view == MatrixView.Ordered || i <= j) Total += cells[i, j];
            }
    }

    public MatrixView View { get; }
    public IReadOnlyList<Participant> Products { get; }

    /// <summary>[row, column]; in the pair view [i, j] and [j, i] hold the same sum.</summary>
    public Tally[,] Cells { get; }

    /// <summary>Each product as initiator (ordered view), or in every pairing it is part of (pair view).</summary>
    public Tally[] Rows { get; }

    public Tally[] Columns { get; }

    /// <summary>The scope's total: every planned cell counted once, in either view.</summary>
    public Tally Total { get; }

    /// <summary>
    /// Planned cells from <paramref name="planned"/>, verdicts from <paramref name="counts"/>. A count for a pair
    /// that has nothing planned in the scope is ignored (the API refuses such results, so none should exist).
    /// </summary>
    public static MatrixTable Build(PlannedCounts planned, IEnumerable<CellCount> counts, MatrixView view = MatrixView.Ordered)
    {
        var products = planned.Products;
        var n = products.Count;
        var index = new Dictionary<long, int>(n);
        for (var i = 0; i < n; i++) index[products[i].Id] = i;

        var cells = new Tally[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                cells[i, j] = new Tally(planned.Cells[i, j], 0, 0, 0, 0);

        foreach (var count in counts)
        {
            if (!index.TryGetValue(count.InitiatorId, out var i) || !index.TryGetValue(count.ResponderId, out var j)) continue;
            if (cells[i, j].Planned == 0) continue;
            cells[i, j] = cells[i, j].With(count.Verdict, count.Count);
        }

        if (view == MatrixView.Pair)
        {
            for (var i = 0; i < n; i++)
                for (var j = i + 1; j < n; j++)
                {
                    var sum = cells[i, j] + cells[j, i];
                    cells[i, j] = sum;
                    cells[j, i] = sum;
                }
        }
        return new MatrixTable(products, cells, view);
    }
}

/// <summary>One test case's figures over the whole event: what goes back to the authors of the best-practice document.</summary>
public sealed record CaseStatistics(PlannedCase Case, Tally Tally, long PassingPairs);

public static class CaseRanking
{
    /// <summary>
    /// Per-case figures ranked worst first: lowest rate first; cases never executed after every executed one;
    /// ties broken by more failures, then plan and case key.
    /// </summary>
    /// <param name="passingPairs">Per case id, the distinct unordered product pairs with at least one pass.</param>
    public static IReadOnlyList<CaseStatistics> Rank(IEnumerable<PlannedCase> cases, PlannedCounts planned,
        IEnumerable<CaseCount> counts, IReadOnlyDictionary<long, long> passingPairs)
    {
        var tallies = new Dictionary<long, Tally>();
        foreach (var c in cases)
            tallies[c.Id] = new Tally(planned.PerCase.GetValueOrDefault(c.Id), 0, 0, 0, 0);
        foreach (var count in counts)
            if (tallies.TryGetValue(count.CaseId, out var t) && t.Planned > 0)
                tallies[count.CaseId] = t.With(count.Verdict, count.Count);

        return cases
            .Select(c => new CaseStatistics(c, tallies[c.Id], passingPairs.GetValueOrDefault(c.Id)))
            .OrderBy(s => s.Tally.Rate is null)
            .ThenBy(s => s.Tally.Rate ?? 0)
            .ThenByDescending(s => s.Tally.Fail)
            .ThenBy(s => s.Case.Plan, StringComparer.Ordinal)
            .ThenBy(s => s.Case.Key, StringComparer.Ordinal)
            .ToList();
    }
}
