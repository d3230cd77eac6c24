using System.Drawing;
using InteropTracker.Core;
using InteropTracker.Matrix;
using SpreadCheetah;
using SpreadCheetah.Metadata;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace InteropTracker.Reports;

/// <summary>
/// The report workbook, written forward-only with SpreadCheetah: the results are streamed row by row from
/// <see cref="ReportModel.Results"/> into a temporary file, which <see cref="PrintSetup"/> streams on to the given stream
/// with the print settings, so the workbook never sits in memory.
/// Numbers, rates and dates are typed cells with number formats; only the matrix cells ("83% 5/6") are text.
/// </summary>
public static class ExcelReport
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>Rows a worksheet holds below its header row.</summary>
    public const int MaxDataRows = 1_048_575;

    private static readonly string[] TallyHeaders =
        ["Planned", "Logged", "Untested", "Pass", "Fail", "N/A", "Blocked", "Executed", "Rate", "Progress"];

    public static async Task WriteAsync(ReportModel model, Stream stream, CancellationToken ct = default) =>
        await WriteAsync(model, stream, MaxDataRows, ct);

    /// <param name="rowsPerResultsSheet">Where the results continue on the next sheet (smaller only in tests).</param>
    internal static async Task WriteAsync(ReportModel model, Stream stream, int rowsPerResultsSheet, CancellationToken ct)
    {
        var options = new SpreadCheetahOptions
        {
            // SpreadCheetah stamps document properties with the moment they were written, to the second; the anonymised
            // workbook carries no time (its summary has the date), so it has none.
            CompressionLevel = SpreadCheetahCompressionLevel.Fastest,
            DocumentProperties = model.Anonymised ? null : new DocumentProperties
            {
                Title = $"{model.Event.Name}: interop report",
                Subject = "Interoperability test results, confidential to participants",
                Author = "InteropTracker",
            },
        };
        // SpreadCheetah has no page setup: the package is written to a temporary file and copied out with it added.
        await using var package = new FileStream(Path.Combine(Path.GetTempPath(), $"interop-report-{Guid.NewGuid():N}.xlsx"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await using (var spreadsheet = await Spreadsheet.CreateNewAsync(package, options, ct))
            await WriteSheetsAsync(model, spreadsheet, rowsPerResultsSheet, ct);
        package.Position = 0;
        var output = new AsyncOnlyStream(stream);
        await PrintSetup.CopyAsync(package, output, ct);
        await output.FlushAsync(ct);
    }

    private static async Task WriteSheetsAsync(ReportModel model, Spreadsheet spreadsheet, int rowsPerResultsSheet, CancellationToken ct)
    {
        var styles = new Styles(spreadsheet);
        var names = new SheetNames();
        var writer = new Writer(spreadsheet, styles, ct);

        await writer.SummaryAsync(model, names.Take("Summary"));
        foreach (var matrix in model.Matrices)
            await writer.MatrixAsync(model, matrix, names.Take("Matrix " + matrix.Technology));
        await writer.CasesAsync(model, names.Take("Test cases"));
        await writer.FeedbackAsync(model, names.Take("Feedback"));
        if (model.Anonymised)
        {
            await writer.LineupAsync(model, names.Take("Participants"));
        }
        else
        {
            await writer.ResultsAsync(model, names, rowsPerResultsSheet);
            foreach (var participant in model.Participants)
                await writer.ProductAsync(model, participant, names.Take(participant.Label));
            await writer.ParticipantsAsync(model, names.Take("Participants"));
            if (model.Timetable is { } timetable)
                await TimetableSheet.WriteAsync(spreadsheet, model, timetable, names.Take("Timetable"), ct);
        }
        await writer.PlansAsync(model, names.Take("Test plans"));
        await spreadsheet.FinishAsync(ct);
    }

    /// <summary>
    /// Passes asynchronous writes through and holds back the few small synchronous ones that ZipArchive still makes
    /// (each entry's data descriptor, the central directory), which a server's response body refuses: they go out with
    /// the next asynchronous write or flush.
    /// </summary>
    private sealed class AsyncOnlyStream(Stream inner) : Stream
    {
        private readonly MemoryStream _held = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _held.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _held.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            await ReleaseAsync(ct);
            await inner.WriteAsync(buffer, ct);
        }

        // A synchronous flush has nothing it may do; the held bytes wait for FlushAsync.
        public override void Flush() { }

        public override async Task FlushAsync(CancellationToken ct)
        {
            await ReleaseAsync(ct);
            await inner.FlushAsync(ct);
        }

        private async ValueTask ReleaseAsync(CancellationToken ct)
        {
            if (_held.Length == 0) return;
            await inner.WriteAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), ct);
            _held.SetLength(0);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Excel's rules for sheet names: at most 31 characters, none of []:*?/\, not starting or ending with ', unique ignoring case.</summary>
    internal sealed class SheetNames
    {
        private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

        public string Take(string wanted)
        {
            var clean = new string(wanted.Select(c => "[]:*?/\\".Contains(c) || char.IsControl(c) ? '-' : c).ToArray()).Trim().Trim('\'');
            if (clean.Length == 0) clean = "Sheet";
            var name = Cut(clean, 31);
            for (var n = 2; !_taken.Add(name); n++)
            {
                var suffix = $" ({n})";
                name = Cut(clean, 31 - suffix.Length).TrimEnd() + suffix;
            }
            return name;
        }

        private static string Cut(string s, int length) => s.Length <= length ? s : s[..length].TrimEnd('\'');
    }

    private sealed class Styles
    {
        public Styles(Spreadsheet s)
        {
            var border = new Color?(Color.FromArgb(0xBF, 0xBF, 0xBF));
            Title = s.AddStyle(new Style { Font = { Bold = true, Size = 16, Color = Color.FromArgb(0x1F, 0x3A, 0x5F) } });
            Subtitle = s.AddStyle(new Style { Font = { Bold = true, Size = 12 } });
            Section = s.AddStyle(new Style { Font = { Bold = true, Size = 12, Color = Color.FromArgb(0x1F, 0x3A, 0x5F) } });
            Label = s.AddStyle(new Style { Font = { Bold = true } });
            Header = s.AddStyle(new Style
            {
                Font = { Bold = true, Color = Color.White },
                Fill = { Color = Color.FromArgb(0x1F, 0x3A, 0x5F) },
                Alignment = { WrapText = true, Vertical = VerticalAlignment.Center },
            });
            Banner = s.AddStyle(new Style
            {
                Font = { Bold = true, Color = Color.White },
                Fill = { Color = Color.FromArgb(0xB0, 0x3A, 0x2E) },
            });
            Date = s.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd"), Alignment = { Horizontal = HorizontalAlignment.Left } });
            DateTime = s.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd hh:mm:ss"), Alignment = { Horizontal = HorizontalAlignment.Left } });
            Integer = s.AddStyle(new Style { Format = NumberFormat.Custom("#,##0") });
            Percent = s.AddStyle(new Style { Format = NumberFormat.Custom("0.0%") });
            TotalLabel = s.AddStyle(new Style { Font = { Bold = true }, Border = { Top = { BorderStyle = BorderStyle.Thin } } });
            TotalInteger = s.AddStyle(new Style { Font = { Bold = true }, Format = NumberFormat.Custom("#,##0"), Border = { Top = { BorderStyle = BorderStyle.Thin } } });
            TotalPercent = s.AddStyle(new Style { Font = { Bold = true }, Format = NumberFormat.Custom("0.0%"), Border = { Top = { BorderStyle = BorderStyle.Thin } } });
            Wrap = s.AddStyle(new Style { Alignment = { WrapText = true, Vertical = VerticalAlignment.Top } });
            RowHeader = s.AddStyle(new Style
            {
                Font = { Bold = true },
                Fill = { Color = Color.FromArgb(0xE8, 0xEE, 0xF5) },
                Border = { Right = { BorderStyle = BorderStyle.Thin, Color = border } },
            });
            ColumnHeader = s.AddStyle(new Style
            {
                Font = { Bold = true },
                Fill = { Color = Color.FromArgb(0xE8, 0xEE, 0xF5) },
                Alignment = { WrapText = true, Horizontal = HorizontalAlignment.Center, Vertical = VerticalAlignment.Bottom },
                Border = { Bottom = { BorderStyle = BorderStyle.Thin, Color = border } },
            });
            foreach (var band in RateBands.InLegendOrder)
            {
                var rgb = RateBands.Colour(band);
                var style = BoxedCell(border);
                if (rgb is { } c) style.Fill.Color = Color.FromArgb(c.R, c.G, c.B);
                Bands[(int)band] = s.AddStyle(style);
                var percent = new Style { Format = NumberFormat.Custom("0.0%") };
                if (rgb is { } p) percent.Fill.Color = Color.FromArgb(p.R, p.G, p.B);
                BandPercent[(int)band] = s.AddStyle(percent);
            }
            foreach (var mark in EvidenceMarks.InLegendOrder)
            {
                var style = BoxedCell(border);
                style.Format = NumberFormat.Custom("#,##0");
                if (EvidenceMarks.Colour(mark) is { } c) style.Fill.Color = Color.FromArgb(c.R, c.G, c.B);
                Evidence[(int)mark] = s.AddStyle(style);
            }
        }

        /// <summary>A matrix cell: centred, in a thin box.</summary>
        private static Style BoxedCell(Color? border) => new()
        {
            Alignment = { Horizontal = HorizontalAlignment.Center },
            Border =
            {
                Left = { BorderStyle = BorderStyle.Thin, Color = border },
                Right = { BorderStyle = BorderStyle.Thin, Color = border },
                Top = { BorderStyle = BorderStyle.Thin, Color = border },
                Bottom = { BorderStyle = BorderStyle.Thin, Color = border },
            },
        };

        public StyleId Title { get; }
        public StyleId Subtitle { get; }
        public StyleId Section { get; }
        public StyleId Label { get; }
        public StyleId Header { get; }
        public StyleId Banner { get; }
        public StyleId Date { get; }
        public StyleId DateTime { get; }
        public StyleId Integer { get; }
        public StyleId Percent { get; }
        public StyleId TotalLabel { get; }
        public StyleId TotalInteger { get; }
        public StyleId TotalPercent { get; }
        public StyleId Wrap { get; }
        public StyleId RowHeader { get; }
        public StyleId ColumnHeader { get; }
        public StyleId[] Bands { get; } = new StyleId[RateBands.InLegendOrder.Count];
        public StyleId[] BandPercent { get; } = new StyleId[RateBands.InLegendOrder.Count];
        public StyleId[] Evidence { get; } = new StyleId[EvidenceMarks.InLegendOrder.Count];
    }

    private sealed class Writer(Spreadsheet spreadsheet, Styles styles, CancellationToken ct)
    {
        private Cell[] _row = new Cell[64];
        private int _count;

        private Writer Add(Cell cell)
        {
            if (_count == _row.Length) Array.Resize(ref _row, _row.Length * 2);
            _row[_count++] = cell;
            return this;
        }

        private Writer Text(string? text, StyleId? style = null) => Add(style is null ? new Cell(text) : new Cell(text, style));
        private Writer Number(long value, StyleId? style = null) => Add(new Cell(value, style ?? styles.Integer));
        private Writer Rate(double? value, StyleId? style = null) => Add(new Cell(value, style ?? styles.Percent));
        private Writer Blank() => Add(new Cell());

        private async ValueTask EndRowAsync(double? height = null)
        {
            var cells = _row.AsMemory(0, _count);
            if (height is null) await spreadsheet.AddRowAsync(cells, ct);
            else await spreadsheet.AddRowAsync(cells, new RowOptions { Height = height }, ct);
            Array.Clear(_row, 0, _count);
            _count = 0;
        }

        private async ValueTask HeaderAsync(IEnumerable<string> headers, double? height = null)
        {
            foreach (var h in headers) Text(h, styles.Header);
            await EndRowAsync(height);
        }

        private Writer Tally(Tally t, bool total = false)
        {
            var integer = total ? styles.TotalInteger : styles.Integer;
            Number(t.Planned, integer).Number(t.Logged, integer).Number(t.Untested, integer)
                .Number(t.Pass, integer).Number(t.Fail, integer).Number(t.Na, integer).Number(t.Blocked, integer)
                .Number(t.Executed, integer);
            return Rate(t.Rate, total ? styles.TotalPercent : styles.BandPercent[(int)RateBands.Of(t)])
                .Rate(t.Progress, total ? styles.TotalPercent : styles.Percent);
        }

        private Writer Statuses(StatusCounts s, bool total = false)
        {
            var integer = total ? styles.TotalInteger : styles.Integer;
            return Number(s.Confirmed, integer).Number(s.Reported, integer).Number(s.Disputed, integer);
        }

        private static WorksheetOptions Widths(params double[] widths)
        {
            var options = new WorksheetOptions();
            for (var i = 0; i < widths.Length; i++) options.Column(i + 1).Width = widths[i];
            return options;
        }

        public async ValueTask SummaryAsync(ReportModel model, string name)
        {
            var e = model.Event;
            var options = Widths(26, 14, 14, 14, 10, 10, 10, 10, 10, 10, 10, 12, 13, 10, 10);
            await spreadsheet.StartWorksheetAsync(name, options, ct);
            await Text(e.Title, styles.Title).EndRowAsync(24);
            await Text(e.Name, styles.Subtitle).EndRowAsync();
            await Text(model.Classification, styles.Banner).Add(new Cell((string?)null, styles.Banner)).EndRowAsync();
            await EndRowAsync();
            await Text("Event", styles.Label).Text(e.Name).EndRowAsync();
            await Text("Event key", styles.Label).Text(e.Key).EndRowAsync();
            await Text("Place", styles.Label).Text(e.Location).EndRowAsync();
            await Text("Start date", styles.Label).Add(new Cell(e.StartDate.ToDateTime(TimeOnly.MinValue), styles.Date)).EndRowAsync();
            await Text("End date", styles.Label).Add(new Cell(e.EndDate.ToDateTime(TimeOnly.MinValue), styles.Date)).EndRowAsync();
            await Text("Status", styles.Label).Text(e.Standing).EndRowAsync();
            if (model.Anonymised)
                await Text("Generated on (UTC)", styles.Label).Add(new Cell(model.GeneratedAt, styles.Date)).EndRowAsync();
            else
                await Text("Generated at (UTC)", styles.Label).Add(new Cell(model.GeneratedAt, styles.DateTime)).EndRowAsync();
            await Text("Participants", styles.Label).Number(model.ProductCount).EndRowAsync();
            await Text("Organizations", styles.Label).Number(model.OrganizationCount).EndRowAsync();
            await Text("Current results", styles.Label).Number(model.ResultCount).EndRowAsync();
            await EndRowAsync();

            var s = model.Summary;
            await Text("Totals per technology", styles.Section).EndRowAsync(20);
            await HeaderAsync(["Technology", .. TallyHeaders, "Confirmed", "Unconfirmed", "Disputed"], 30);
            foreach (var t in s.Technologies)
                await Text(t.Technology).Tally(t.Tally).Statuses(t.Statuses).EndRowAsync();
            await Text("All technologies", styles.TotalLabel).Tally(s.Total, true).Statuses(s.Statuses, true).EndRowAsync();
            await EndRowAsync();

            await Text("Totals per test plan", styles.Section).EndRowAsync(20);
            await HeaderAsync(["Plan", "Technology", .. TallyHeaders, "Confirmed", "Unconfirmed", "Disputed"], 30);
            foreach (var p in s.Plans)
                await Text(p.Plan).Text(p.Technology).Tally(p.Tally).Statuses(p.Statuses).EndRowAsync();
            await EndRowAsync();

            await Text("Review of current results", styles.Section).EndRowAsync(20);
            await HeaderAsync(["Status", "Results", "Share"]);
            var all = s.Statuses.Reported + s.Statuses.Confirmed + s.Statuses.Disputed;
            double? Share(long n) => all == 0 ? null : (double)n / all;
            await Text("Confirmed by the other side").Number(s.Statuses.Confirmed).Rate(Share(s.Statuses.Confirmed)).EndRowAsync();
            await Text("Unconfirmed (reported)").Number(s.Statuses.Reported).Rate(Share(s.Statuses.Reported)).EndRowAsync();
            await Text("Disputed").Number(s.Statuses.Disputed).Rate(Share(s.Statuses.Disputed)).EndRowAsync();
            await Text("All", styles.TotalLabel).Number(all, styles.TotalInteger).Rate(all == 0 ? null : 1, styles.TotalPercent).EndRowAsync();
            await EndRowAsync();
            await Text("Rate = pass / executed (executed = pass + fail); progress = logged / planned. " +
                       "Not applicable and blocked verdicts are logged but not executed.", null).EndRowAsync();
            if (model.HasAttributes) await AttributesAsync(model);
            if (model.Comparison is { } comparison) await ComparisonAsync(comparison);
        }

        /// <summary>"Result attributes": each value's share of the executed results, per technology then per plan (the API's rows).</summary>
        private async ValueTask AttributesAsync(ReportModel model)
        {
            await EndRowAsync();
            await Text("Result attributes: share of executed results", styles.Section).EndRowAsync(20);
            // The declared values are the plans' own (public) words, but a list of them reads like a product's capabilities,
            // which the anonymised report never lists.
            if (!model.Anonymised)
                foreach (var plan in model.Plans)
                    foreach (var (attribute, values) in plan.Attributes)
                        await Text(plan.Plan, styles.Label).Text(attribute, styles.Label).Text(string.Join(", ", values)).EndRowAsync();
            await HeaderAsync(["Plan", "Technology", "Attribute", "Value", "Results", "Executed", "Share"]);
            foreach (var share in model.AttributeShares)
                await Text(share.Plan ?? AllPlans).Text(share.Technology).Text(share.Attribute).Text(share.Value)
                    .Number(share.Results).Number(model.ExecutedOf(share)).Rate(share.Share).EndRowAsync();
            if (model.AttributeShares.Count == 0)
                await Text("No executed result names an attribute yet.").EndRowAsync();
            await Text(ReportNotes.AttributeShares, null).EndRowAsync();
        }

        private const string AllPlans = "All plans";

        /// <summary>"Compared with the previous event": which event, then counts and rates only.</summary>
        private async ValueTask ComparisonAsync(ReportComparison c)
        {
            await EndRowAsync();
            await Text("Compared with the previous event", styles.Section).EndRowAsync(20);
            await Text("Previous event", styles.Label).Text(c.PreviousName).EndRowAsync();
            await Text("Start date", styles.Label).Add(new Cell(c.PreviousStart.ToDateTime(TimeOnly.MinValue), styles.Date)).EndRowAsync();
            await Text("End date", styles.Label).Add(new Cell(c.PreviousEnd.ToDateTime(TimeOnly.MinValue), styles.Date)).EndRowAsync();
            await HeaderAsync(["Cells", "Count"]);
            foreach (var (label, cells) in c.Cells) await Text(label).Number(cells).EndRowAsync();
            await HeaderAsync(["Technology", "Rate then", "Rate now"]);
            foreach (var r in c.Rates) await Text(r.Technology).Rate(r.Then).Rate(r.Now).EndRowAsync();
            await Text("Cells are matched by test case and by the pair of product lines (a product across its versions).", null)
                .EndRowAsync();
        }

        /// <summary>
        /// Row 1: title and legend; row 2: responders; then one row per initiator with its totals, then column totals.
        /// Anonymised, the totals count what was logged instead of what was planned (the model withholds planned counts).
        /// </summary>
        public async ValueTask MatrixAsync(ReportModel model, ReportMatrix matrix, string name)
        {
            var anonymised = model.Anonymised;
            var first = anonymised ? "Logged" : "Planned";
            var table = matrix.Table;
            var n = matrix.Products.Count;
            var options = new WorksheetOptions { FrozenRows = 2, FrozenColumns = 1 };
            options.Column(1).Width = 30;
            for (var j = 0; j < n; j++) options.Column(j + 2).Width = 12;
            for (var k = 0; k < 4; k++) options.Column(n + 2 + k).Width = 10;
            await spreadsheet.StartWorksheetAsync(name, options, ct);

            Text($"{matrix.Technology}: initiators (rows) × responders (columns)", styles.Subtitle);
            foreach (var band in RateBands.InLegendOrder) Text(RateBands.Legend(band, anonymised), styles.Bands[(int)band]);
            await EndRowAsync(20);

            Text("Initiator \\ Responder", styles.Header);
            foreach (var p in matrix.Products) Text(p.Label, styles.ColumnHeader);
            foreach (var h in new[] { first, "Executed", "Pass", "Rate" }) Text(h, styles.Header);
            await EndRowAsync(45);

            for (var i = 0; i < n; i++)
            {
                Text(matrix.Products[i].Label, styles.RowHeader);
                for (var j = 0; j < n; j++)
                {
                    var cell = table.Cells[i, j];
                    Text(RateBands.CellText(cell), styles.Bands[(int)RateBands.Of(cell)]);
                }
                var row = table.Rows[i];
                await Number(anonymised ? row.Logged : row.Planned).Number(row.Executed).Number(row.Pass).Rate(row.Rate, styles.BandPercent[(int)RateBands.Of(row)])
                    .EndRowAsync();
            }

            await ColumnTotalAsync(first, t => anonymised ? t.Logged : t.Planned, 0);
            await ColumnTotalAsync("Executed", t => t.Executed, 1);
            await ColumnTotalAsync("Pass", t => t.Pass, 2);
            Text("Rate", styles.TotalLabel);
            foreach (var c in table.Columns) Rate(c.Rate, styles.TotalPercent);
            await Blank().Blank().Blank().Rate(table.Total.Rate, styles.TotalPercent).EndRowAsync();
            await EndRowAsync();
            await Text("Each cell: pass rate, then passed / executed (pass + fail) of the cases planned for that initiator " +
                       "and responder. Row totals at the right, column totals below, the technology's total in the corner.").EndRowAsync();
            if (anonymised)
                await Text("Labels are drawn for this technology alone: Vendor A here is not Vendor A of another technology's " +
                           "matrix. Planned counts per product are left out; the summary has them per technology.").EndRowAsync();
            if (matrix.Evidence is { } evidence) await EvidenceAsync(matrix, evidence);

            // The corner holds the technology's total under the matching row-total column: a diagonal.
            async ValueTask ColumnTotalAsync(string label, Func<Tally, long> figure, int corner)
            {
                Text(label, styles.TotalLabel);
                foreach (var c in table.Columns) Number(figure(c), styles.TotalInteger);
                for (var k = 0; k < 3; k++)
                    if (k == corner) Number(figure(table.Total), styles.TotalInteger);
                    else Blank();
                await EndRowAsync();
            }
        }

        /// <summary>
        /// Below the matrix, in its columns (so the frozen responders head it too): the evidence files of each cell, a row
        /// total at the right, column totals below; a line instead when the technology has none at all.
        /// </summary>
        private async ValueTask EvidenceAsync(ReportMatrix matrix, ReportEvidence evidence)
        {
            var table = matrix.Table;
            var n = matrix.Products.Count;
            await EndRowAsync();
            if (evidence.Total == 0)
            {
                await Text(ReportNotes.NoEvidence).EndRowAsync();
                return;
            }
            Text("Evidence files attached to each cell's results", styles.Subtitle);
            foreach (var mark in EvidenceMarks.InLegendOrder) Text(EvidenceMarks.Legend(mark), styles.Evidence[(int)mark]);
            await EndRowAsync(20);

            Text("Initiator \\ Responder", styles.Header);
            foreach (var p in matrix.Products) Text(p.Label, styles.ColumnHeader);
            await Text("Evidence files", styles.Header).EndRowAsync(45);
            for (var i = 0; i < n; i++)
            {
                Text(matrix.Products[i].Label, styles.RowHeader);
                for (var j = 0; j < n; j++)
                {
                    var files = evidence.Files[i, j];
                    var mark = EvidenceMarks.Of(files, table.Cells[i, j]);
                    if (EvidenceMarks.Figure(files, mark) is { } figure) Number(figure, styles.Evidence[(int)mark]);
                    else Text(null, styles.Evidence[(int)mark]);
                }
                await Number(evidence.Row(i)).EndRowAsync();
            }
            Text("Evidence files", styles.TotalLabel);
            for (var j = 0; j < n; j++) Number(evidence.Column(j), styles.TotalInteger);
            await Number(evidence.Total, styles.TotalInteger).EndRowAsync();
            await EndRowAsync();
            await Text(ReportNotes.Evidence).EndRowAsync();
        }

        public async ValueTask CasesAsync(ReportModel model, string name)
        {
            string[] headers = ["Rank", "Technology", "Plan", "Version", "Section", "Case", "Title", "Priority", .. TallyHeaders, "Passing pairs"];
            var options = Widths(6, 11, 18, 8, 16, 14, 40, 12, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9);
            options.FrozenRows = 1;
            options.AutoFilter = new AutoFilterOptions($"A1:{SpreadsheetUtility.GetColumnName(headers.Length)}{model.Cases.Count + 1}");
            await spreadsheet.StartWorksheetAsync(name, options, ct);
            await HeaderAsync(headers, 30);
            foreach (var f in model.Cases)
            {
                var c = f.Case;
                await Number(f.Rank).Text(c.Technology).Text(c.Plan).Text(c.PlanVersion).Text(c.Section).Text(c.Key)
                    .Text(c.Title).Text(c.Priority).Tally(f.Tally).Number(f.PassingPairs).EndRowAsync();
            }
        }

        public async ValueTask ResultsAsync(ReportModel model, SheetNames names, int rowsPerSheet)
        {
            string[] headers = ["Technology", "Plan", "Section", "Case", "Initiator", "Responder", "Verdict", "Status", "Revision",
                "Updated (UTC)", "Notes", "Issue", "Dispute reason", "Cause", "Evidence files"];
            var lastColumn = SpreadsheetUtility.GetColumnName(headers.Length);
            var sheets = Math.Max(1, (int)((model.ResultCount + rowsPerSheet - 1) / rowsPerSheet));
            var sheet = 0;
            var inSheet = 0L;

            async ValueTask StartAsync()
            {
                sheet++;
                var rows = sheet < sheets ? rowsPerSheet : Math.Max(0, model.ResultCount - (long)rowsPerSheet * (sheets - 1));
                var options = Widths(11, 18, 16, 14, 24, 24, 9, 11, 9, 19, 40, 16, 30, 14, 9);
                options.FrozenRows = 1;
                options.AutoFilter = new AutoFilterOptions($"A1:{lastColumn}{Math.Max(2, rows + 1)}");
                await spreadsheet.StartWorksheetAsync(names.Take(sheet == 1 ? "Results" : $"Results {sheet}"), options, ct);
                await HeaderAsync(headers);
                inSheet = 0;
            }

            await StartAsync();
            await foreach (var r in model.Results.WithCancellation(ct))
            {
                if (inSheet == rowsPerSheet) await StartAsync();
                var c = r.Case;
                _row[0] = new Cell(c.Technology);
                _row[1] = new Cell(c.Plan);
                _row[2] = new Cell(c.Section);
                _row[3] = new Cell(c.Key);
                _row[4] = new Cell(r.Initiator.Label);
                _row[5] = new Cell(r.Responder.Label);
                _row[6] = new Cell(r.Verdict.Name());
                _row[7] = new Cell(StatusName(r.Status));
                _row[8] = new Cell(r.Revision);
                _row[9] = new Cell(r.UpdatedAt, styles.DateTime);
                _count = 10;
                // Trailing empty text cells are left out, not written empty: most results have no notes.
                if (r.Evidence > 0) _count = 15;
                else if (r.Cause is not null) _count = 14;
                else if (r.StatusReason is not null) _count = 13;
                else if (r.Issue is not null) _count = 12;
                else if (r.Notes is not null) _count = 11;
                if (_count > 10)
                {
                    _row[10] = new Cell(r.Notes);
                    // With the event's issueUrlTemplate, the reference is a link to the bug tracker.
                    _row[11] = IssueLinks.Link(model.Event.IssueUrlTemplate, r.Issue) is { } link && Uri.TryCreate(link, UriKind.Absolute, out var uri)
                        ? new Cell(Formula.Hyperlink(uri, r.Issue!), r.Issue!)
                        : new Cell(r.Issue);
                    _row[12] = new Cell(r.StatusReason);
                    _row[13] = new Cell(r.Cause);
                    _row[14] = new Cell(r.Evidence, styles.Integer);
                }
                await spreadsheet.AddRowAsync(_row.AsMemory(0, _count), ct);
                _count = 0;
                inSheet++;
            }
            // A sheet the count promised but the rows did not fill (results changed since counting) still exists, empty.
            while (sheet < sheets) await StartAsync();
        }

        public async ValueTask ProductAsync(ReportModel model, ReportParticipant product, string name)
        {
            var options = Widths(12, 28, 22, 9, 8, 8, 8, 8, 9, 9, 9, 8, 8, 8, 8, 9, 9);
            options.FrozenRows = 8;
            await spreadsheet.StartWorksheetAsync(name, options, ct);
            await Text(product.Label, styles.Title).EndRowAsync(24);
            await Text("Organization", styles.Label).Text(product.OrganizationLabel).EndRowAsync();
            await Text("Kind", styles.Label).Text(product.Kind).EndRowAsync();
            await Text("Technologies", styles.Label).Text(string.Join(", ", product.Technologies ?? [])).EndRowAsync();
            await Text("Key", styles.Label).Text(product.Key).Text("Version", styles.Label).Text(product.Version).EndRowAsync();
            await Text(model.Classification, styles.Banner).Add(new Cell((string?)null, styles.Banner))
                .Add(new Cell((string?)null, styles.Banner)).EndRowAsync();

            Blank().Blank().Blank().Text("As initiator (this product's row of the matrix)", styles.Section);
            for (var k = 0; k < 6; k++) Blank();
            await Text("As responder (this product's column)", styles.Section).EndRowAsync(20);
            string[] side = ["Planned", "Pass", "Fail", "N/A", "Blocked", "Untested", "Executed", "Rate"];
            await HeaderAsync(["Technology", "Peer", "Peer organization", .. side, .. side], 30);

            foreach (var matrix in model.Matrices)
            {
                var i = IndexOf(matrix, product);
                if (i < 0) continue;
                var table = matrix.Table;
                for (var j = 0; j < matrix.Products.Count; j++)
                {
                    if (j == i) continue;
                    var asInitiator = table.Cells[i, j];
                    var asResponder = table.Cells[j, i];
                    if (asInitiator.Planned == 0 && asResponder.Planned == 0) continue;
                    var peer = matrix.Products[j];
                    await Text(matrix.Technology).Text(peer.Label).Text(peer.OrganizationLabel)
                        .Side(asInitiator).Side(asResponder).EndRowAsync();
                }
                await Text(matrix.Technology, styles.TotalLabel).Text("All peers", styles.TotalLabel).Text("", styles.TotalLabel)
                    .Side(table.Rows[i], true).Side(table.Columns[i], true).EndRowAsync();
            }
        }

        private Writer Side(Tally t, bool total = false)
        {
            var integer = total ? styles.TotalInteger : styles.Integer;
            return Number(t.Planned, integer).Number(t.Pass, integer).Number(t.Fail, integer).Number(t.Na, integer)
                .Number(t.Blocked, integer).Number(t.Untested, integer).Number(t.Executed, integer)
                .Rate(t.Rate, total ? styles.TotalPercent : styles.BandPercent[(int)RateBands.Of(t)]);
        }

        private static int IndexOf(ReportMatrix matrix, ReportParticipant product)
        {
            for (var i = 0; i < matrix.Products.Count; i++)
                if (matrix.Products[i].Index == product.Index) return i;
            return -1;
        }

        public async ValueTask ParticipantsAsync(ReportModel model, string name)
        {
            string[] headers = ["Product", "Organization", "Kind", "Technologies", "Capabilities", "Product key", "Version", "Organization key"];
            var options = Widths(30, 26, 11, 20, 40, 20, 10, 18);
            options.FrozenRows = 1;
            options.AutoFilter = new AutoFilterOptions($"A1:{SpreadsheetUtility.GetColumnName(headers.Length)}{model.Participants.Count + 1}");
            await spreadsheet.StartWorksheetAsync(name, options, ct);
            await HeaderAsync(headers);
            foreach (var p in model.Participants)
            {
                await Text(p.Label).Text(p.OrganizationLabel).Text(p.Kind).Text(string.Join(", ", p.Technologies ?? []))
                    .Text(string.Join(", ", p.Capabilities ?? [])).Text(p.Key).Text(p.Version).Text(p.OrganizationKey).EndRowAsync();
            }
        }

        /// <summary>The anonymised report's participants: how many per technology and per kind, never which.</summary>
        public async ValueTask LineupAsync(ReportModel model, string name)
        {
            await spreadsheet.StartWorksheetAsync(name, Widths(26, 12, 14), ct);
            await Text("Participants", styles.Title).EndRowAsync(24);
            await Text($"{model.ProductCount} products from {model.OrganizationCount} organizations. Counts only: which " +
                       "product is which kind or declares which technology is left out, as it would name products.").EndRowAsync();
            await EndRowAsync();
            await HeaderAsync(["Technology", "Products", "Organizations"]);
            foreach (var t in model.TechnologyLineup)
                await Text(t.Name).Number(t.Products).Number(t.Organizations).EndRowAsync();
            await EndRowAsync();
            await HeaderAsync(["Kind", "Products", "Organizations"]);
            foreach (var k in model.KindLineup)
                await Text(k.Name).Number(k.Products).Number(k.Organizations).EndRowAsync();
        }

        /// <summary>"Feedback on the test-case documents": per case, its failed and blocked results by cause, with its references.</summary>
        public async ValueTask FeedbackAsync(ReportModel model, string name)
        {
            string[] headers = ["Technology", "Plan", "Case", "Title", "Fail", "Blocked", .. ReportFeedback.Columns, "References"];
            var options = Widths(11, 18, 14, 40, 8, 9, 15, 11, 14, 9, 10, 10, 40);
            options.FrozenRows = 2;
            options.AutoFilter = new AutoFilterOptions($"A2:{SpreadsheetUtility.GetColumnName(headers.Length)}{model.Feedback.Count + 2}");
            await spreadsheet.StartWorksheetAsync(name, options, ct);
            await Text("Feedback on the test-case documents: failed and blocked results by cause, those the documents answer for " +
                       "(test-case, specification) first.").EndRowAsync();
            await HeaderAsync(headers, 30);
            foreach (var f in model.Feedback)
            {
                Text(f.Case.Technology).Text(f.Case.Plan).Text(f.Case.Key).Text(f.Case.Title, styles.Wrap).Number(f.Fail).Number(f.Blocked);
                foreach (var count in f.ByCause) Number(count);
                await Text(string.Join("\n", f.References), styles.Wrap).EndRowAsync();
            }
        }

        public async ValueTask PlansAsync(ReportModel model, string name)
        {
            var options = Widths(22, 9, 40, 12, 40, 9, 9);
            options.FrozenRows = 1;
            await spreadsheet.StartWorksheetAsync(name, options, ct);
            await HeaderAsync(["Plan", "Version", "Title", "Technology", "Source", "Sections", "Cases"]);
            foreach (var p in model.Plans)
                await Text(p.Plan).Text(p.Version).Text(p.Title, styles.Wrap).Text(p.Technology).Text(p.Source, styles.Wrap)
                    .Number(p.Sections).Number(p.Cases).EndRowAsync();
        }

        private static string StatusName(ReviewStatus status) => status switch
        {
            ReviewStatus.Confirmed => "confirmed",
            ReviewStatus.Disputed => "disputed",
            _ => "reported",
        };
    }
}
