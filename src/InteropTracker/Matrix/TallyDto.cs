namespace InteropTracker.Matrix;

/// <summary>A <see cref="Tally"/> as the API writes it: every number of DESIGN.md, derived ones included.</summary>
public sealed record TallyDto(long Planned, long Pass, long Fail, long Na, long Blocked, long Untested, long Executed,
    double? Rate, double? Progress)
{
    public static TallyDto From(Tally t) =>
        new(t.Planned, t.Pass, t.Fail, t.Na, t.Blocked, t.Untested, t.Executed, Round(t.Rate), Round(t.Progress));

    // Four decimals keep the JSON readable; the reports compute from the same Tally, not from this rounding.
    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
}
