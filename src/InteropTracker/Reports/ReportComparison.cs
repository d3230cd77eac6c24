using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.History;
using InteropTracker.Matrix;
using InteropTracker.Storage;

namespace InteropTracker.Reports;

/// <summary>
/// "Compared with the previous event", in a closed event's report (and so in the snapshot it is published from): which event (published, so its name and dates are
/// public) and aggregates only — how many cells regressed, were fixed, are new, were dropped or stayed
/// (<see cref="EventDiff"/>, matched by product line), and each technology's pass rate then and now. No product,
/// line or organization, so the anonymised report carries it as it is.
/// </summary>
public sealed record ReportComparison(string PreviousName, DateOnly PreviousStart, DateOnly PreviousEnd,
    long Regressed, long Fixed, long New, long Dropped, long Stayed, IReadOnlyList<ComparedRate> Rates)
{
    /// <summary>The five counts with the words both writers show them under.</summary>
    public IReadOnlyList<(string Label, long Cells)> Cells =>
    [
        ("Regressed (pass → fail)", Regressed), ("Fixed (fail → pass)", Fixed), ("New (no result before)", New),
        ("Dropped (no result now)", Dropped), ("Stayed (same verdict)", Stayed),
    ];
}

/// <summary>A technology's pass rate (pass / executed) in the previous event and in this one; null: none executed.</summary>
public sealed record ComparedRate(string Technology, double? Then, double? Now);

public static class ReportComparisons
{
    private sealed record PreviousEvent
    {
        public string Key { get; init; } = "";
    }

    /// <summary>
    /// The comparison with the latest closed, published event that started before this one and shares a product line with
    /// it; null when this event is not closed or there is none. A closed event's report carries it because publishing
    /// serves the bytes of a snapshot, taken once the event is closed.
    /// </summary>
    public static async Task<ReportComparison?> LoadAsync(Database database, PlanningCache plannings, IResultEngine engine,
        EventPlanning current, EventSummary now, CancellationToken ct = default)
    {
        if (!current.Event.IsClosed) return null;
        await using var connection = await database.OpenAsync(ct);
        var previous = await connection.QuerySingleOrDefaultAsync<PreviousEvent>("""
            SELECT e.key FROM events e
            WHERE e.status = 'closed' AND e.published = 1 AND e.id <> @id AND e.start_date < @start
              AND EXISTS (SELECT 1 FROM participants pa JOIN products p ON p.id = pa.product_id
                          WHERE pa.event_id = e.id AND p.line IN (
                              SELECT p2.line FROM participants pa2 JOIN products p2 ON p2.id = pa2.product_id
                              WHERE pa2.event_id = @id))
            ORDER BY e.start_date DESC, e.end_date DESC, e.key DESC
            LIMIT 1
            """, new { id = current.Event.Id, start = current.Event.StartDate });
        if (previous is null || await plannings.GetAsync(connection, previous.Key) is not { } before) return null;

        var counts = await EventDiff.CountAsync(connection, engine, before, current, ct);
        var then = await EventNumbers.SummaryAsync(engine.Tallies(), before.ToNumbersSource());
        var technologies = then.Technologies.Select(t => t.Technology)
            .Union(now.Technologies.Select(t => t.Technology), StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase);
        var rates = technologies.Select(t => new ComparedRate(t, RateOf(then, t), RateOf(now, t))).ToList();
        rates.Add(new ComparedRate("All technologies", then.Total.Rate, now.Total.Rate));

        var e = before.Event;
        return new ReportComparison(e.Name, Date(e.StartDate), Date(e.EndDate),
            Count(CellChange.Regressed), Count(CellChange.Fixed), Count(CellChange.New), Count(CellChange.Dropped),
            Count(CellChange.Stayed), rates);

        long Count(CellChange change) => counts.GetValueOrDefault(change);
    }

    private static double? RateOf(EventSummary summary, string technology) =>
        summary.Technologies.FirstOrDefault(t => string.Equals(t.Technology, technology, StringComparison.OrdinalIgnoreCase))?.Tally.Rate;

    private static DateOnly Date(string isoDate) => DateOnly.Parse(isoDate, System.Globalization.CultureInfo.InvariantCulture);
}
