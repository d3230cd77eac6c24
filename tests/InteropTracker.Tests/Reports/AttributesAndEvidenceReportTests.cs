using System.Globalization;
using System.Net;
using ClosedXML.Excel;
using InteropTracker.EventResults;
using InteropTracker.Evidence;
using InteropTracker.Matrix;
using InteropTracker.Reports;
using InteropTracker.Tests.EventResults;
using InteropTracker.Tests.Evidence;
using InteropTracker.Vendors;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// A chair reads, in both reports, the share of each attribute value among the executed results (the API summary's
/// figures) and, under each matrix, how many evidence files each cell's results have; the anonymised variants show the
/// shares and nothing of the evidence.
/// </summary>
public class AttributesAndEvidenceReportTests(EvidenceFixture app) : IClassFixture<EvidenceFixture>
{
    private readonly Build _build = new(seed: 1415);

    private const string SecretName = "zq-trace-of-a-b.pcap";

    private sealed record World(ResultAttributesTests.Floor Floor, IReadOnlyList<ResultInfo> Logged)
    {
        public string Event => Floor.Event;
        public HttpClient Chair => Floor.Chair;
        public Product[] Products => [Floor.A, Floor.B, Floor.C];
    }

    /// <summary>
    /// Six results of three vendors' products with attributes, one of them not executed (n/a); evidence on three of
    /// them: A→B has three files over two results, C→A one on a blocked result, B→A failed with none, A→C none and
    /// nothing failed.
    /// </summary>
    private async Task<World> WorldAsync()
    {
        var floor = await ResultAttributesTests.OpenAsync(app, _build);
        var (a, b, c) = (floor.A, floor.B, floor.C);
        var logged = new List<ResultInfo>();
        async Task<ResultInfo> LogAsync(string @case, Product initiator, Product responder, string verdict, object? attributes)
        {
            var result = await floor.EngineerA.PostJson(floor.Results, floor.Result(@case, initiator, responder, verdict, attributes))
                .ReadJson<ResultInfo>(HttpStatusCode.Created);
            logged.Add(result);
            return result;
        }
        async Task AttachAsync(ResultInfo result, string name, byte[] bytes) =>
            (await floor.EngineerA.PostAsync($"{floor.Results}/{result.Id}/evidence", EvidenceApiTests.File(name, bytes)))
                .EnsureSuccessStatusCode();

        var call = await LogAsync("CALL-1", a, b, "pass", new Dictionary<string, string> { ["transport"] = "tls", ["video-codec"] = "vp8" });
        await AttachAsync(call, SecretName, EvidenceApiTests.Pcap(seed: 71));
        await AttachAsync(call, "zq-second.pcap", EvidenceApiTests.Pcap(seed: 72));
        await AttachAsync(await LogAsync("CALL-2", a, b, "fail", new Dictionary<string, string> { ["transport"] = "tls" }),
            "zq-video.pcap", EvidenceApiTests.Pcap(seed: 73));
        await LogAsync("CALL-1", b, a, "fail", new Dictionary<string, string> { ["transport"] = "udp" });
        await LogAsync("CALL-1", a, c, "pass", new Dictionary<string, string> { ["transport"] = "udp", ["video-codec"] = "h264" });
        await LogAsync("CALL-2", a, c, "na", new Dictionary<string, string> { ["transport"] = "tcp" });
        await AttachAsync(await LogAsync("CALL-2", c, a, "blocked", null), "zq-screen.png", EvidenceApiTests.Png);
        return new World(floor, logged);
    }

    /// <summary>The evidence files a chair counts through the API, per (initiator, responder) product key.</summary>
    private static async Task<Dictionary<(string, string), long>> CountedEvidenceAsync(World w)
    {
        var counted = new Dictionary<(string, string), long>();
        foreach (var result in w.Logged)
        {
            var files = await w.Chair.GetAsync($"{w.Floor.Results}/{result.Id}/evidence").ReadJson<List<EvidenceInfo>>();
            var pair = (result.Initiator, result.Responder);
            counted[pair] = counted.GetValueOrDefault(pair) + files.Count;
        }
        return counted;
    }

    private static string Label(Product p) => $"{p.Name} {p.Version}".Trim();

