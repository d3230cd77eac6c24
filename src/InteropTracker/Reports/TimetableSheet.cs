using System.Drawing;
using InteropTracker.Core;
using SpreadCheetah;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace InteropTracker.Reports;

/// <summary>The "Timetable" sheet of the (named) report workbook: one row per session, the cells to run in order.</summary>
internal static class TimetableSheet
{
    private static readonly string[] Headers =
        ["Slot", "Start (UTC)", "End (UTC)", "Table", "Product A", "Product B", "Session", "Cells", "Mandatory", "Run order"];

    public static async ValueTask WriteAsync(Spreadsheet spreadsheet, ReportModel model, Timetable timetable, string name,
        CancellationToken ct)
    {
        var header = spreadsheet.AddStyle(new Style
        {
            Font = { Bold = true, Color = Color.White }, Fill = { Color = Color.FromArgb(0x1F, 0x3A, 0x5F) },
        });
        var time = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd hh:mm"), Alignment = { Horizontal = HorizontalAlignment.Left } });
        var wrap = spreadsheet.AddStyle(new Style { Alignment = { WrapText = true, Vertical = VerticalAlignment.Top } });
        var options = new WorksheetOptions { FrozenRows = 1 };
        double[] widths = [6, 17, 17, 12, 30, 30, 9, 7, 10, 70];
        for (var i = 0; i < widths.Length; i++) options.Column(i + 1).Width = widths[i];
        options.AutoFilter = new AutoFilterOptions($"A1:{SpreadsheetUtility.GetColumnName(Headers.Length)}{timetable.Sessions.Count + 1}");
        await spreadsheet.StartWorksheetAsync(name, options, ct);
        await spreadsheet.AddRowAsync(Headers.Select(h => new Cell(h, header)).ToArray(), ct);

        var labels = model.Participants.Where(p => p.Key is not null).ToDictionary(p => p.Key!, p => p.Label);
        foreach (var s in timetable.Sessions)
        {
            var order = string.Join('\n', s.Cells.Select(c => $"{c.Case} ({c.Priority}) {c.Initiator} → {c.Responder}"));
            await spreadsheet.AddRowAsync(new Cell[]
            {
                new(s.Slot), new(s.Start.UtcDateTime, time), new(s.End.UtcDateTime, time), new(s.Table),
                new(labels.GetValueOrDefault(s.A, s.A)), new(labels.GetValueOrDefault(s.B, s.B)),
                new(s.Parts > 1 ? $"{s.Part} of {s.Parts}" : "1"), new(s.Cells.Count),
                new(s.Cells.Count(c => c.Priority == "mandatory")), new(order, wrap),
            }, ct);
        }
    }
}
