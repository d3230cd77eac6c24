using ClosedXML.Excel;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Schedule;

/// <summary>The timetable in the named report: a sheet of the workbook and a page of the PDF; never in the anonymised one.</summary>
public sealed class TimetableReportTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task The_named_report_carries_the_timetable_as_a_sheet_and_a_page_and_the_anonymised_one_does_not()
    {
        var f = await TestFloor.OpenAsync(app, new Build(seed: 121));
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1).AddHours(9), TimeSpan.Zero);
        var t = await f.Chair.PostJson($"/api/events/{f.Event}/schedule", new
        {
            slots = Enumerable.Range(0, 4).Select(i => new { start = start.AddHours(i), end = start.AddHours(i + 1) }),
            tables = new[] { "Red", "Blue" },
        }).ReadJson<Timetable>();

        using var workbook = new XLWorkbook(new MemoryStream(await f.Member.GetByteArrayAsync($"/api/events/{f.Event}/report.xlsx")));
        var sheet = workbook.Worksheet("Timetable");
        Assert.Equal("Slot", sheet.Cell(1, 1).GetString());
        Assert.Equal("Run order", sheet.Cell(1, 10).GetString());
        Assert.Equal(t.Sessions.Count + 1, sheet.LastRowUsed().RowNumber());
        for (var i = 0; i < t.Sessions.Count; i++)
        {
            var s = t.Sessions[i];
            var row = sheet.Row(i + 2);
            Assert.Equal(s.Slot, row.Cell(1).GetValue<int>());
            Assert.Equal(s.Start.UtcDateTime, row.Cell(2).GetDateTime());
            Assert.Equal(s.Table, row.Cell(4).GetString());
            Assert.Equal(s.Cells.Count, row.Cell(8).GetValue<int>());
            Assert.StartsWith($"{s.Cells[0].Case} ({s.Cells[0].Priority}) {s.Cells[0].Initiator} → {s.Cells[0].Responder}", row.Cell(10).GetString());
        }
        Assert.Contains(f.A1.Name, string.Join('|', sheet.Column(5).CellsUsed().Concat(sheet.Column(6).CellsUsed()).Select(c => c.GetString())));

        using (var pdf = PdfDocument.Open(await f.Member.GetByteArrayAsync($"/api/events/{f.Event}/report.pdf")))
        {
            var page = pdf.GetPages().Single(p => p.Text.Contains("Timetable") && p.Text.Contains("Pairing"));
            Assert.Contains($"{t.Sessions.Count} sessions in 4 slots at 2 tables", page.Text);
            Assert.Contains("Red", page.Text);
            Assert.Contains(f.B1.Name, page.Text);
        }

        using var anonymised = new XLWorkbook(new MemoryStream(
            await f.Member.GetByteArrayAsync($"/api/events/{f.Event}/report.xlsx?anonymize=true")));
        Assert.DoesNotContain(anonymised.Worksheets, w => w.Name == "Timetable");
        using var anonymisedPdf = PdfDocument.Open(await f.Member.GetByteArrayAsync($"/api/events/{f.Event}/report.pdf?anonymize=true"));
        Assert.DoesNotContain(anonymisedPdf.GetPages(), p => p.Text.Contains("Pairing"));
    }
}
