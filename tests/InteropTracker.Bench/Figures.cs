using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InteropTracker.Bench;

/// <summary>
/// One measured figure against its baseline from the same run. <see cref="Rule"/> says what the target bounds: the
/// ratio (value / baseline) from below or above, or the value itself.
/// </summary>
public sealed record Figure(string Name, string Unit, double Value, double Baseline, string BaselineUnit, Rule Rule, double Target,
    string BaselineSource, IReadOnlyDictionary<string, double>? Details = null, bool Required = true)
{
    public double Ratio => Value / Baseline;

    public bool Met => Required && Rule switch
    {
        Rule.RatioAtLeast => Ratio >= Target,
        Rule.RatioAtMost => Ratio <= Target,
        Rule.ValueBelow => Value < Target,
        _ => false,
    };

    public string TargetText => Rule switch
    {
        Rule.RatioAtLeast => $"ratio ≥ {Target.ToString(CultureInfo.InvariantCulture)}",
        Rule.RatioAtMost => $"ratio ≤ {Target.ToString(CultureInfo.InvariantCulture)}",
        _ => $"value < {Target.ToString(CultureInfo.InvariantCulture)} {Unit}",
    };
}

public enum Rule
{
    RatioAtLeast,
    RatioAtMost,
    ValueBelow,
}

public static class FigureTable
{
    public static string Format(IReadOnlyList<Figure> figures, IReadOnlyList<string> notes)
    {
        var rows = figures.Select(f => new[]
        {
            f.Name, $"{Number(f.Value)} {f.Unit}", $"{Number(f.Baseline)} {f.BaselineUnit}", Number(f.Ratio), f.TargetText,
            f.Met ? "yes" : "NO",
        }).ToList();
        string[] header = ["figure", "value", "baseline", "ratio", "target", "met?"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        var lines = new List<string> { Line(header), "|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|" };
        lines.AddRange(rows.Select(Line));
        lines.Add("");
        lines.AddRange(figures.Select(f => $"- {f.Name}: baseline is {f.BaselineSource}." +
            (f.Details is null ? "" : " " + string.Join(", ", f.Details.Select(d => $"{d.Key} {Number(d.Value)}")))));
        lines.AddRange(notes.Select(n => $"- {n}"));
        return string.Join('\n', lines);
    }

    public static string Number(double value) =>
        double.IsNaN(value) ? "n/a"
        : Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1 ? value.ToString("0.##", CultureInfo.InvariantCulture)
        : value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Json(IReadOnlyList<Figure> figures)
    {
        var root = new JsonObject();
        foreach (var f in figures)
        {
            var node = new JsonObject
            {
                ["value"] = Round(f.Value),
                ["baseline"] = Round(f.Baseline),
                ["ratio"] = Round(f.Ratio),
                ["target"] = f.Target,
                ["met"] = f.Met,
                ["unit"] = f.Unit,
                ["baseline_unit"] = f.BaselineUnit,
                ["rule"] = f.TargetText,
            };
            foreach (var (key, value) in f.Details ?? new Dictionary<string, double>()) node[key] = Round(value);
            root[f.Name] = node;
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode? Round(double value) =>
        double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null;
}
