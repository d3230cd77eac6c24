using System.Runtime.CompilerServices;
using InteropTracker.Core;

namespace InteropTracker.Matrix;

public static class PlanningNumbers
{
    // One source per planning, kept as long as the planning is (a cached planning is reused by every request until the
    // event changes), so that the planned counts and matrices it remembers serve every request that reads it.
    private static readonly ConditionalWeakTable<EventPlanning, NumbersSource> Sources = new();

    /// <summary>What <see cref="EventNumbers"/> counts from, for this planning.</summary>
    public static NumbersSource ToNumbersSource(this EventPlanning planning) =>
        Sources.GetValue(planning, p => new NumbersSource(p.Event.Id, p.Cases, p.Participants, p.Event.IncludeSameOrganization));
}
