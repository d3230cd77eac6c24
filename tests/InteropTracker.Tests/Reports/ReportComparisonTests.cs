using System.Net;
using System.Text.Json;
using ClosedXML.Excel;
using InteropTracker.Core;
using InteropTracker.Tests.History;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// "Compared with the previous event" in the reports of a published event, read back from the files against the hand
/// count of <see cref="TwoEvents"/>: regressed 2, fixed 1, new 2, dropped 1, stayed 3; SIP pass rate 6/8 then, 5/8 now.
/// </summary>
public sealed class ReportComparisonTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 23);

    private static readonly (string Label, long Cells)[] HandCount =
    [
        ("Regressed (pass → fail)", 2), ("Fixed (fail → pass)", 1), ("New (no result before)", 2),
        ("Dropped (no result now)", 1), ("Stayed (same verdict)", 3),
    ];

    private static async Task<byte[]> BytesAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Every text of the Summary sheet from the block's heading down, row by row; null: no block.</summary>
    private static List<string[]>? Block(byte[] xlsx)
    {
        using var book = new XLWorkbook(new MemoryStream(xlsx));
        var sheet = book.Worksheet("Summary");
        var heading = sheet.CellsUsed().FirstOrDefault(c => c.GetString() == "Compared with the previous event");
        if (heading is null) return null;
        return sheet.Rows(heading.Address.RowNumber, sheet.LastRowUsed()!.RowNumber())
            .Select(r => r.CellsUsed().Select(c => c.DataType == XLDataType.Number && c.Style.NumberFormat.Format.Contains('%')
                ? (c.GetDouble() * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%"
                : c.DataType == XLDataType.DateTime ? c.GetDateTime().ToString("yyyy-MM-dd") : c.GetString()).ToArray())
            .ToList();
    }

    private static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static async Task<string> NameOf(HttpClient chair, string @event) =>
        (await chair.GetAsync($"/api/events/{@event}").ReadJson<JsonElement>()).GetProperty("name").GetString()!;

    /// <summary>Everything that would name a product of either event: keys, names, lines, organizations.</summary>
    private static IEnumerable<string> Names(TwoEvents s) =>
        new[] { s.OldPhone, s.OldBridge, s.OldGateway, s.NewPhone, s.NewBridge, s.NewGateway }
            .SelectMany(p => new[] { p.Key, p.Name, p.Line, p.Organization, p.OrganizationName })
            .Concat(new[] { s.A, s.B, s.C, s.D }.SelectMany(o => new[] { o.Key, o.Name }))
            .Concat([s.PhoneLine, s.BridgeLine, s.GatewayLine]);

    [Fact]
    public async Task A_published_events_reports_compare_it_with_the_previous_published_event_in_counts_and_rates_only()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);
        await s.Chair.MoveTo(s.Earlier, EventStatus.Closed, published: true);
        await s.Chair.MoveTo(s.Later, EventStatus.Closed, published: true);
        var earlierName = await NameOf(s.Chair, s.Earlier);

        foreach (var (client, anonymise) in new[] { (app.Anonymous(), true), (s.Chair, false) })
        {
            var query = anonymise ? "?anonymize=true" : "";
            var block = Block(await BytesAsync(client, $"/api/events/{s.Later}/report.xlsx{query}"));
            Assert.NotNull(block);
            var rows = block.Where(r => r.Length > 0).ToList();
            Assert.Equal(["Previous event", earlierName], rows[1]);
            Assert.Equal(["Start date", "2026-03-02"], rows[2]);
            Assert.Equal(["End date", "2026-03-06"], rows[3]);
            Assert.Equal(["Cells", "Count"], rows[4]);
            Assert.Equal(HandCount.Select(h => new[] { h.Label, h.Cells.ToString() }), rows.Skip(5).Take(5));
            Assert.Equal(["Technology", "Rate then", "Rate now"], rows[10]);
            Assert.Equal(["SIP", "75%", "62.5%"], rows[11]);
            Assert.Equal(["All technologies", "75%", "62.5%"], rows[12]);
            Assert.DoesNotContain(Names(s), name => block.SelectMany(r => r).Any(text => text.Contains(name, StringComparison.OrdinalIgnoreCase)));

            var pdf = PdfText(await BytesAsync(client, $"/api/events/{s.Later}/report.pdf{query}"));
            var at = pdf.IndexOf("Compared with the previous event", StringComparison.Ordinal);
            Assert.True(at >= 0, "the PDF has no comparison");
            var section = pdf[at..];
            Assert.Contains($"{earlierName}, 2–6 March 2026.", section);
            foreach (var (label, cells) in HandCount) Assert.Contains($"{label} {cells}", section);
            Assert.Contains("SIP 75.0% 62.5%", section);
            Assert.Contains("All technologies 75.0% 62.5%", section);
            if (anonymise) Assert.DoesNotContain(Names(s), name => pdf.Contains(name, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task There_is_no_comparison_without_an_earlier_published_event_of_the_same_lines_or_before_publication()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);
        await s.Chair.MoveTo(s.Later, EventStatus.Closed, published: true);

        // The earlier event is closed but not published: it is not public, so it is no one's previous event.
        Assert.Null(Block(await BytesAsync(app.Anonymous(), $"/api/events/{s.Later}/report.xlsx?anonymize=true")));
        Assert.DoesNotContain("Compared with the previous event", PdfText(await BytesAsync(s.Chair, $"/api/events/{s.Later}/report.pdf")));

        // Published, the earlier event has nothing before it.
        await s.Chair.MoveTo(s.Earlier, EventStatus.Closed, published: true);
        Assert.Null(Block(await BytesAsync(app.Anonymous(), $"/api/events/{s.Earlier}/report.xlsx?anonymize=true")));
        // The later event's published bytes are its snapshot's, taken before there was anything to compare with; a new
        // snapshot, published, carries the comparison.
        Assert.Null(Block(await BytesAsync(app.Anonymous(), $"/api/events/{s.Later}/report.xlsx?anonymize=true")));
        await s.Chair.MoveTo(s.Later, EventStatus.Closed, published: true);
        Assert.NotNull(Block(await BytesAsync(app.Anonymous(), $"/api/events/{s.Later}/report.xlsx?anonymize=true")));
    }
}
