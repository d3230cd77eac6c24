namespace InteropTracker.Core;

/// <summary>
/// A <see cref="Tally"/> as the API writes it: every number of DESIGN.md, derived ones included. Planned, untested and
/// progress are null where an anonymised matrix withholds them (see <see cref="Anonymizer.Withheld"/>).
/// </summary>
public sealed record TallyDto(long? Planned, long Pass, long Fail, long Na, long Blocked, long? Untested, long Executed,
    double? Rate, double? Progress)
{
    public static TallyDto From(Tally t) =>
        new(t.Planned, t.Pass, t.Fail, t.Na, t.Blocked, t.Untested, t.Executed, Round(t.Rate), Round(t.Progress));

    /// <summary>A product's tally in an anonymised matrix: the verdicts logged, nothing of what was planned.</summary>
    public static TallyDto Withheld(Tally t) =>
        new(null, t.Pass, t.Fail, t.Na, t.Blocked, null, t.Executed, Round(t.Rate), null);

    // Four decimals keep the JSON readable; the reports compute from the same Tally, not from this rounding.
    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
}
