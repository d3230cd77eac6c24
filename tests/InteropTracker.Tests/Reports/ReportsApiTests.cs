using System.IO.Compression;
using System.Net;
using System.Text;
using ClosedXML.Excel;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Reports;
using InteropTracker.Tests.Access;
using InteropTracker.EventResults;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

public class ReportsApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private sealed record Expected(EventSummary Summary, IReadOnlyDictionary<string, MatrixTable> Matrices,
        IReadOnlyList<CaseStatistics> Cases, long Results);

    /// <summary>
    /// The figures the API answers at /summary, /matrix?technology= and /test-case-stats, turned back into the core's
    /// types (each matrix rebuilt from its cells, and its rows, columns and total checked against the API's own).
    /// </summary>
    private async Task<Expected> ExpectedAsync(string eventKey)
    {
        var member = await app.ClientFor(Roles.Member);
        var summary = await member.GetAsync($"/api/events/{eventKey}/summary").ReadJson<MatrixApi.SummaryDto>();
        var matrices = new Dictionary<string, MatrixTable>();
        foreach (var t in summary.Technologies)
        {
            var dto = await member.GetAsync($"/api/events/{eventKey}/matrix?technology={Uri.EscapeDataString(t.Technology)}")
                .ReadJson<MatrixApi.MatrixDto>();
            var products = dto.Products.Select((p, i) => new Participant { Id = i, Key = p.Id, OrganizationId = 0 }).ToList();
            var index = products.ToDictionary(p => p.Key, p => (int)p.Id);
            var planned = new long[products.Count, products.Count];
            var counts = new List<CellCount>();
            foreach (var cell in dto.Cells)
            {
                var (i, j) = (index[cell.Initiator], index[cell.Responder]);
                planned[i, j] = cell.Tally.Planned!.Value;
                counts.Add(new CellCount(i, j, Verdict.Pass, cell.Tally.Pass));
                counts.Add(new CellCount(i, j, Verdict.Fail, cell.Tally.Fail));
                counts.Add(new CellCount(i, j, Verdict.Na, cell.Tally.Na));
                counts.Add(new CellCount(i, j, Verdict.Blocked, cell.Tally.Blocked));
            }
            var table = MatrixTable.Build(new PlannedCounts(products, planned, new Dictionary<long, long>()), counts);
            foreach (var line in dto.Rows) Assert.Equal(TallyDto.From(table.Rows[index[line.Product]]), line.Tally);
            foreach (var line in dto.Columns) Assert.Equal(TallyDto.From(table.Columns[index[line.Product]]), line.Tally);
            Assert.Equal(TallyDto.From(table.Total), dto.Total);
            matrices[t.Technology] = table;
        }
        var cases = await member.GetAsync($"/api/events/{eventKey}/test-case-stats").ReadJson<List<MatrixApi.CaseStatDto>>();
        var statistics = cases.Select(c => new CaseStatistics(
            new PlannedCase { Id = c.Rank, PlanId = 0, Plan = c.Plan, Section = c.Section, Key = c.Case, Technology = c.Technology },
            Core(c.Tally), c.PassingPairs)).ToList();
        var expected = new EventSummary(Core(summary.Total), Statuses(summary.Statuses),
            summary.Technologies.Select(t => new ScopeTotals(t.Technology, null, Core(t.Tally), Statuses(t.Statuses))).ToList(),
            summary.Plans.Select(p => new ScopeTotals(p.Technology, p.Plan, Core(p.Tally), Statuses(p.Statuses))).ToList());
        return new Expected(expected, matrices, statistics, expected.Total.Logged);
    }

    private static Tally Core(TallyDto t)
    {
        var tally = new Tally(t.Planned!.Value, t.Pass, t.Fail, t.Na, t.Blocked);
        Assert.Equal(TallyDto.From(tally), t);
        return tally;
    }

    private static StatusCounts Statuses(MatrixApi.StatusDto s) => new(s.Reported, s.Confirmed, s.Disputed);

    private static async Task<byte[]> DownloadAsync(HttpClient client, string url, string fileName, string contentType)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(fileName, response.Content.Headers.ContentDisposition?.FileNameStar);
        return body;
    }

    [Fact]
    public async Task Every_figure_in_every_sheet_of_the_workbook_equals_the_api_matrix_summary_and_case_statistics()
    {
        var seed = await ReportSeed.CreateAsync(app, seed: 21);
        var member = await app.ClientFor(Roles.Member);
        var bytes = await DownloadAsync(member, $"/api/events/{seed.Event}/report.xlsx", $"{seed.Event}-interop-report.xlsx",
            ExcelReport.ContentType);
        var expected = await ExpectedAsync(seed.Event);
        using var book = new XLWorkbook(new MemoryStream(bytes));

        // Participants: the label every other sheet uses, and the product key behind it.
        var participants = book.Worksheet("Participants");
        var keyOf = participants.RowsUsed().Skip(1).ToDictionary(r => r.Cell(1).GetString(), r => r.Cell(6).GetString());
        Assert.Equal(seed.Products.Select(p => p.Key).Order(), keyOf.Values.Order());
        foreach (var p in seed.Products)
        {
            var row = participants.RowsUsed().Single(r => r.Cell(6).GetString() == p.Key);
            Assert.Equal((p.OrganizationName, p.Version, p.Organization), (row.Cell(2).GetString(), row.Cell(7).GetString(), row.Cell(8).GetString()));
        }

        // Summary: per technology, the event, per plan.
        var summary = book.Worksheet("Summary");
        Assert.Equal(expected.Results, Find(summary, "Current results").CellRight().GetValue<long>());
        foreach (var t in expected.Summary.Technologies)
            AssertTallyAndStatuses(Find(summary, t.Technology), t.Tally, t.Statuses);
        AssertTallyAndStatuses(Find(summary, "All technologies"), expected.Summary.Total, expected.Summary.Statuses);
        foreach (var p in expected.Summary.Plans)
            AssertTallyAndStatuses(Find(summary, p.Plan!).CellRight(), p.Tally, p.Statuses);

        // One matrix sheet per technology: every cell, row total, column total and the corner.
        Assert.Equal(expected.Matrices.Keys.Select(t => $"Matrix {t}"), book.Worksheets.Select(w => w.Name).Where(n => n.StartsWith("Matrix ")));
        foreach (var (technology, table) in expected.Matrices)
        {
            var sheet = book.Worksheet($"Matrix {technology}");
            // The sheet shows the matrix's products (those declaring the technology), in the report's display order.
            var taking = Enumerable.Range(0, table.Products.Count).ToList();
            var n = taking.Count;
            var index = table.Products.Select((p, i) => (p.Key, i)).ToDictionary(x => x.Key, x => x.i);
            var rows = Enumerable.Range(0, n).Select(r => index[keyOf[sheet.Cell(r + 3, 1).GetString()]]).ToArray();
            var columns = Enumerable.Range(0, n).Select(c => index[keyOf[sheet.Cell(2, c + 2).GetString()]]).ToArray();
            Assert.Equal(taking, rows.Order());
            Assert.Equal(taking, columns.Order());
            Assert.Equal("Planned", sheet.Cell(n + 3, 1).GetString());
            for (var r = 0; r < n; r++)
            {
                for (var c = 0; c < n; c++)
                    Assert.Equal(RateBands.CellText(table.Cells[rows[r], columns[c]]), sheet.Cell(r + 3, c + 2).GetString());
                var total = table.Rows[rows[r]];
                Assert.Equal((total.Planned, total.Executed, total.Pass),
                    (sheet.Cell(r + 3, n + 2).GetValue<long>(), sheet.Cell(r + 3, n + 3).GetValue<long>(), sheet.Cell(r + 3, n + 4).GetValue<long>()));
                AssertRate(total.Rate, sheet.Cell(r + 3, n + 5));
            }
            for (var c = 0; c < n; c++)
            {
                var total = table.Columns[columns[c]];
                Assert.Equal((total.Planned, total.Executed, total.Pass),
                    (sheet.Cell(n + 3, c + 2).GetValue<long>(), sheet.Cell(n + 4, c + 2).GetValue<long>(), sheet.Cell(n + 5, c + 2).GetValue<long>()));
                AssertRate(total.Rate, sheet.Cell(n + 6, c + 2));
            }
            Assert.Equal((table.Total.Planned, table.Total.Executed, table.Total.Pass),
                (sheet.Cell(n + 3, n + 2).GetValue<long>(), sheet.Cell(n + 4, n + 3).GetValue<long>(), sheet.Cell(n + 5, n + 4).GetValue<long>()));
            AssertRate(table.Total.Rate, sheet.Cell(n + 6, n + 5));
        }

        // Test cases, worst first, in the order and with the figures of the per-case statistics.
        var cases = book.Worksheet("Test cases");
        Assert.Equal(expected.Cases.Count + 1, cases.LastRowUsed().RowNumber());
        for (var k = 0; k < expected.Cases.Count; k++)
        {
            var s = expected.Cases[k];
            var row = cases.Row(k + 2);
            Assert.Equal((k + 1, s.Case.Technology, s.Case.Plan, s.Case.Section, s.Case.Key),
                (row.Cell(1).GetValue<int>(), row.Cell(2).GetString(), row.Cell(3).GetString(), row.Cell(5).GetString(), row.Cell(6).GetString()));
            AssertTally(row.Cell(9), s.Tally);
            Assert.Equal(s.PassingPairs, row.Cell(19).GetValue<long>());
        }

        // Results: every current verdict, and their verdicts add up to each technology's logged figures.
        var results = book.Worksheet("Results");
        Assert.Equal(expected.Results + 1, results.LastRowUsed().RowNumber());
        var counted = results.RowsUsed().Skip(1).GroupBy(r => r.Cell(1).GetString())
            .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Cell(7).GetString()).ToDictionary(v => v.Key, v => (long)v.Count()));
        foreach (var t in expected.Summary.Technologies)
        {
            var verdicts = counted.GetValueOrDefault(t.Technology) ?? [];
            Assert.Equal((t.Tally.Pass, t.Tally.Fail, t.Tally.Na, t.Tally.Blocked),
                (verdicts.GetValueOrDefault("pass"), verdicts.GetValueOrDefault("fail"), verdicts.GetValueOrDefault("na"), verdicts.GetValueOrDefault("blocked")));
        }
        Assert.All(seed.Notes.Where(n => n.StartsWith("qx-note")), note => Assert.Contains(results.RowsUsed(), r => r.Cell(11).GetString() == note));

        // One sheet per product: as initiator (its matrix row) and as responder (its column) against each peer.
        foreach (var (label, key) in keyOf)
        {
            var sheet = book.Worksheets.Single(w => w.Name != "Summary" && w.Cell(1, 1).GetString() == label);
            foreach (var (technology, table) in expected.Matrices)
            {
                var i = table.Products.ToList().FindIndex(p => p.Key == key);
                var lines = sheet.RowsUsed().Where(r => r.RowNumber() > 8 && r.Cell(1).GetString() == technology).ToList();
                if (i < 0)
                {
                    Assert.Empty(lines);
                    continue;
                }
                foreach (var line in lines)
                {
                    var peer = line.Cell(2).GetString();
                    var j = peer == "All peers" ? -1 : table.Products.ToList().FindIndex(p => p.Key == keyOf[peer]);
                    AssertSide(line.Cell(4), j < 0 ? table.Rows[i] : table.Cells[i, j]);
                    AssertSide(line.Cell(12), j < 0 ? table.Columns[i] : table.Cells[j, i]);
                }
                Assert.Equal(1 + Enumerable.Range(0, table.Products.Count)
                    .Count(j => j != i && (table.Cells[i, j].Planned > 0 || table.Cells[j, i].Planned > 0)), lines.Count);
            }
        }
    }

    [Fact]
    public async Task The_pdf_carries_the_key_figures_and_every_product_and_organization_name()
    {
        var seed = await ReportSeed.CreateAsync(app, seed: 22);
        var chair = await app.ClientFor(Roles.Chair);
        var bytes = await DownloadAsync(chair, $"/api/events/{seed.Event}/report.pdf", $"{seed.Event}-interop-report.pdf", PdfReport.ContentType);
        var expected = await ExpectedAsync(seed.Event);

        using var pdf = PdfDocument.Open(bytes);
        var pages = pdf.GetPages().Select(p => p.Text).ToList();
        var all = string.Concat(string.Join("\n", pages).Where(c => !char.IsWhiteSpace(c)));
        var t = expected.Summary.Total;
        Assert.Contains($"Of {N(t.Planned)} planned tests, {N(t.Logged)} were logged", pages[1]);
        Assert.Contains($"of the {N(t.Executed)} executed, {N(t.Pass)} passed", pages[1]);
        foreach (var s in expected.Summary.Technologies)
            Assert.Contains($"{s.Technology}{N(s.Tally.Planned)}{N(s.Tally.Logged)}{N(s.Tally.Pass)}{N(s.Tally.Fail)}", pages[1]);
        foreach (var (technology, table) in expected.Matrices)
            Assert.Contains($"{RateBands.Percent(table.Total.Rate)}{table.Total.Pass}/{table.Total.Executed}",
                pages.Single(p => p.Contains($"Matrix: {technology}")));
        foreach (var name in seed.Products.Select(p => p.Name).Concat(seed.Organizations.Select(o => o.Name)))
            Assert.Contains(string.Concat(name.Where(c => !char.IsWhiteSpace(c))), all);
    }

    [Fact]
    public async Task Anonymous_callers_get_the_anonymised_reports_of_a_closed_published_event_and_they_name_no_one()
    {
        var seed = await ReportSeed.CreateAsync(app, seed: 23);
        var anonymous = app.Anonymous();
        var xlsx = await DownloadAsync(anonymous, $"/api/events/{seed.Event}/report.xlsx?anonymize=true",
            $"{seed.Event}-interop-report-anonymised.xlsx", ExcelReport.ContentType);
        var pdf = await DownloadAsync(anonymous, $"/api/events/{seed.Event}/report.pdf?anonymize=true",
            $"{seed.Event}-interop-report-anonymised.pdf", PdfReport.ContentType);

        var text = new StringBuilder();
        using (var zip = new ZipArchive(new MemoryStream(xlsx)))
            foreach (var entry in zip.Entries)
                text.Append(new StreamReader(entry.Open()).ReadToEnd()).Append('\n');
        using (var document = PdfDocument.Open(pdf))
        {
            foreach (var page in document.GetPages()) text.Append(page.Text).Append('\n');
            var info = document.Information;
            text.Append(string.Join("\n", info.Title, info.Author, info.Subject, info.Keywords, info.Creator, info.Producer));
            if (document.TryGetXmpMetadata(out var xmp)) text.Append(xmp.GetXDocument());
        }
        var all = text.ToString();
        Assert.Contains("Vendor A · 1", all);
        foreach (var secret in seed.Secrets)
        {
            Assert.DoesNotContain(secret, all);
            Assert.DoesNotContain(System.Security.SecurityElement.Escape(secret), all);
        }
        Assert.DoesNotContain("qx-", all);
        Assert.DoesNotContain("QXBUG", all);

        // The same figures as the full report: anonymising renames, it does not recount.
        var expected = await ExpectedAsync(seed.Event);
        using var book = new XLWorkbook(new MemoryStream(xlsx));
        AssertTallyAndStatuses(Find(book.Worksheet("Summary"), "All technologies"), expected.Summary.Total, expected.Summary.Statuses);
        Assert.False(book.TryGetWorksheet("Results", out _)); // which cases a product has results in would show its capabilities

        // The same labels, in the same order, as the API's anonymised matrix; and the same cells, what was logged in each.
        var member = await app.ClientFor(Roles.Member);
        foreach (var technology in expected.Matrices.Keys)
        {
            var dto = await member.GetAsync($"/api/events/{seed.Event}/matrix?technology={technology}&anonymize=true")
                .ReadJson<MatrixApi.MatrixDto>();
            var sheet = book.Worksheet($"Matrix {technology}");
            var labels = dto.Products.Select(p => p.Label).ToList();
            Assert.Equal(labels, Enumerable.Range(0, labels.Count).Select(c => sheet.Cell(2, c + 2).GetString()));
            Assert.Equal(labels, Enumerable.Range(0, labels.Count).Select(r => sheet.Cell(r + 3, 1).GetString()));
            Assert.All(dto.Cells, c => Assert.Equal((null, null, null), (c.Tally.Planned, c.Tally.Untested, c.Tally.Progress)));
            var cells = dto.Cells.ToDictionary(c => (c.Initiator, c.Responder),
                c => new Tally(c.Tally.Pass + c.Tally.Fail + c.Tally.Na + c.Tally.Blocked, c.Tally.Pass, c.Tally.Fail, c.Tally.Na, c.Tally.Blocked));
            for (var r = 0; r < labels.Count; r++)
                for (var c = 0; c < labels.Count; c++)
                    Assert.Equal(RateBands.CellText(cells.GetValueOrDefault((dto.Products[r].Id, dto.Products[c].Id))),
                        sheet.Cell(r + 3, c + 2).GetString());
            Assert.Equal(expected.Matrices[technology].Total.Logged, sheet.Cell(labels.Count + 3, labels.Count + 2).GetValue<long>());
        }
    }

    [Theory]
    [InlineData("report.xlsx")]
    [InlineData("report.pdf")]
    public async Task Anonymous_callers_get_401_for_the_full_report_and_for_events_not_closed_and_published(string file)
    {
        var closed = await ReportSeed.CreateAsync(app, seed: 24);
        var unpublished = await ReportSeed.CreateAsync(app, seed: 25, published: false);
        var open = await ReportSeed.CreateAsync(app, seed: 26, status: EventStatus.Open);
        var anonymous = app.Anonymous();

        foreach (var url in new[]
                 {
                     $"/api/events/{closed.Event}/{file}", $"/api/events/{closed.Event}/{file}?anonymize=false",
                     $"/api/events/{unpublished.Event}/{file}?anonymize=true", $"/api/events/{open.Event}/{file}?anonymize=true",
                     $"/api/events/no-such-event/{file}?anonymize=true",
                 })
        {
            var problem = await Problem.ReadAsync(await anonymous.GetAsync(url), HttpStatusCode.Unauthorized);
            Assert.Contains("closed, published", problem.Detail);
        }
    }

    [Fact]
    public async Task Engineers_download_the_reports_of_events_their_organization_takes_part_in_and_no_others()
    {
        var seed = await ReportSeed.CreateAsync(app, seed: 27, status: EventStatus.Open);
        var inside = await app.ClientFor(Roles.Engineer, seed.Organizations[0].Key);
        var outsider = await (await app.ClientFor(Roles.Chair)).Register(new Build(99).Organization());
        var outside = await app.ClientFor(Roles.Engineer, outsider.Key);

        await DownloadAsync(inside, $"/api/events/{seed.Event}/report.xlsx", $"{seed.Event}-interop-report.xlsx", ExcelReport.ContentType);
        await DownloadAsync(inside, $"/api/events/{seed.Event}/report.pdf?anonymize=true", $"{seed.Event}-interop-report-anonymised.pdf",
            PdfReport.ContentType);
        foreach (var file in new[] { "report.xlsx", "report.pdf", "report.pdf?anonymize=true" })
            await Problem.ReadAsync(await outside.GetAsync($"/api/events/{seed.Event}/{file}"), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await (await app.ClientFor(Roles.Member)).GetAsync("/api/events/no-such-event/report.xlsx"),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Members_and_chairs_download_both_variants_of_an_open_event()
    {
        var seed = await ReportSeed.CreateAsync(app, seed: 28, status: EventStatus.Open);
        foreach (var role in new[] { Roles.Member, Roles.Chair, Roles.Admin })
        {
            var client = role == Roles.Admin ? app.Admin() : await app.ClientFor(role);
            await DownloadAsync(client, $"/api/events/{seed.Event}/report.xlsx?anonymize=true",
                $"{seed.Event}-interop-report-anonymised.xlsx", ExcelReport.ContentType);
            await DownloadAsync(client, $"/api/events/{seed.Event}/report.pdf", $"{seed.Event}-interop-report.pdf", PdfReport.ContentType);
        }
    }

    [Fact]
    public async Task A_signed_in_browser_downloads_the_full_report_with_its_cookie()
    {
        var seed = await ReportSeed.CreateAsync(app, seed: 29, status: EventStatus.Open);
        var browser = app.From(IPAddress.Loopback);
        browser.DefaultRequestHeaders.Add("Cookie", await browser.SignInAsync(await app.NewToken(Roles.Member)));
        await DownloadAsync(browser, $"/api/events/{seed.Event}/report.pdf", $"{seed.Event}-interop-report.pdf", PdfReport.ContentType);
    }

    [Fact]
    public async Task An_event_without_participants_or_results_still_gives_both_reports()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "CS-001" }));
        var created = await chair.Create(new Build(31).Event(plan.Plan));

        var xlsx = await DownloadAsync(chair, $"/api/events/{created.Key}/report.xlsx", $"{created.Key}-interop-report.xlsx", ExcelReport.ContentType);
        using var book = new XLWorkbook(new MemoryStream(xlsx));
        Assert.Equal(["Summary", "Matrix SIP", "Test cases", "Feedback", "Results", "Participants", "Test plans"], book.Worksheets.Select(w => w.Name));
        Assert.Equal(0, Find(book.Worksheet("Summary"), "Current results").CellRight().GetValue<long>());
        Assert.Equal("Initiator \\ Responder", book.Worksheet("Matrix SIP").Cell(2, 1).GetString());
        Assert.Equal(1, book.Worksheet("Results").LastRowUsed().RowNumber());

        var pdf = await DownloadAsync(chair, $"/api/events/{created.Key}/report.pdf", $"{created.Key}-interop-report.pdf", PdfReport.ContentType);
        using var document = PdfDocument.Open(pdf);
        var text = string.Join("\n", document.GetPages().Select(p => p.Text));
        Assert.Contains("No participant declares this technology.", text);
        Assert.Contains("No test case has been executed yet.", text);
    }

    private static string N(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static IXLCell Find(IXLWorksheet sheet, string text) =>
        sheet.CellsUsed().First(c => c.DataType == XLDataType.Text && c.GetString() == text);

    private static void AssertTallyAndStatuses(IXLCell label, Tally tally, StatusCounts statuses)
    {
        AssertTally(label.CellRight(), tally);
        Assert.Equal((statuses.Confirmed, statuses.Reported, statuses.Disputed),
            (label.CellRight(11).GetValue<long>(), label.CellRight(12).GetValue<long>(), label.CellRight(13).GetValue<long>()));
    }

    /// <summary>Planned, Logged, Untested, Pass, Fail, N/A, Blocked, Executed, Rate, Progress from <paramref name="first"/> on.</summary>
    private static void AssertTally(IXLCell first, Tally t)
    {
        long[] expected = [t.Planned, t.Logged, t.Untested, t.Pass, t.Fail, t.Na, t.Blocked, t.Executed];
        Assert.Equal(expected, Enumerable.Range(0, 8).Select(k => first.CellRight(k).GetValue<long>()));
        AssertRate(t.Rate, first.CellRight(8));
        AssertRate(t.Progress, first.CellRight(9));
    }

    /// <summary>Planned, Pass, Fail, N/A, Blocked, Untested, Executed, Rate.</summary>
    private static void AssertSide(IXLCell first, Tally t)
    {
        long[] expected = [t.Planned, t.Pass, t.Fail, t.Na, t.Blocked, t.Untested, t.Executed];
        Assert.Equal(expected, Enumerable.Range(0, 7).Select(k => first.CellRight(k).GetValue<long>()));
        AssertRate(t.Rate, first.CellRight(7));
    }

    private static void AssertRate(double? expected, IXLCell cell)
    {
        if (expected is null) Assert.True(cell.IsEmpty(), $"{cell.Address} should be empty");
        else Assert.Equal(expected.Value, cell.GetDouble(), 12);
    }
}
