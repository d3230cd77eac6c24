using System.Globalization;
using System.Text;
using InteropTracker.Core;
using InteropTracker.Reports;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

public class PdfReportTests
{
    private static async Task<byte[]> PdfAsync(ReportModel model)
    {
        using var stream = new MemoryStream();
        await PdfReport.WriteAsync(model, stream);
        return stream.ToArray();
    }

    private static List<string> PageTexts(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => p.Text).ToList();
    }

    private static string Squash(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Pdf_carries_the_cover_the_key_figures_every_product_name_and_page_numbers()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        var pages = PageTexts(await PdfAsync(model));
        var all = string.Join("\n", pages);

        Assert.Contains("Interop report", pages[0]);
        Assert.Contains("SuperOp 2026 Video Interop", pages[0]);
        Assert.Contains("11–15 May 2026", pages[0]);
        Assert.Contains("Sophia Antipolis, France", pages[0]);
        Assert.Contains("2026-05-16 14:30 UTC", pages[0]);
        Assert.Contains("Confidential to participants", pages[0]);

        var summary = pages[1];
        var total = model.Summary.Total;
        Assert.Contains("Executive summary", summary);
        Assert.Contains($"Of {N(total.Planned)} planned tests, {N(total.Logged)} were logged", summary);
        Assert.Contains($"of the {N(total.Executed)} executed, {N(total.Pass)} passed", summary);
        foreach (var t in model.Summary.Technologies)
            Assert.Contains($"{t.Technology}{N(t.Tally.Planned)}{N(t.Tally.Logged)}{N(t.Tally.Pass)}{N(t.Tally.Fail)}" +
                            $"{N(t.Tally.Na)}{N(t.Tally.Blocked)}{N(t.Tally.Untested)}", summary);

        // A table cell wraps long names over lines, and the extracted text loses the space at the break.
        var squashed = Squash(all);
        foreach (var product in model.Participants)
        {
            Assert.Contains(product.Name!, all);
            Assert.Contains(Squash(product.OrganizationName!), squashed);
        }
        foreach (var matrix in model.Matrices) Assert.Contains($"Matrix: {matrix.Technology}", all);
        Assert.Contains("Worst test cases", all);
        Assert.Contains("Cases short of two independent passing pairs", all);
        for (var i = 0; i < pages.Count; i++) Assert.Contains($"Page {i + 1} of {pages.Count}", pages[i]);
    }

    [Fact]
    public async Task Heat_map_cells_show_the_rate_and_pass_over_executed_of_the_matrix()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        var pages = PageTexts(await PdfAsync(model));
        var sip = model.Matrices.Single(m => m.Technology == "SIP");
        var page = pages.Single(p => p.Contains("Matrix: SIP"));
        for (var i = 0; i < sip.Products.Count; i++)
        {
            var row = sip.Table.Rows[i];
            Assert.Contains($"{RateBands.Percent(row.Rate)}{row.Pass}/{row.Executed}", page);
        }
        var t = sip.Table.Total;
        Assert.Contains($"{RateBands.Percent(t.Rate)}{t.Pass}/{t.Executed}", page);
    }

    [Fact]
    public async Task Pdf_lists_the_worst_cases_and_the_cases_short_of_two_independent_passing_pairs()
    {
        var model = ReportSample.Make().Model(anonymise: false);
        model = model with { Cases = model.Cases.Select(c => c with { PassingPairs = c.Rank % 3 == 0 ? 1 : 2 + c.Rank }).ToList() };
        var pages = PageTexts(await PdfAsync(model));
        var worst = pages.Single(p => p.Contains("Worst test cases"));
        worst = worst[worst.IndexOf("Worst test cases", StringComparison.Ordinal)..];
        if (worst.Contains("Cases short of two")) worst = worst[..worst.IndexOf("Cases short of two", StringComparison.Ordinal)];
        var shortPage = string.Join("\n", pages.SkipWhile(p => !p.Contains("Cases short of two independent passing pairs")));

        var ranked = model.Cases.Where(c => c.Tally.Executed > 0).ToList();
        var positions = ranked.Select(c => worst.IndexOf(c.Case.Key, StringComparison.Ordinal)).ToList();
        Assert.All(positions, at => Assert.True(at >= 0));
        Assert.Equal(positions.Order(), positions);
        var tail = shortPage[shortPage.IndexOf("Cases short of two independent passing pairs", StringComparison.Ordinal)..];
        tail = tail[..tail.IndexOf("Participants", StringComparison.Ordinal)];
        Assert.Contains($"{model.Cases.Count(c => c.PassingPairs < 2)} of {model.Cases.Count} test cases", tail);
        foreach (var c in model.Cases)
            Assert.Equal(c.PassingPairs < 2, tail.Contains(c.Case.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymised_pdf_carries_no_name_key_note_or_issue_in_its_text_or_metadata()
    {
        var sample = ReportSample.Make();
        var bytes = await PdfAsync(sample.Model(anonymise: true));

        var text = new StringBuilder();
        using (var document = PdfDocument.Open(bytes))
        {
            foreach (var page in document.GetPages()) text.Append(page.Text).Append('\n');
            var info = document.Information;
            text.Append(info.Title).Append(info.Author).Append(info.Subject).Append(info.Keywords).Append(info.Creator).Append(info.Producer);
            if (document.TryGetXmpMetadata(out var xmp)) text.Append(xmp.GetXDocument());
            Assert.Equal("InteropTracker", info.Author);
            Assert.Equal("InteropTracker", info.Creator);
            Assert.Equal("SuperOp 2026 Video Interop: interop report", info.Title);
        }
        text.Append(Encoding.Latin1.GetString(bytes));
        var all = text.ToString();
        Assert.Contains("Anonymised", all);
        Assert.Contains("Vendor A · 1", all);
        sample.AssertSilentIn(all);
    }

    [Fact]
    public async Task A_matrix_of_60_products_is_split_over_pages_each_with_its_row_and_column_headers()
    {
        var model = ReportSample.Make(products: 60, organizations: 20).Model(anonymise: true);
        var pages = PageTexts(await PdfAsync(model));
        var sip = model.Matrices.Single(m => m.Technology == "SIP");
        Assert.Equal(60, sip.Products.Count);

        var matrixPages = pages.Where(p => p.Contains("Matrix: SIP")).ToList();
        Assert.True(matrixPages.Count >= 4, $"60 products should need several pages, got {matrixPages.Count}");
        var rowsSeen = new HashSet<string>();
        var columnsSeen = new HashSet<string>();
        foreach (var page in matrixPages)
        {
            var range = System.Text.RegularExpressions.Regex.Match(page, @"rows (\d+)–(\d+) and columns (\d+)–(\d+) of 60");
            Assert.True(range.Success, "each matrix page says which rows and columns it shows");
            int At(int g) => int.Parse(range.Groups[g].Value, CultureInfo.InvariantCulture);
            Assert.True(At(2) - At(1) < 59 || At(4) - At(3) < 59, "a page shows part of the matrix");
            Assert.Contains("Row total", page);
            Assert.Contains("Column total", page);
            Assert.Contains("Responders", page);
            Assert.Contains("Initiators", page);
            for (var r = At(1) - 1; r < At(2); r++)
            {
                Assert.Contains(sip.Products[r].Label, page);
                rowsSeen.Add(sip.Products[r].Label);
            }
            for (var c = At(3) - 1; c < At(4); c++)
            {
                Assert.Contains(sip.Products[c].Label, page);
                columnsSeen.Add(sip.Products[c].Label);
            }
        }
        Assert.Equal(60, rowsSeen.Count);
        Assert.Equal(60, columnsSeen.Count);
    }
}
