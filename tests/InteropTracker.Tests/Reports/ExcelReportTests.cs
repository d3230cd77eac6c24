using System.IO.Compression;
using System.Text;
using ClosedXML.Excel;
using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.Reports;

namespace InteropTracker.Tests.Reports;

public class ExcelReportTests
{
    private static async Task<byte[]> WorkbookAsync(ReportModel model, int rowsPerResultsSheet = ExcelReport.MaxDataRows)
    {
        using var stream = new MemoryStream();
        await ExcelReport.WriteAsync(model, stream, rowsPerResultsSheet, CancellationToken.None);
        return stream.ToArray();
    }

    private static XLWorkbook Open(byte[] bytes) => new(new MemoryStream(bytes));

    [Fact]
    public async Task Workbook_has_summary_a_matrix_per_technology_cases_results_a_sheet_per_product_participants_and_plans()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        using var book = Open(await WorkbookAsync(model));

        var names = book.Worksheets.Select(w => w.Name).ToList();
        var expected = new List<string> { "Summary", "Matrix SIP", "Matrix WebRTC", "Test cases", "Feedback", "Results" };
        expected.AddRange(model.Participants.Select(p => p.Label.Length <= 31 ? p.Label : p.Label[..31]));
        expected.AddRange(["Participants", "Test plans"]);
        Assert.Equal(expected, names);
    }

    [Fact]
    public async Task Matrix_sheet_shows_rate_and_pass_over_executed_in_colour_bands_with_typed_totals_and_frozen_headers()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        using var book = Open(await WorkbookAsync(model));
        var matrix = model.Matrices.Single(m => m.Technology == "SIP");
        var sheet = book.Worksheet("Matrix SIP");
        var n = matrix.Products.Count;

        Assert.Equal(2, sheet.SheetView.SplitRow);
        Assert.Equal(1, sheet.SheetView.SplitColumn);
        Assert.Equal("100%", sheet.Cell(1, 2).GetString());
        Assert.Equal("not planned", sheet.Cell(1, 8).GetString());
        for (var j = 0; j < n; j++) Assert.Equal(matrix.Products[j].Label, sheet.Cell(2, j + 2).GetString());

        var bands = new HashSet<RateBand>();
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(matrix.Products[i].Label, sheet.Cell(i + 3, 1).GetString());
            for (var j = 0; j < n; j++)
            {
                var tally = matrix.Table.Cells[i, j];
                var cell = sheet.Cell(i + 3, j + 2);
                Assert.Equal(RateBands.CellText(tally), cell.GetString());
                var band = RateBands.Of(tally);
                bands.Add(band);
                Assert.Equal(Hex(band), FillHex(cell));
            }
            var row = matrix.Table.Rows[i];
            Assert.Equal(row.Planned, sheet.Cell(i + 3, n + 2).GetValue<long>());
            Assert.Equal(row.Executed, sheet.Cell(i + 3, n + 3).GetValue<long>());
            Assert.Equal(row.Pass, sheet.Cell(i + 3, n + 4).GetValue<long>());
            AssertRate(row.Rate, sheet.Cell(i + 3, n + 5));
        }
        Assert.Contains(RateBand.NotPlanned, bands);
        Assert.True(bands.Count >= 4, $"the sample should show several bands, showed {string.Join(", ", bands)}");

        var totals = n + 3;
        Assert.Equal("Planned", sheet.Cell(totals, 1).GetString());
        for (var j = 0; j < n; j++)
        {
            var column = matrix.Table.Columns[j];
            Assert.Equal(column.Planned, sheet.Cell(totals, j + 2).GetValue<long>());
            Assert.Equal(column.Executed, sheet.Cell(totals + 1, j + 2).GetValue<long>());
            Assert.Equal(column.Pass, sheet.Cell(totals + 2, j + 2).GetValue<long>());
            AssertRate(column.Rate, sheet.Cell(totals + 3, j + 2));
        }
        Assert.Equal(matrix.Table.Total.Planned, sheet.Cell(totals, n + 2).GetValue<long>());
        Assert.Equal(matrix.Table.Total.Executed, sheet.Cell(totals + 1, n + 3).GetValue<long>());
        Assert.Equal(matrix.Table.Total.Pass, sheet.Cell(totals + 2, n + 4).GetValue<long>());
        AssertRate(matrix.Table.Total.Rate, sheet.Cell(totals + 3, n + 5));
    }

    [Fact]
    public async Task Summary_holds_typed_dates_and_the_totals_per_technology_and_plan()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        using var book = Open(await WorkbookAsync(model));
        var sheet = book.Worksheet("Summary");

        var start = Find(sheet, "Start date");
        Assert.Equal(XLDataType.DateTime, start.CellRight().DataType);
        Assert.Equal(new DateTime(2026, 5, 11), start.CellRight().GetDateTime());
        Assert.Equal(new DateTime(2026, 5, 16, 14, 30, 0), Find(sheet, "Generated at (UTC)").CellRight().GetDateTime());
        Assert.Equal("Sophia Antipolis, France", Find(sheet, "Place").CellRight().GetString());
        Assert.Equal("Confidential to participants", sheet.Cell(3, 1).GetString());

        foreach (var t in model.Summary.Technologies)
            AssertTallyRow(Find(sheet, t.Technology), t.Tally, t.Statuses);
        AssertTallyRow(Find(sheet, "All technologies"), model.Summary.Total, model.Summary.Statuses);
        foreach (var p in model.Summary.Plans)
            AssertTallyRow(Find(sheet, p.Plan!).CellRight(), p.Tally, p.Statuses);
    }

    [Fact]
    public async Task Test_cases_sheet_ranks_the_cases_worst_first_with_their_passing_pairs()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        using var book = Open(await WorkbookAsync(model));
        var sheet = book.Worksheet("Test cases");
        Assert.Equal(1, sheet.SheetView.SplitRow);
        Assert.Equal($"A1:S{model.Cases.Count + 1}", sheet.AutoFilter.Range.RangeAddress.ToString());
        for (var k = 0; k < model.Cases.Count; k++)
        {
            var f = model.Cases[k];
            var row = sheet.Row(k + 2);
            Assert.Equal(k + 1, row.Cell(1).GetValue<int>());
            Assert.Equal(f.Case.Key, row.Cell(6).GetString());
            AssertTally(row.Cell(9), f.Tally);
            Assert.Equal(f.PassingPairs, row.Cell(19).GetValue<long>());
        }
    }

    [Fact]
    public async Task The_anonymised_workbook_has_no_results_no_product_sheets_and_counts_participants_without_naming_which()
    {
        var model = ReportSample.Make().Model(anonymise: true);
        using var book = Open(await WorkbookAsync(model));

        Assert.Equal(["Summary", "Matrix SIP", "Matrix WebRTC", "Test cases", "Feedback", "Participants", "Test plans"],
            book.Worksheets.Select(w => w.Name));
        var participants = book.Worksheet("Participants");
        foreach (var t in model.TechnologyLineup)
        {
            var row = participants.RowsUsed().Single(r => r.Cell(1).GetString() == t.Name);
            Assert.Equal((t.Products, t.Organizations), (row.Cell(2).GetValue<int>(), row.Cell(3).GetValue<int>()));
        }
        Assert.Equal(model.ProductCount, model.KindLineup.Sum(k => k.Products));
        Assert.Equal(3, participants.LastColumnUsed().ColumnNumber());
    }

    [Fact]
    public async Task Results_sheet_lists_every_current_verdict_with_autofilter_and_continues_on_a_second_sheet_when_full()
    {
        var sample = ReportSample.Make();
        var model = sample.Model(anonymise: false);
        var perSheet = (int)(model.ResultCount / 2 + 3);
        using var book = Open(await WorkbookAsync(model, perSheet));

        var first = book.Worksheet("Results");
        var second = book.Worksheet("Results 2");
        Assert.Equal($"A1:O{perSheet + 1}", first.AutoFilter.Range.RangeAddress.ToString());
        Assert.Equal($"A1:O{model.ResultCount - perSheet + 1}", second.AutoFilter.Range.RangeAddress.ToString());
        Assert.Equal(perSheet + 1, first.LastRowUsed().RowNumber());
        Assert.Equal(model.ResultCount - perSheet + 1, second.LastRowUsed().RowNumber());
        Assert.Equal("Dispute reason", first.Cell(1, 13).GetString());

        var rows = first.Rows(2, perSheet + 1).Concat(second.Rows(2, (int)(model.ResultCount - perSheet + 1))).ToList();
        var byLabel = model.Participants.ToDictionary(p => p.Label);
        var products = sample.Products.ToDictionary(p => p.Id);
        // Grouped by initiator in the order the participants are listed.
        var listed = model.Participants.Select((p, i) => (p.Key!, i)).ToDictionary();
        var expected = sample.Results.OrderBy(r => listed[products[r.InitiatorId].Key]).ToList();
        for (var k = 0; k < expected.Count; k++)
        {
            var r = expected[k];
            var row = rows[k];
            Assert.Equal(products[r.InitiatorId].Key, byLabel[row.Cell(5).GetString()].Key);
            Assert.Equal(products[r.ResponderId].Key, byLabel[row.Cell(6).GetString()].Key);
            Assert.Equal(InteropTracker.Core.VerdictNames.Name(r.Verdict), row.Cell(7).GetString());
            Assert.Equal(r.Status.ToString().ToLowerInvariant(), row.Cell(8).GetString());
            Assert.Equal(r.Revision, row.Cell(9).GetValue<long>());
            Assert.Equal(XLDataType.DateTime, row.Cell(10).DataType);
            Assert.Equal(r.UpdatedAt, row.Cell(10).GetDateTime(), TimeSpan.FromSeconds(1));
            Assert.Equal(r.Notes ?? "", row.Cell(11).GetString());
            Assert.Equal(r.Issue ?? "", row.Cell(12).GetString());
        }
    }

    [Fact]
    public async Task Product_sheet_shows_how_the_product_fared_as_initiator_and_as_responder_against_each_peer()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        using var book = Open(await WorkbookAsync(model));
        foreach (var product in model.Participants)
        {
            var sheet = book.Worksheets.Single(w => w.Cell(1, 1).GetString() == product.Label && w.Name != "Summary");
            Assert.Equal(product.OrganizationLabel, sheet.Cell(2, 2).GetString());
            foreach (var matrix in model.Matrices)
            {
                var i = matrix.Products.ToList().FindIndex(p => p.Index == product.Index);
                if (i < 0) continue;
                var rows = sheet.RowsUsed().Where(r => r.RowNumber() > 8 && r.Cell(1).GetString() == matrix.Technology).ToList();
                foreach (var row in rows)
                {
                    var peer = row.Cell(2).GetString();
                    if (peer == "All peers")
                    {
                        AssertSide(row.Cell(4), matrix.Table.Rows[i]);
                        AssertSide(row.Cell(12), matrix.Table.Columns[i]);
                        continue;
                    }
                    var j = matrix.Products.ToList().FindIndex(p => p.Label == peer);
                    AssertSide(row.Cell(4), matrix.Table.Cells[i, j]);
                    AssertSide(row.Cell(12), matrix.Table.Cells[j, i]);
                }
                var peers = Enumerable.Range(0, matrix.Products.Count)
                    .Count(j => j != i && (matrix.Table.Cells[i, j].Planned > 0 || matrix.Table.Cells[j, i].Planned > 0));
                Assert.Equal(peers + 1, rows.Count);
            }
        }
    }

    [Fact]
    public async Task Anonymised_workbook_carries_no_name_key_note_or_issue_in_any_part()
    {
        var sample = ReportSample.Make();
        var model = sample.Model(anonymise: true);
        var bytes = await WorkbookAsync(model, (int)(model.ResultCount / 2 + 1));

        var text = new StringBuilder();
        using (var zip = new ZipArchive(new MemoryStream(bytes)))
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                text.Append(entry.FullName).Append('\n').Append(reader.ReadToEnd()).Append('\n');
            }
        var all = text.ToString();
        Assert.Contains("Vendor A · 1", all);
        Assert.Contains("Anonymised", all);
        sample.AssertSilentIn(all);

        using var book = Open(bytes);
        Assert.False(book.TryGetWorksheet("Results", out _));
    }

    [Fact]
    public async Task Workbook_metadata_name_no_one_and_the_anonymised_workbook_has_none()
    {
        var full = ReportSample.Make().Model(anonymise: false);
        using (var zip = new ZipArchive(new MemoryStream(await WorkbookAsync(full))))
        {
            var core = new StreamReader(zip.GetEntry("docProps/core.xml")!.Open()).ReadToEnd();
            Assert.Contains("<dc:creator>InteropTracker</dc:creator>", core);
            Assert.Contains("<dc:title>SuperOp 2026 Video Interop: interop report</dc:title>", core);
            Assert.DoesNotContain("lastModifiedBy", core);
        }

        // Document properties carry the moment the file was written, to the second: the anonymised workbook goes without.
        var anonymised = ReportSample.Make().Model(anonymise: true);
        using (var zip = new ZipArchive(new MemoryStream(await WorkbookAsync(anonymised))))
            Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("docProps/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Matrix H.323", "Matrix H.323")]
    [InlineData("Matrix SIP/TLS: [core]*?", "Matrix SIP-TLS- -core---")]
    [InlineData("'quoted'", "quoted")]
    [InlineData("Matrix a very long technology name indeed", "Matrix a very long technology n")]
    public void Sheet_names_follow_excel_rules(string wanted, string expected) =>
        Assert.Equal(expected, new ExcelReport.SheetNames().Take(wanted));

    [Fact]
    public void Sheet_names_stay_unique_ignoring_case_and_within_31_characters()
    {
        var names = new ExcelReport.SheetNames();
        Assert.Equal("Summary", names.Take("Summary"));
        Assert.Equal("summary (2)", names.Take("summary"));
        var longName = new string('x', 40);
        Assert.Equal(new string('x', 31), names.Take(longName));
        Assert.Equal(new string('x', 27) + " (2)", names.Take(longName));
    }

    private static IXLCell Find(IXLWorksheet sheet, string text) =>
        sheet.CellsUsed().First(c => c.DataType == XLDataType.Text && c.GetString() == text);

    private static void AssertTallyRow(IXLCell label, Tally tally, StatusCounts statuses)
    {
        AssertTally(label.CellRight(), tally);
        var confirmed = label.CellRight(11);
        Assert.Equal(statuses.Confirmed, confirmed.GetValue<long>());
        Assert.Equal(statuses.Reported, confirmed.CellRight().GetValue<long>());
        Assert.Equal(statuses.Disputed, confirmed.CellRight(2).GetValue<long>());
    }

    /// <summary>Planned, Logged, Untested, Pass, Fail, N/A, Blocked, Executed, Rate, Progress from <paramref name="first"/> on.</summary>
    private static void AssertTally(IXLCell first, Tally t)
    {
        long[] expected = [t.Planned, t.Logged, t.Untested, t.Pass, t.Fail, t.Na, t.Blocked, t.Executed];
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.Equal(XLDataType.Number, first.CellRight(k).DataType);
            Assert.Equal(expected[k], first.CellRight(k).GetValue<long>());
        }
        AssertRate(t.Rate, first.CellRight(8));
        AssertRate(t.Progress, first.CellRight(9));
    }

    /// <summary>Planned, Pass, Fail, N/A, Blocked, Untested, Executed, Rate.</summary>
    private static void AssertSide(IXLCell first, Tally t)
    {
        long[] expected = [t.Planned, t.Pass, t.Fail, t.Na, t.Blocked, t.Untested, t.Executed];
        for (var k = 0; k < expected.Length; k++) Assert.Equal(expected[k], first.CellRight(k).GetValue<long>());
        AssertRate(t.Rate, first.CellRight(7));
    }

    private static void AssertRate(double? expected, IXLCell cell)
    {
        if (expected is null)
        {
            Assert.True(cell.IsEmpty(), $"{cell.Address} should be empty, holds '{cell.GetString()}'");
            return;
        }
        Assert.Equal(XLDataType.Number, cell.DataType);
        Assert.Equal(expected.Value, cell.GetDouble(), 12);
        Assert.Contains("%", cell.Style.NumberFormat.Format);
    }

    private static string Hex(RateBand band) => RateBands.Colour(band) is { } c ? $"{c.R:X2}{c.G:X2}{c.B:X2}" : "none";

    private static string FillHex(IXLCell cell)
    {
        var fill = cell.Style.Fill;
        if (fill.PatternType == XLFillPatternValues.None) return "none";
        var colour = fill.BackgroundColor.Color;
        return $"{colour.R:X2}{colour.G:X2}{colour.B:X2}";
    }
}
