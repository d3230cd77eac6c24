using System.Globalization;
using InteropTracker.Core;
using InteropTracker.Reports;

namespace InteropTracker.Pages;

/// <summary>How the pages show numbers, bands and verdicts: the report's bands and texts, told by words and icons as well as colour.</summary>
public static class Figures
{
    public static string Percent(double? rate) => RateBands.Percent(rate);

    public static string BandClass(Tally tally) => BandClass(RateBands.Of(tally));

    public static string BandClass(RateBand band) => band switch
    {
        RateBand.Full => "band-100",
        RateBand.High => "band-75",
        RateBand.Middle => "band-50",
        RateBand.Low => "band-25",
        RateBand.Poor => "band-0",
        RateBand.NothingExecuted => "band-untested",
        _ => "band-none",
    };

    /// <summary>Share of planned, as a CSS width.</summary>
    public static string Width(long part, long planned) =>
        planned == 0 ? "0%" : (100.0 * part / planned).ToString("0.###", CultureInfo.InvariantCulture) + "%";

    /// <summary>What a screen reader hears for a matrix cell.</summary>
    public static string Describe(Tally t) =>
        t.Planned == 0 ? "nothing planned"
        : $"{t.Pass} of {t.Executed} executed passed ({Percent(t.Rate)}), {t.Fail} failed, {t.Na} not applicable, " +
          $"{t.Blocked} blocked, {t.Untested} of {t.Planned} untested";

    public static string Icon(Verdict? verdict) => verdict switch
    {
        Verdict.Pass => "✓",
        Verdict.Fail => "✗",
        Verdict.Na => "–",
        Verdict.Blocked => "⊘",
        _ => "○",
    };

    public static string Word(Verdict? verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.Fail => "fail",
        Verdict.Na => "n/a",
        Verdict.Blocked => "blocked",
        _ => "untested",
    };

    public static string CssName(Verdict? verdict) => verdict?.Name() ?? "untested";

    public static Verdict? Parse(string? text) => VerdictNames.TryParse(text, out var v) ? v : null;
}