    /// <summary>"33.3%" as the PDF writes a share: rounded down to a tenth of a percent.</summary>
    private static string PdfShare(double share) =>
        (Math.Floor(share * 1000) / 10).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Squash(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    private static (string Plan, string Technology, string Attribute, string Value, long Results, long Executed, double Share) Row(
        MatrixApi.SummaryDto summary, AttributeShare s) =>
        (s.Plan ?? "All plans", s.Technology, s.Attribute, s.Value, s.Results,
            s.Plan is null ? summary.Technologies.Single(t => t.Technology == s.Technology).Tally.Executed
                : summary.Plans.Single(p => p.Plan == s.Plan).Tally.Executed,
            s.Share);

    [Fact]
    public async Task The_workbook_summary_shows_each_attribute_values_share_as_the_api_summary_does_in_both_variants()
    {
        var w = await WorldAsync();
        var summary = await w.Chair.GetAsync($"/api/events/{w.Event}/summary").ReadJson<MatrixApi.SummaryDto>();
        // Four executed results (the n/a one is not): tls 2, udp 2; vp8 1, h264 1, once for SIP and once for the plan.
        Assert.Equal(8, summary.AttributeShares.Count);
        Assert.Equal((2L, 0.5), (summary.AttributeShares[0].Results, summary.AttributeShares[0].Share));
        // The event's one technology has one plan: the report gives the shares once, under the plan's name.
        var expected = summary.AttributeShares.Where(s => s.Plan is not null).Select(s => Row(summary, s)).ToList();
        Assert.Equal(4, expected.Count);

        foreach (var anonymise in new[] { false, true })
        {
            var bytes = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.xlsx?anonymize={anonymise}");
            using var workbook = new XLWorkbook(new MemoryStream(bytes));
            var sheet = workbook.Worksheet("Summary");
            var section = sheet.CellsUsed().Single(c => c.GetString() == "Result attributes: share of executed results").Address.RowNumber;
            // The declared values only where products are named: anonymised, a list of them would read like a product's capabilities.
            if (!anonymise)
            {
                Assert.Equal([w.Floor.Plan, "transport", "udp, tcp, tls"], sheet.Row(section + 1).CellsUsed().Select(c => c.GetString()));
                Assert.Equal([w.Floor.Plan, "video-codec", "h264, vp8, av1"], sheet.Row(section + 2).CellsUsed().Select(c => c.GetString()));
            }
            var header = section + (anonymise ? 1 : 3);
            Assert.Equal(["Plan", "Technology", "Attribute", "Value", "Results", "Executed", "Share"],
                sheet.Row(header).CellsUsed().Select(c => c.GetString()));
            var rows = Enumerable.Range(header + 1, expected.Count).Select(r => (
                sheet.Cell(r, 1).GetString(), sheet.Cell(r, 2).GetString(), sheet.Cell(r, 3).GetString(), sheet.Cell(r, 4).GetString(),
                sheet.Cell(r, 5).GetValue<long>(), sheet.Cell(r, 6).GetValue<long>(), sheet.Cell(r, 7).GetValue<double>())).ToList();
            Assert.Equal(expected, rows);
            Assert.Equal("0.0%", sheet.Cell(header + 1, 7).Style.NumberFormat.Format);
            Assert.StartsWith("Share = results naming the value", sheet.Cell(header + 1 + expected.Count, 1).GetString());
        }
    }

    [Fact]
    public async Task The_pdf_summary_shows_the_same_shares_in_the_same_order_in_both_variants()
    {
        var w = await WorldAsync();
        var summary = await w.Chair.GetAsync($"/api/events/{w.Event}/summary").ReadJson<MatrixApi.SummaryDto>();

        foreach (var anonymise in new[] { false, true })
        {
            var bytes = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.pdf?anonymize={anonymise}");
            using var pdf = PdfDocument.Open(bytes);
            var text = Squash(string.Concat(pdf.GetPages().Select(p => p.Text)));
            Assert.DoesNotContain("Allplans", text);
            var at = text.IndexOf("Resultattributes:shareofexecutedresults", StringComparison.Ordinal);
            Assert.True(at > 0, "no attribute section");
            Assert.Equal(!anonymise, text[at..].Contains($"Declaredby{w.Floor.Plan}:transport(udp,tcp,tls);video-codec(h264,vp8,av1)."));
            foreach (var share in summary.AttributeShares.Where(s => s.Plan is not null))
            {
                var (plan, technology, attribute, value, results, executed, fraction) = Row(summary, share);
                var row = Squash($"{plan}{technology}{attribute}{value}{results}{executed}{PdfShare(fraction)}");
                var next = text.IndexOf(row, at, StringComparison.Ordinal);
                Assert.True(next >= 0, $"'{row}' missing or out of the API's order in {text[at..]}");
                at = next + row.Length;
            }
        }
    }

    [Fact]
    public async Task The_workbook_matrix_counts_each_cells_evidence_files_and_the_anonymised_one_has_no_evidence()
    {
        var w = await WorldAsync();
        var counted = await CountedEvidenceAsync(w);
        var (a, b, c) = (w.Floor.A, w.Floor.B, w.Floor.C);
        Assert.Equal((3L, 0L, 1L), (counted[(a.Key, b.Key)], counted[(b.Key, a.Key)], counted[(c.Key, a.Key)]));

        var bytes = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.xlsx");
        using var workbook = new XLWorkbook(new MemoryStream(bytes));
        var sheet = workbook.Worksheet("Matrix SIP");
        var title = sheet.CellsUsed().Single(x => x.GetString() == "Evidence files attached to each cell's results").Address.RowNumber;
        Assert.Equal(["files attached", "failed or blocked, none attached", "nothing failed, none attached"],
            sheet.Row(title).CellsUsed().Skip(1).Select(x => x.GetString()));
        var header = title + 1;
        var responders = Enumerable.Range(2, 3).Select(col => sheet.Cell(header, col).GetString()).ToList();
        Assert.Equal("Evidence files", sheet.Cell(header, 5).GetString());
        var byLabel = w.Products.ToDictionary(Label);
        Assert.Equal(byLabel.Keys.Order(), responders.Order());

        for (var i = 0; i < 3; i++)
        {
            var row = header + 1 + i;
            var initiator = byLabel[sheet.Cell(row, 1).GetString()];
            Assert.Equal(responders[i], sheet.Cell(row, 1).GetString());
            for (var j = 0; j < 3; j++)
            {
                var responder = byLabel[responders[j]];
                var cell = sheet.Cell(row, 2 + j);
                var files = counted.GetValueOrDefault((initiator.Key, responder.Key));
                // A count where files are attached, 0 on amber where the cell failed without any, empty otherwise.
                var failedWithout = (initiator, responder) == (b, a);
                if (files > 0 || failedWithout) Assert.Equal(files, cell.GetValue<long>());
                else Assert.True(cell.IsEmpty(), $"{initiator.Key}→{responder.Key} reads '{cell.GetString()}'");
                var fill = cell.Style.Fill.BackgroundColor;
                if (failedWithout) Assert.Equal("FFFFD580", fill.Color.ToArgb().ToString("X8"));
                if (files > 0) Assert.Equal("FFBBDEFB", fill.Color.ToArgb().ToString("X8"));
            }
            Assert.Equal(counted.Where(p => p.Key.Item1 == initiator.Key).Sum(p => p.Value), sheet.Cell(row, 5).GetValue<long>());
        }
        var totals = header + 4;
        Assert.Equal("Evidence files", sheet.Cell(totals, 1).GetString());
        for (var j = 0; j < 3; j++)
            Assert.Equal(counted.Where(p => p.Key.Item2 == byLabel[responders[j]].Key).Sum(p => p.Value), sheet.Cell(totals, 2 + j).GetValue<long>());
        Assert.Equal(4, sheet.Cell(totals, 5).GetValue<long>());
        // The results sheet agrees result by result, and no file's name is anywhere.
        Assert.Equal(4, workbook.Worksheet("Results").Column(15).CellsUsed().Skip(1).Sum(x => x.GetValue<long>()));
        Assert.DoesNotContain(workbook.Worksheets.SelectMany(s => s.CellsUsed()), x => x.GetString().Contains("zq-"));
        // The evidence grid sits on the matrix sheet, which still prints with its two header rows on every page.
        Assert.Equal((XLPageOrientation.Landscape, 1, 0, 1, 2), (sheet.PageSetup.PageOrientation, sheet.PageSetup.PagesWide,
            sheet.PageSetup.PagesTall, sheet.PageSetup.FirstRowToRepeatAtTop, sheet.PageSetup.LastRowToRepeatAtTop));

        var anonymised = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.xlsx?anonymize=true");
        using var open = new XLWorkbook(new MemoryStream(anonymised));
        var texts = open.Worksheets.SelectMany(s => s.CellsUsed()).Select(x => x.GetString()).ToList();
        Assert.DoesNotContain(texts, t => t.Contains("vidence", StringComparison.OrdinalIgnoreCase) || t.Contains("zq-")
            || t.Contains("attached", StringComparison.OrdinalIgnoreCase));
        var last = open.Worksheet("Matrix SIP").LastRowUsed()!;
        Assert.StartsWith("Labels are drawn for this technology alone", last.Cell(1).GetString());
    }

    [Fact]
    public async Task The_pdf_has_an_evidence_grid_after_the_matrix_and_the_anonymised_pdf_has_none_and_both_check_clean()
    {
        var w = await WorldAsync();
        var counted = await CountedEvidenceAsync(w);
        var (a, b) = (w.Floor.A, w.Floor.B);

        var bytes = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.pdf");
        using (var pdf = PdfDocument.Open(bytes))
        {
            var pages = pdf.GetPages().Select(p => p.Text).ToList();
            var matrix = pages.FindIndex(p => p.Contains("Matrix: SIP"));
            var evidence = pages.FindIndex(p => p.Contains("Evidence files: SIP"));
            Assert.Equal(matrix + 1, evidence);
            var page = Squash(pages[evidence]);
            Assert.Contains(Squash(ReportNotes.Evidence), page);
            // Rows in the matrix's order (the workbook's), each: label, the figures it shows, its total.
            using var workbook = new XLWorkbook(new MemoryStream(await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.xlsx")));
            var order = workbook.Worksheet("Matrix SIP").Row(2).Cells(2, 4).Select(x => x.GetString()).ToList();
            var byLabel = w.Products.ToDictionary(Label);
            var at = page.IndexOf("Initiators", StringComparison.Ordinal);
            foreach (var label in order)
            {
                var initiator = byLabel[label];
                var figures = order.Select(r => byLabel[r]).Select(responder =>
                    counted.GetValueOrDefault((initiator.Key, responder.Key)) is var files && files > 0 ? files.ToString()
                    : (initiator, responder) == (b, a) ? "0" : "");
                var row = Squash(label) + string.Concat(figures) + counted.Where(p => p.Key.Item1 == initiator.Key).Sum(p => p.Value);
                var next = page.IndexOf(row, at, StringComparison.Ordinal);
                Assert.True(next >= 0, $"row '{row}' missing or out of order in '{page}'");
                at = next + row.Length;
            }
            var columns = order.Select(r => counted.Where(p => p.Key.Item2 == byLabel[r].Key).Sum(p => p.Value).ToString());
            Assert.Contains("Columntotal" + string.Concat(columns) + "4", page);
            Assert.DoesNotContain("zq-", string.Concat(pages));
        }
        var (exit, output) = await PrintReadyReportsTests.QpdfCheckAsync(bytes);
        Assert.True(exit == 0 && !output.Contains("WARNING"), output);

        var anonymised = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.pdf?anonymize=true");
        using (var pdf = PdfDocument.Open(anonymised))
        {
            var text = string.Concat(pdf.GetPages().Select(p => p.Text));
            Assert.DoesNotContain("Evidence", text);
            Assert.DoesNotContain("attached", text);
            Assert.DoesNotContain("zq-", text);
        }
        (exit, output) = await PrintReadyReportsTests.QpdfCheckAsync(anonymised);
        Assert.True(exit == 0 && !output.Contains("WARNING"), output);
    }

    [Fact]
    public void A_technology_of_one_plan_gives_its_shares_once_under_the_plan_and_one_of_two_plans_per_technology_and_plan()
    {
        var sample = ReportSample.Make();
        Assert.Equal(["sip-video-basic", "sip-video-basic"], sample.Model(anonymise: false).AttributeShares.Select(s => s.Plan));

        // A second SIP plan: the technology's rows come back, first, as the API orders them.
        var sip = sample.Facts.Summary.Plans.Single(p => p.Technology == "SIP");
        var facts = sample.Facts with
        {
            Summary = sample.Facts.Summary with { Plans = [.. sample.Facts.Summary.Plans, sip with { Plan = "sip-extra" }] },
        };
        Assert.Equal([null, null, "sip-video-basic", "sip-video-basic"],
            ReportComposer.Compose(facts, anonymise: true, DateTime.UtcNow).AttributeShares.Select(s => s.Plan));
    }

    [Fact]
    public async Task A_technology_without_any_evidence_gets_a_line_under_its_matrix_instead_of_a_grid()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        var with = model.Matrices.Single(m => m.Evidence!.Total > 0).Technology;
        var without = model.Matrices.Single(m => m.Evidence!.Total == 0).Technology;

        using var xlsx = new MemoryStream();
        await ExcelReport.WriteAsync(model, xlsx);
        using var workbook = new XLWorkbook(new MemoryStream(xlsx.ToArray()));
        var texts = workbook.Worksheet($"Matrix {without}").CellsUsed().Select(c => c.GetString()).ToList();
        Assert.Contains(ReportNotes.NoEvidence, texts);
        Assert.DoesNotContain("Evidence files attached to each cell's results", texts);
        Assert.Contains("Evidence files attached to each cell's results", workbook.Worksheet($"Matrix {with}").CellsUsed().Select(c => c.GetString()));

        using var pdf = new MemoryStream();
        await PdfReport.WriteAsync(model, pdf);
        using var document = PdfDocument.Open(pdf.ToArray());
        var pages = document.GetPages().Select(p => p.Text).ToList();
        Assert.Contains(ReportNotes.NoEvidence, pages.Single(p => p.Contains($"Matrix: {without}")));
        Assert.DoesNotContain(pages, p => p.Contains($"Evidence files: {without}"));
        Assert.Single(pages, p => p.Contains($"Evidence files: {with}"));
    }
}
