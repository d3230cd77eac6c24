using System.Globalization;
using System.Net;
using System.Text;
using InteropTracker.Core;

namespace InteropTracker.History;

/// <summary>
/// A product line's pass rate per event and technology as an SVG line chart, drawn on the server: no script. Its title and
/// description say what it shows and every figure in words; colours come with distinct marker shapes, and each point has
/// its figure as a tooltip.
/// </summary>
public static class LineChart
{
    private const int Width = 720, Height = 350;
    private const int Left = 64, Right = 24, Top = 20, Bottom = 100;

    /// <summary>How far the first and last events sit inside the plot, so that their labels fit.</summary>
    private const int Inset = 80;
    private const int PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;

    private static readonly string[] Colours = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490"];

    public static string Svg(LineRecord record, string id = "line-chart")
    {
        var svg = new StringBuilder();
        var events = record.Events;
        var title = $"Pass rate of line {record.Line} per event and technology";
        svg.Append($"""<svg class="line-chart" viewBox="0 0 {Width} {Height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">""")
            .Append($"""<title id="{id}-title">{Text(title)}</title>""")
            .Append($"""<desc id="{id}-desc">{Text(Description(record))}</desc>""");

        // The y axis: pass rate from 0 to 100 %, a grid line every 25.
        for (var percent = 0; percent <= 100; percent += 25)
        {
            var y = Y(percent / 100.0);
            svg.Append($"""<line x1="{Left}" y1="{N(y)}" x2="{Left + PlotWidth}" y2="{N(y)}" stroke="{(percent == 0 ? "#4f5b69" : "#d3d9e0")}" stroke-width="1"/>""")
                .Append($"""<text x="{Left - 8}" y="{N(y + 4)}" text-anchor="end" font-size="12" fill="#1a1f26">{percent}%</text>""");
        }
        svg.Append($"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Top + PlotHeight}" stroke="#4f5b69" stroke-width="1"/>""")
            .Append($"""<text x="16" y="{N(Top + PlotHeight / 2.0)}" transform="rotate(-90 16 {N(Top + PlotHeight / 2.0)})" text-anchor="middle" font-size="13" font-weight="600" fill="#1a1f26">Pass rate (pass / executed)</text>""");

        // The x axis: the events in date order, each labelled by its name (cut to its share of the width) and start date.
        var characters = Math.Max(6, (int)((events.Count <= 1 ? PlotWidth : (PlotWidth - 2.0 * Inset) / (events.Count - 1)) / 7.5));
        for (var i = 0; i < events.Count; i++)
        {
            var x = X(i, events.Count);
            var e = events[i].Planning.Event;
            svg.Append($"""<line x1="{N(x)}" y1="{Top + PlotHeight}" x2="{N(x)}" y2="{Top + PlotHeight + 5}" stroke="#4f5b69"/>""")
                .Append($"""<text x="{N(x)}" y="{Top + PlotHeight + 20}" text-anchor="middle" font-size="12" fill="#1a1f26">{Text(Short(e.Name, characters))}<tspan x="{N(x)}" dy="15">{Text(e.StartDate)}</tspan></text>""");
        }
        svg.Append($"""<text x="{Left + PlotWidth / 2}" y="{Height - 30}" text-anchor="middle" font-size="13" font-weight="600" fill="#1a1f26">Event (by start date)</text>""");

        // One series per technology: a line through the events where something was executed, a marker at each.
        for (var t = 0; t < record.Technologies.Count; t++)
        {
            var technology = record.Technologies[t];
            var colour = Colours[t % Colours.Length];
            var points = events.Select((e, i) => (i, e, tally: e.Technologies.GetValueOrDefault(technology))).ToList();
            var run = new List<string>();
            void Flush()
            {
                if (run.Count > 1)
                    svg.Append($"""<polyline points="{string.Join(' ', run)}" fill="none" stroke="{colour}" stroke-width="2.5"/>""");
                run.Clear();
            }
            foreach (var (i, e, tally) in points)
            {
                if (tally.Rate is not { } rate)
                {
                    Flush();
                    continue;
                }
                run.Add($"{N(X(i, events.Count))},{N(Y(rate))}");
            }
            Flush();
            foreach (var (i, e, tally) in points)
                if (tally.Rate is { } rate)
                    svg.Append(Marker(t, X(i, events.Count), Y(rate), colour,
                        $"{technology} at {e.Planning.Event.Name}: {Percent(rate)} ({tally.Pass} of {tally.Executed} executed passed)"));
        }

        // The legend, under the axis title.
        var legendX = (double)Left;
        for (var t = 0; t < record.Technologies.Count; t++)
        {
            var colour = Colours[t % Colours.Length];
            svg.Append($"""<line x1="{N(legendX)}" y1="{Height - 10}" x2="{N(legendX + 24)}" y2="{Height - 10}" stroke="{colour}" stroke-width="2.5"/>""")
                .Append(Marker(t, legendX + 12, Height - 10, colour, null))
                .Append($"""<text x="{N(legendX + 30)}" y="{Height - 6}" font-size="12" fill="#1a1f26">{Text(record.Technologies[t])}</text>""");
            legendX += 44 + record.Technologies[t].Length * 8;
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Every figure of the chart in words, for whoever cannot see it.</summary>
    public static string Description(LineRecord record) =>
        record.Technologies.Count == 0
            ? $"Line {record.Line} has no result in the events shown."
            : string.Join(" ", record.Technologies.Select(t => $"{t}: " + string.Join("; ", record.Events.Select(e =>
                $"{e.Planning.Event.Name} ({e.Planning.Event.StartDate}) " +
                (e.Technologies.GetValueOrDefault(t) is { Rate: { } rate } tally ? $"{Percent(rate)} of {tally.Executed} executed" : "nothing executed"))) + "."));

    private static string Marker(int series, double x, double y, string colour, string? tooltip)
    {
        var tip = tooltip is null ? "" : $"<title>{Text(tooltip)}</title>";
        var (cx, cy) = (N(x), N(y));
        return (series % 4) switch
        {
            0 => $"""<circle cx="{cx}" cy="{cy}" r="5" fill="{colour}" stroke="#fff" stroke-width="1.5">{tip}</circle>""",
            1 => $"""<rect x="{N(x - 5)}" y="{N(y - 5)}" width="10" height="10" fill="{colour}" stroke="#fff" stroke-width="1.5">{tip}</rect>""",
            2 => $"""<polygon points="{N(x)},{N(y - 6)} {N(x + 6)},{N(y + 5)} {N(x - 6)},{N(y + 5)}" fill="{colour}" stroke="#fff" stroke-width="1.5">{tip}</polygon>""",
            _ => $"""<polygon points="{N(x)},{N(y - 6)} {N(x + 6)},{N(y)} {N(x)},{N(y + 6)} {N(x - 6)},{N(y)}" fill="{colour}" stroke="#fff" stroke-width="1.5">{tip}</polygon>""",
        };
    }

    private static double X(int index, int count) =>
        count <= 1 ? Left + PlotWidth / 2.0 : Left + Inset + index * (PlotWidth - 2.0 * Inset) / (count - 1);

    private static double Y(double rate) => Top + (1 - rate) * PlotHeight;

    private static string Short(string name, int characters) => name.Length <= characters ? name : name[..(characters - 1)] + "…";

    private static string Percent(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
