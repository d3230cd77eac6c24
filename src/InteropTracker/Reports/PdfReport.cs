using System.Globalization;
using InteropTracker.Core;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace InteropTracker.Reports;

/// <summary>
/// The report as a PDF document (PDFsharp, fonts from the assembly): cover, executive summary, a heat-map matrix per
/// technology split over landscape pages with repeated headers, the worst test cases, the cases short of two independent
/// passing pairs, participants and test plans, with "Page n of N" on every page. It shows aggregates only, never the results.
/// </summary>
public static class PdfReport
{
    public const string ContentType = "application/pdf";

    public static async Task WriteAsync(ReportModel model, Stream stream, CancellationToken ct = default)
    {
        using var document = Render(model);
        using var buffer = new MemoryStream();
        document.Save(buffer, false);
        buffer.Position = 0;
        await buffer.CopyToAsync(stream, ct);
    }

    internal static PdfDocument Render(ReportModel model)
    {
        ReportFonts.Register();
        var document = new PdfDocument();
        // PDFsharp 6.2.4 ends the flate data of page content streams without its final block (the fonts' streams are
        // whole): readers inflate it, but qpdf --check warns on every page. Content streams go uncompressed instead.
        document.Options.CompressContentStreams = false;
        document.Info.Title = $"{model.Event.Name}: {model.Event.Title.ToLowerInvariant()}";
        document.Info.Subject = model.Anonymised
            ? "Anonymised interoperability test results"
            : "Interoperability test results, confidential to participants";
        document.Info.Author = "InteropTracker";
        document.Info.Creator = "InteropTracker";
        document.Info.CreationDate = model.GeneratedAt;

        var layout = new Layout(document, model);
        layout.Cover();
        layout.ExecutiveSummary();
        foreach (var matrix in model.Matrices)
        {
            layout.HeatMap(matrix);
            // A technology without any evidence gets a line on its matrix (below), not a grid of zeros.
            if (matrix.Evidence is { Total: > 0 } evidence) layout.HeatMap(matrix, evidence);
        }
        layout.WorstCases();
        layout.Feedback();
        layout.ShortOfTwoPairs();
        layout.ParticipantsAndPlans();
        if (model.Timetable is { } timetable) layout.Timetable(timetable);
        layout.Finish();
        return document;
    }

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static string Count(long n) => n.ToString("N0", Invariant);

    private static string Share(double? fraction) =>
        fraction is { } f ? (Math.Floor(f * 1000) / 10).ToString("0.0", Invariant) + "%" : "–";

    private static XColor Rgb(int r, int g, int b) => XColor.FromArgb(r, g, b);

    private static XColor? BandColour(RateBand band) => RateBands.Colour(band) is { } c ? Rgb(c.R, c.G, c.B) : null;

    private readonly record struct PdfCell(string Text, XColor? Fill = null, double? Bar = null, bool Bold = false)
    {
        public static implicit operator PdfCell(string text) => new(text);
    }

    private sealed record PdfColumn(string Header, double Weight, XStringAlignment Align = XStringAlignment.Near);

    private sealed class Layout
    {
        private const double Margin = 48;
        private const double Top = 64;
        private const double FooterSpace = 48;

        private static readonly XColor Navy = Rgb(0x1F, 0x3A, 0x5F);
        private static readonly XColor Ink = Rgb(0x1A, 0x1A, 0x1A);
        private static readonly XColor Muted = Rgb(0x5F, 0x66, 0x70);
        private static readonly XColor Rule = Rgb(0xC8, 0xCD, 0xD3);
        private static readonly XColor Zebra = Rgb(0xF4, 0xF6, 0xF9);
        private static readonly XColor HeaderFill = Rgb(0xE8, 0xEE, 0xF5);
        private static readonly XColor Confidential = Rgb(0xB0, 0x3A, 0x2E);
        private static readonly XColor Anonymised = Rgb(0x1E, 0x6F, 0x6A);

        private readonly XFont _title = new(ReportFonts.Family, 28, XFontStyleEx.Bold);
        private readonly XFont _eventName = new(ReportFonts.Family, 20, XFontStyleEx.Bold);
        private readonly XFont _h1 = new(ReportFonts.Family, 16, XFontStyleEx.Bold);
        private readonly XFont _h2 = new(ReportFonts.Family, 11.5, XFontStyleEx.Bold);
        private readonly XFont _body = new(ReportFonts.Family, 9.5, XFontStyleEx.Regular);
        private readonly XFont _bodyBold = new(ReportFonts.Family, 9.5, XFontStyleEx.Bold);
        private readonly XFont _table = new(ReportFonts.Family, 8, XFontStyleEx.Regular);
        private readonly XFont _tableBold = new(ReportFonts.Family, 8, XFontStyleEx.Bold);
        private readonly XFont _small = new(ReportFonts.Family, 7, XFontStyleEx.Regular);
        private readonly XFont _figure = new(ReportFonts.Family, 17, XFontStyleEx.Bold);

        private readonly PdfDocument _document;
        private readonly ReportModel _model;
        private PdfPage? _page;
        private XGraphics? _gfx;
        private bool _landscape;
        private double _y;

        public Layout(PdfDocument document, ReportModel model)
        {
            _document = document;
            _model = model;
        }

        private XGraphics G => _gfx ?? throw new InvalidOperationException("No page started.");
        private PdfPage Page => _page ?? throw new InvalidOperationException("No page started.");
        private double Width => Page.Width.Point;
        private double Height => Page.Height.Point;
        private double Right => Width - Margin;
        private double Bottom => Height - FooterSpace;
        private double ContentWidth => Width - 2 * Margin;

        private void NewPage(bool landscape, bool runningHeader = true)
        {
            _gfx?.Dispose();
            _page = _document.AddPage();
            _page.Size = PageSize.A4;
            _page.Orientation = landscape ? PageOrientation.Landscape : PageOrientation.Portrait;
            _landscape = landscape;
            _gfx = XGraphics.FromPdfPage(_page);
            _y = Top;
            if (!runningHeader) return;
            var e = _model.Event;
            G.DrawString($"{e.Name} · interop report", _small, new XSolidBrush(Muted), new XRect(Margin, 28, ContentWidth, 10), XStringFormats.TopLeft);
            G.DrawString(_model.Classification, _small, new XSolidBrush(Banner), new XRect(Margin, 28, ContentWidth, 10), XStringFormats.TopRight);
            G.DrawLine(new XPen(Rule, 0.6), Margin, 41, Right, 41);
        }

        private XColor Banner => _model.Anonymised ? Anonymised : Confidential;

        private void Space(double height, Action? continued = null)
        {
            if (_y + height <= Bottom) return;
            NewPage(_landscape);
            continued?.Invoke();
        }

        private void Heading(string text)
        {
            Space(60);
            G.DrawString(text, _h1, new XSolidBrush(Navy), new XRect(Margin, _y, ContentWidth, 20), XStringFormats.TopLeft);
            _y += 24;
            G.DrawLine(new XPen(Navy, 1.2), Margin, _y, Margin + 40, _y);
            _y += 10;
        }

        private void Subheading(string text)
        {
            Space(50);
            _y += 4;
            G.DrawString(text, _h2, new XSolidBrush(Navy), new XRect(Margin, _y, ContentWidth, 14), XStringFormats.TopLeft);
            _y += 18;
        }

        private void Paragraph(string text, XFont? font = null, XColor? colour = null)
        {
            font ??= _body;
            var lines = Wrap(text, font, ContentWidth);
            var lineHeight = font.Size * 1.35;
            foreach (var line in lines)
            {
                Space(lineHeight);
                G.DrawString(line, font, new XSolidBrush(colour ?? Ink), new XRect(Margin, _y, ContentWidth, lineHeight), XStringFormats.TopLeft);
                _y += lineHeight;
            }
            _y += 5;
        }

        private List<string> Wrap(string text, XFont font, double width)
        {
            var lines = new List<string>();
            foreach (var paragraph in text.Split('\n'))
            {
                var line = "";
                foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var candidate = line.Length == 0 ? word : line + " " + word;
                    if (G.MeasureString(candidate, font).Width <= width) { line = candidate; continue; }
                    if (line.Length > 0) lines.Add(line);
                    line = word;
                    while (G.MeasureString(line, font).Width > width && line.Length > 1)
                    {
                        var fit = line.Length - 1;
                        while (fit > 1 && G.MeasureString(line[..fit], font).Width > width) fit--;
                        lines.Add(line[..fit]);
                        line = line[fit..];
                    }
                }
                lines.Add(line);
            }
            return lines;
        }

        private string Fit(string text, XFont font, double width)
        {
            if (G.MeasureString(text, font).Width <= width) return text;
            var cut = text.Length;
            while (cut > 1 && G.MeasureString(text[..cut] + "…", font).Width > width) cut--;
            return text[..cut] + "…";
        }

        public void Cover()
        {
            NewPage(false, runningHeader: false);
            var e = _model.Event;
            G.DrawRectangle(new XSolidBrush(Navy), 0, 0, Width, 200);
            G.DrawString("INTEROPERABILITY TEST EVENT", _h2, XBrushes.White, new XRect(Margin, 70, ContentWidth, 16), XStringFormats.TopLeft);
            G.DrawString(e.Title, _title, XBrushes.White, new XRect(Margin, 100, ContentWidth, 36), XStringFormats.TopLeft);

            _y = 240;
            foreach (var line in Wrap(e.Name, _eventName, ContentWidth))
            {
                G.DrawString(line, _eventName, new XSolidBrush(Ink), new XRect(Margin, _y, ContentWidth, 26), XStringFormats.TopLeft);
                _y += 28;
            }
            _y += 14;
            Facts([
                ("Dates", Dates(e.StartDate, e.EndDate)),
                ("Place", e.Location.Length == 0 ? "–" : e.Location),
                ("Event", e.Key),
                ("Status", e.Standing),
                (_model.Anonymised ? "Generated on" : "Generated at", Generated),
                ("Participants", $"{Count(_model.ProductCount)} products from {Count(_model.OrganizationCount)} organizations"),
                ("Test plans", string.Join(", ", _model.Plans.Select(p => $"{p.Plan} {p.Version}"))),
            ]);

            var banner = new XRect(Margin, Height - 190, ContentWidth, 54);
            G.DrawRectangle(new XSolidBrush(Banner), banner);
            G.DrawString(_model.Classification, _h1, XBrushes.White, banner, XStringFormats.Center);
            var note = _model.Anonymised
                ? "Organizations and products are named Vendor A, Vendor B, … in an order drawn for each technology: " +
                  "Vendor A of one technology's matrix is not Vendor A of another's. The report carries no organization, " +
                  "product or person name, no notes and no issue references, and nothing per product that would tell " +
                  "which product it is (capabilities, versions, planned counts, kind or technologies of one product)."
                : "This report names the participating organizations and products. It is confidential to the " +
                  "participants of the event; only its anonymised variant may be shared beyond them.";
            _y = banner.Bottom + 12;
            Paragraph(note, _small, Muted);
        }

        /// <summary>When the report was made: to the minute, or anonymised the date alone.</summary>
        private string Generated => _model.Anonymised
            ? _model.GeneratedAt.ToString("yyyy-MM-dd", Invariant)
            : _model.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant);

        private static string Dates(DateOnly start, DateOnly end) =>
            start == end
                ? start.ToString("d MMMM yyyy", Invariant)
                : start.Year == end.Year && start.Month == end.Month
                    ? $"{start.Day}–{end.ToString("d MMMM yyyy", Invariant)}"
                    : $"{start.ToString("d MMMM yyyy", Invariant)} – {end.ToString("d MMMM yyyy", Invariant)}";

        private void Facts(IReadOnlyList<(string Label, string Value)> facts)
        {
            foreach (var (label, value) in facts)
            {
                var lines = Wrap(value, _body, ContentWidth - 110);
                G.DrawString(label, _bodyBold, new XSolidBrush(Muted), new XRect(Margin, _y, 110, 14), XStringFormats.TopLeft);
                foreach (var line in lines)
                {
                    G.DrawString(line, _body, new XSolidBrush(Ink), new XRect(Margin + 110, _y, ContentWidth - 110, 14), XStringFormats.TopLeft);
                    _y += 14;
                }
                _y += 4;
            }
        }

        public void ExecutiveSummary()
        {
            NewPage(false);
            Heading(_model.Event.Provisional ? "Executive summary (provisional)" : "Executive summary");
            if (_model.Event.Provisional)
                Paragraph($"Provisional: event {_model.Event.Key} is {_model.Event.Status} and not published, so these figures may still change.",
                    colour: Muted);
            var s = _model.Summary;
            var t = s.Total;
            Paragraph($"{Count(_model.ProductCount)} products from {Count(_model.OrganizationCount)} organizations took part, " +
                      $"testing {Count(_model.Cases.Count)} test cases from {Count(_model.Plans.Count)} test plans across " +
                      $"{Count(s.Technologies.Count)} technologies. Of {Count(t.Planned)} planned tests, {Count(t.Logged)} were " +
                      $"logged ({Share(t.Progress)}); of the {Count(t.Executed)} executed, {Count(t.Pass)} passed ({Share(t.Rate)}).");

            _y += 4;
            (string Label, string Value)[] tiles =
            [
                ("Planned", Count(t.Planned)), ("Logged", Count(t.Logged)), ("Pass", Count(t.Pass)),
                ("Fail", Count(t.Fail)), ("Pass rate", Share(t.Rate)), ("Progress", Share(t.Progress)),
            ];
            var gap = 8.0;
            var w = (ContentWidth - gap * (tiles.Length - 1)) / tiles.Length;
            for (var i = 0; i < tiles.Length; i++)
            {
                var r = new XRect(Margin + i * (w + gap), _y, w, 52);
                G.DrawRectangle(new XSolidBrush(HeaderFill), r);
                G.DrawRectangle(new XSolidBrush(Navy), r.X, r.Y, 3, r.Height);
                G.DrawString(tiles[i].Value, _figure, new XSolidBrush(Navy), new XRect(r.X + 9, r.Y + 8, r.Width - 12, 22), XStringFormats.TopLeft);
                G.DrawString(tiles[i].Label, _small, new XSolidBrush(Muted), new XRect(r.X + 9, r.Y + 34, r.Width - 12, 10), XStringFormats.TopLeft);
            }
            _y += 66;

            PdfColumn[] columns =
            [
                new("Technology", 2.2), new("Planned", 1.2, XStringAlignment.Far), new("Logged", 1.2, XStringAlignment.Far),
                new("Pass", 1, XStringAlignment.Far), new("Fail", 1, XStringAlignment.Far), new("N/A", 0.9, XStringAlignment.Far),
                new("Blocked", 1.2, XStringAlignment.Far), new("Untested", 1.35, XStringAlignment.Far),
                new("Rate", 1.1, XStringAlignment.Far), new("Progress", 2.2),
            ];
            Subheading("Per technology");
            Table(columns, s.Technologies.Select(x => TallyRow(x.Technology, x.Tally, false))
                .Append(TallyRow("All technologies", t, true)));

            Subheading("Per test plan");
            Table([new("Plan", 2.2), .. columns[1..]], s.Plans.Select(x => TallyRow(x.Plan!, x.Tally, false)));

            Subheading("Review of the results by the other side");
            var all = s.Statuses.Reported + s.Statuses.Confirmed + s.Statuses.Disputed;
            double? Of(long n) => all == 0 ? null : (double)n / all;
            Table([new("Status", 4), new("Results", 1.5, XStringAlignment.Far), new("Share", 1.5, XStringAlignment.Far), new("", 4)],
            [
                ["Confirmed", Count(s.Statuses.Confirmed), Share(Of(s.Statuses.Confirmed)), new PdfCell("", Bar: Of(s.Statuses.Confirmed))],
                ["Unconfirmed (reported)", Count(s.Statuses.Reported), Share(Of(s.Statuses.Reported)), new PdfCell("", Bar: Of(s.Statuses.Reported))],
                ["Disputed", Count(s.Statuses.Disputed), Share(Of(s.Statuses.Disputed)), new PdfCell("", Bar: Of(s.Statuses.Disputed))],
            ]);
            Paragraph("Rate = pass / executed, where executed = pass + fail. Progress = logged / planned; not applicable " +
                      "and blocked verdicts count as logged but not executed.", _small, Muted);
            if (_model.HasAttributes) Attributes();
            if (_model.Comparison is { } comparison) Comparison(comparison);
        }

        /// <summary>"Result attributes": each value's share of the executed results, per technology then per plan (the API's rows).</summary>
        private void Attributes()
        {
            Subheading("Result attributes: share of executed results");
            // The declared values are the plans' own (public) words, but a list of them reads like a product's capabilities,
            // which the anonymised report never lists.
            if (!_model.Anonymised)
                foreach (var plan in _model.Plans.Where(p => p.Attributes.Count > 0))
                    Paragraph($"Declared by {plan.Plan}: " +
                              string.Join("; ", plan.Attributes.Select(a => $"{a.Key} ({string.Join(", ", a.Value)})")) + ".");
            if (_model.AttributeShares.Count == 0)
            {
                Paragraph("No executed result names an attribute yet.");
                return;
            }
            Table(
            [
                new("Plan", 1.9), new("Technology", 1.6), new("Attribute", 1.6), new("Value", 2.4),
                new("Results", 1.1, XStringAlignment.Far), new("Executed", 1.2, XStringAlignment.Far),
                new("Share", 1.1, XStringAlignment.Far), new("", 1.5),
            ],
            _model.AttributeShares.Select(a => new PdfCell[]
            {
                a.Plan ?? "All plans", a.Technology, a.Attribute, a.Value, Count(a.Results), Count(_model.ExecutedOf(a)),
                Share(a.Share), new("", Bar: a.Share),
            }));
            Paragraph(ReportNotes.AttributeShares, _small, Muted);
        }

        /// <summary>"Compared with the previous event": which event, then counts and rates only.</summary>
        private void Comparison(ReportComparison c)
        {
            Subheading("Compared with the previous event");
            Paragraph($"{c.PreviousName}, {Dates(c.PreviousStart, c.PreviousEnd)}. Cells are matched by test case and by the " +
                      "pair of product lines (a product across its versions).");
            Table([new("Cells", 4), new("Count", 1.5, XStringAlignment.Far), new("", 5.5)],
                c.Cells.Select(x => new PdfCell[] { x.Label, Count(x.Cells), "" }));
            Table([new("Technology", 4), new("Rate then", 1.5, XStringAlignment.Far), new("Rate now", 1.5, XStringAlignment.Far), new("", 4)],
                c.Rates.Select(r => new PdfCell[] { new(r.Technology, Bold: r == c.Rates[^1]), Share(r.Then), Share(r.Now), "" }));
        }

        private static PdfCell[] TallyRow(string label, Tally t, bool bold) =>
        [
            new(label, Bold: bold), new(Count(t.Planned), Bold: bold), new(Count(t.Logged), Bold: bold),
            new(Count(t.Pass), Bold: bold), new(Count(t.Fail), Bold: bold), new(Count(t.Na), Bold: bold),
            new(Count(t.Blocked), Bold: bold), new(Count(t.Untested), Bold: bold),
            new(Share(t.Rate), BandColour(RateBands.Of(t)), Bold: bold), new(Share(t.Progress), Bar: t.Progress ?? 0, Bold: bold),
        ];

        /// <summary>
        /// A table that continues over pages, repeating its header. Column weights share the content width; cells wrap.
        /// </summary>
        private void Table(IReadOnlyList<PdfColumn> columns, IEnumerable<PdfCell[]> rows)
        {
            const double pad = 3;
            var total = columns.Sum(c => c.Weight);
            var widths = columns.Select(c => c.Weight / total * ContentWidth).ToArray();
            var lineHeight = _table.Size * 1.3;

            void Header()
            {
                var lines = columns.Select((c, i) => Wrap(c.Header, _tableBold, widths[i] - 2 * pad)).ToList();
                var height = lines.Max(l => l.Count) * lineHeight + 2 * pad;
                G.DrawRectangle(new XSolidBrush(Navy), Margin, _y, ContentWidth, height);
                var x = Margin;
                for (var i = 0; i < columns.Count; i++)
                {
                    for (var k = 0; k < lines[i].Count; k++)
                        G.DrawString(lines[i][k], _tableBold, XBrushes.White,
                            new XRect(x + pad, _y + pad + k * lineHeight, widths[i] - 2 * pad, lineHeight), Format(columns[i].Align));
                    x += widths[i];
                }
                _y += height;
            }

            Space(60);
            Header();
            var index = 0;
            foreach (var row in rows)
            {
                var lines = row.Select((c, i) => Wrap(c.Text, c.Bold ? _tableBold : _table, widths[i] - 2 * pad)).ToList();
                var height = lines.Max(l => l.Count) * lineHeight + 2 * pad;
                if (_y + height > Bottom)
                {
                    NewPage(_landscape);
                    Header();
                }
                if (index++ % 2 == 1) G.DrawRectangle(new XSolidBrush(Zebra), Margin, _y, ContentWidth, height);
                var x = Margin;
                for (var i = 0; i < row.Length; i++)
                {
                    var cell = row[i];
                    var rect = new XRect(x, _y, widths[i], height);
                    if (cell.Fill is { } fill) G.DrawRectangle(new XSolidBrush(fill), rect.X + 1, rect.Y + 1, rect.Width - 2, rect.Height - 2);
                    var textWidth = widths[i] - 2 * pad;
                    if (cell.Bar is { } bar)
                    {
                        var barWidth = cell.Text.Length == 0 ? textWidth : textWidth * 0.55;
                        var barRect = new XRect(x + pad + (textWidth - barWidth), _y + height / 2 - 3, barWidth, 6);
                        G.DrawRectangle(new XSolidBrush(HeaderFill), barRect);
                        G.DrawRectangle(new XSolidBrush(Navy), barRect.X, barRect.Y, barRect.Width * Math.Clamp(bar, 0, 1), barRect.Height);
                        textWidth = Math.Max(1, textWidth - barWidth - 4);
                    }
                    var font = cell.Bold ? _tableBold : _table;
                    for (var k = 0; k < lines[i].Count; k++)
                        G.DrawString(lines[i][k], font, new XSolidBrush(Ink),
                            new XRect(x + pad, _y + pad + k * lineHeight, cell.Bar is null ? widths[i] - 2 * pad : textWidth, lineHeight),
                            Format(cell.Bar is null ? columns[i].Align : XStringAlignment.Near));
                    x += widths[i];
                }
                _y += height;
                G.DrawLine(new XPen(Rule, 0.4), Margin, _y, Right, _y);
            }
            _y += 10;
        }

        private static XStringFormat Format(XStringAlignment align) => align switch
        {
            XStringAlignment.Far => XStringFormats.TopRight,
            XStringAlignment.Center => XStringFormats.TopCenter,
            _ => XStringFormats.TopLeft,
        };

        /// <summary>
        /// The technology's matrix as a heat map on landscape pages: as many responder columns and initiator rows as fit,
        /// each page repeating its row and column headers, with the totals of its rows and columns and the legend.
        /// </summary>
        /// <remarks>With <paramref name="evidence"/>, the same grid shows each cell's evidence files instead of its rate.</remarks>
        public void HeatMap(ReportMatrix matrix, ReportEvidence? evidence = null)
        {
            NewPage(true);
            var table = matrix.Table;
            var n = matrix.Products.Count;
            var labelFont = _small;
            var longest = n == 0 ? 40 : matrix.Products.Max(p => G.MeasureString(p.Label, labelFont).Width);
            var rowHeader = Math.Clamp(longest + 10, 70, 170);
            var columnHeader = Math.Clamp(longest + 10, 40, 150);
            const double totalWidth = 50;
            var legendSpace = evidence is null ? 26.0 : 38.0;
            var titleSpace = 44.0;

            var cellWidth = Math.Clamp((ContentWidth - rowHeader - totalWidth) / Math.Max(1, n), 30, 46);
            var cellHeight = 18.0;
            var gridTop = _y + titleSpace + columnHeader;
            var perPageColumns = Math.Max(1, (int)((ContentWidth - rowHeader - totalWidth) / cellWidth));
            var rowSpace = Bottom - legendSpace - gridTop;
            var perPageRows = Math.Max(1, (int)(rowSpace / cellHeight) - 1);
            var columnChunks = Chunks(n, perPageColumns);
            var rowChunks = Chunks(n, perPageRows);
            // Even chunks leave room: taller rows (up to 24 pt) read better than a half-empty page.
            var rowsOnPage = rowChunks.Max(r => r.End - r.Start) + 1;
            cellHeight = Math.Clamp(rowSpace / rowsOnPage, cellHeight, 24);
            var pages = columnChunks.Count * rowChunks.Count;

            var page = 0;
            foreach (var rows in rowChunks)
                foreach (var cols in columnChunks)
                {
                    if (page++ > 0) NewPage(true);
                    var title = evidence is null ? $"Matrix: {matrix.Technology}" : $"Evidence files: {matrix.Technology}";
                    G.DrawString(title, _h1, new XSolidBrush(Navy), new XRect(Margin, _y, ContentWidth, 20), XStringFormats.TopLeft);
                    var where = n == 0
                        ? "No participant declares this technology."
                        : $"Initiators (rows) × responders (columns) · rows {rows.Start + 1}–{rows.End} and columns {cols.Start + 1}–{cols.End} of {n}" +
                          (pages > 1 ? $" · part {page} of {pages}" : "") +
                          (_model.Anonymised ? " · labels drawn for this technology alone" : "");
                    G.DrawString(where, _small, new XSolidBrush(Muted), new XRect(Margin, _y + 22, ContentWidth, 10), XStringFormats.TopLeft);
                    if (evidence is null && matrix.Evidence is { Total: 0 })
                        G.DrawString(ReportNotes.NoEvidence, _small, new XSolidBrush(Muted), new XRect(Margin, _y + 31, ContentWidth, 10),
                            XStringFormats.TopLeft);
                    var top = _y + titleSpace;
                    DrawGrid(matrix, evidence, rows, cols, top, rowHeader, columnHeader, cellWidth, cellHeight, totalWidth, labelFont);
                    if (evidence is null) Legend(Bottom - 12);
                    else EvidenceLegend(Bottom - 24);
                }
        }

        private readonly record struct Range(int Start, int End);

        /// <summary>Splits n items into the fewest chunks of at most size, as even as possible.</summary>
        private static List<Range> Chunks(int n, int size)
        {
            if (n == 0) return [new Range(0, 0)];
            var count = (n + size - 1) / size;
            var list = new List<Range>(count);
            for (var k = 0; k < count; k++) list.Add(new Range(k * n / count, (k + 1) * n / count));
            return list;
        }

        private void DrawGrid(ReportMatrix matrix, ReportEvidence? evidence, Range rows, Range cols, double top, double rowHeader,
            double columnHeader, double cellWidth, double cellHeight, double totalWidth, XFont labelFont)
        {
            var table = matrix.Table;
            var left = Margin;
            var gridLeft = left + rowHeader;
            var gridTop = top + columnHeader;
            var ncols = cols.End - cols.Start;
            var nrows = rows.End - rows.Start;
            var gridRight = gridLeft + ncols * cellWidth;
            var pen = new XPen(Rule, 0.4);
            var ink = new XSolidBrush(Ink);
            var rateFont = new XFont(ReportFonts.Family, cellWidth >= 38 ? 7.5 : 6.5, XFontStyleEx.Bold);
            var countFont = new XFont(ReportFonts.Family, cellWidth >= 38 ? 6.5 : 5.5, XFontStyleEx.Regular);

            void Figure(Tally tally, long? files, XRect rect, bool total)
            {
                if (files is { } n) EvidenceCell(tally, n, total, rect, rateFont, pen, ink);
                else Cell(tally, rect, rateFont, countFont, pen, ink);
            }

            G.DrawRectangle(new XSolidBrush(HeaderFill), left, gridTop - columnHeader, rowHeader, columnHeader);
            G.DrawString("Responders →", _small, new XSolidBrush(Muted),
                new XRect(left + 4, gridTop - 24, rowHeader - 8, 10), XStringFormats.TopRight);
            G.DrawString("Initiators ↓", _small, new XSolidBrush(Muted),
                new XRect(left + 4, gridTop - 12, rowHeader - 8, 10), XStringFormats.TopLeft);

            for (var c = 0; c < ncols; c++)
            {
                var x = gridLeft + c * cellWidth;
                G.DrawRectangle(new XSolidBrush(c % 2 == 0 ? HeaderFill : Zebra), x, top, cellWidth, columnHeader);
                VerticalText(Fit(matrix.Products[cols.Start + c].Label, labelFont, columnHeader - 8), labelFont, x + cellWidth / 2, gridTop - 4);
            }
            G.DrawRectangle(new XSolidBrush(HeaderFill), gridRight, top, totalWidth, columnHeader);
            VerticalText("Row total", _small, gridRight + totalWidth / 2, gridTop - 4);

            for (var r = 0; r < nrows; r++)
            {
                var i = rows.Start + r;
                var y = gridTop + r * cellHeight;
                G.DrawRectangle(new XSolidBrush(r % 2 == 0 ? HeaderFill : Zebra), left, y, rowHeader, cellHeight);
                G.DrawString(Fit(matrix.Products[i].Label, labelFont, rowHeader - 8), labelFont, ink,
                    new XRect(left + 4, y, rowHeader - 8, cellHeight), XStringFormats.CenterLeft);
                for (var c = 0; c < ncols; c++)
                {
                    var rect = new XRect(gridLeft + c * cellWidth, y, cellWidth, cellHeight);
                    Figure(table.Cells[i, cols.Start + c], evidence?.Files[i, cols.Start + c], rect, total: false);
                    if (cols.Start + c == i) G.DrawLine(pen, rect.Left, rect.Bottom, rect.Right, rect.Top); // a product never meets itself
                }
                Figure(table.Rows[i], evidence?.Row(i), new XRect(gridRight, y, totalWidth, cellHeight), total: true);
            }

            var totalsY = gridTop + nrows * cellHeight;
            G.DrawRectangle(new XSolidBrush(HeaderFill), left, totalsY, rowHeader, cellHeight);
            G.DrawString("Column total", _tableBold, ink, new XRect(left + 4, totalsY, rowHeader - 8, cellHeight), XStringFormats.CenterLeft);
            for (var c = 0; c < ncols; c++)
                Figure(table.Columns[cols.Start + c], evidence?.Column(cols.Start + c),
                    new XRect(gridLeft + c * cellWidth, totalsY, cellWidth, cellHeight), total: true);
            Figure(table.Total, evidence?.Total, new XRect(gridRight, totalsY, totalWidth, cellHeight), total: true);

            var heavy = new XPen(Navy, 0.9);
            G.DrawLine(heavy, gridLeft, top, gridLeft, totalsY + cellHeight);
            G.DrawLine(heavy, left, gridTop, gridRight + totalWidth, gridTop);
            G.DrawLine(heavy, gridRight, top, gridRight, totalsY + cellHeight);
            G.DrawLine(heavy, left, totalsY, gridRight + totalWidth, totalsY);
        }

        /// <summary>A cell's evidence files, coloured by <see cref="EvidenceMarks"/>; a total is the plain sum.</summary>
        private void EvidenceCell(Tally t, long files, bool total, XRect rect, XFont font, XPen pen, XBrush ink)
        {
            var mark = total ? EvidenceMark.None : EvidenceMarks.Of(files, t);
            if (EvidenceMarks.Colour(mark) is { } c) G.DrawRectangle(new XSolidBrush(Rgb(c.R, c.G, c.B)), rect);
            G.DrawRectangle(pen, rect);
            if ((total ? files : EvidenceMarks.Figure(files, mark)) is { } figure)
                G.DrawString(Count(figure), font, ink, rect, XStringFormats.Center);
        }

        private void EvidenceLegend(double y)
        {
            var x = Margin;
            G.DrawString("Evidence:", _small, new XSolidBrush(Muted), new XPoint(x, y + 7), XStringFormats.BaseLineLeft);
            x += 42;
            foreach (var mark in EvidenceMarks.InLegendOrder)
            {
                if (EvidenceMarks.Colour(mark) is { } c) G.DrawRectangle(new XSolidBrush(Rgb(c.R, c.G, c.B)), x, y, 14, 9);
                G.DrawRectangle(new XPen(Rule, 0.5), x, y, 14, 9);
                var label = EvidenceMarks.Legend(mark);
                G.DrawString(label, _small, new XSolidBrush(Ink), new XPoint(x + 18, y + 7), XStringFormats.BaseLineLeft);
                x += 18 + G.MeasureString(label, _small).Width + 12;
            }
            G.DrawString(ReportNotes.Evidence, _small, new XSolidBrush(Muted), new XPoint(Margin, y + 19), XStringFormats.BaseLineLeft);
        }

        private void Cell(Tally t, XRect rect, XFont rateFont, XFont countFont, XPen pen, XBrush ink)
        {
            var band = RateBands.Of(t);
            if (BandColour(band) is { } fill) G.DrawRectangle(new XSolidBrush(fill), rect);
            G.DrawRectangle(pen, rect);
            if (band == RateBand.NotPlanned) return;
            var half = rect.Height / 2;
            G.DrawString(RateBands.Percent(t.Rate), rateFont, ink, new XRect(rect.X, rect.Y + 1, rect.Width, half), XStringFormats.Center);
            var (counts, font) = FitCounts(t, countFont, rect.Width - 2);
            G.DrawString(counts, font, ink, new XRect(rect.X, rect.Y + half - 1, rect.Width, half), XStringFormats.Center);
        }

        private readonly XFont _tinyCount = new(ReportFonts.Family, 4.5, XFontStyleEx.Regular);

        /// <summary>
        /// "5/6" as it fits the cell: in the cell font, else smaller, else (totals of big events) in thousands,
        /// "2.4k/3.3k"; the exact counts are in the workbook.
        /// </summary>
        private (string Text, XFont Font) FitCounts(Tally t, XFont font, double width)
        {
            var exact = $"{t.Pass}/{t.Executed}";
            if (G.MeasureString(exact, font).Width <= width) return (exact, font);
            if (G.MeasureString(exact, _tinyCount).Width <= width) return (exact, _tinyCount);
            return ($"{Compact(t.Pass)}/{Compact(t.Executed)}", _tinyCount);
        }

        private static string Compact(long n) => n switch
        {
            < 1_000 => n.ToString(Invariant),
            < 10_000 => (n / 1000.0).ToString("0.#", Invariant) + "k",
            < 1_000_000 => (n / 1000.0).ToString("0", Invariant) + "k",
            _ => (n / 1_000_000.0).ToString("0.#", Invariant) + "M",
        };

        /// <summary>Text read bottom to top, its baseline centred on x, starting at y.</summary>
        private void VerticalText(string text, XFont font, double x, double y)
        {
            var state = G.Save();
            var anchor = new XPoint(x + font.Size * 0.35, y);
            G.RotateAtTransform(-90, anchor);
            G.DrawString(text, font, new XSolidBrush(Ink), anchor, XStringFormats.BaseLineLeft);
            G.Restore(state);
        }

        private void Legend(double y)
        {
            var x = Margin;
            G.DrawString("Pass rate:", _small, new XSolidBrush(Muted), new XPoint(x, y + 7), XStringFormats.BaseLineLeft);
            x += 42;
            foreach (var band in RateBands.InLegendOrder)
            {
                var fill = BandColour(band);
                if (fill is { } f) G.DrawRectangle(new XSolidBrush(f), x, y, 14, 9);
                G.DrawRectangle(new XPen(Rule, 0.5), x, y, 14, 9);
                var label = RateBands.Legend(band, _model.Anonymised);
                G.DrawString(label, _small, new XSolidBrush(Ink), new XPoint(x + 18, y + 7), XStringFormats.BaseLineLeft);
                x += 18 + G.MeasureString(label, _small).Width + 12;
            }
            G.DrawString("Each cell: pass rate, then passed / executed (pass + fail).", _small, new XSolidBrush(Muted),
                new XPoint(x + 6, y + 7), XStringFormats.BaseLineLeft);
        }

        public void WorstCases()
        {
            NewPage(false);
            Heading("Worst test cases");
            var worst = _model.Cases.Where(c => c.Tally.Executed > 0).Take(30).ToList();
            Paragraph(worst.Count == 0
                ? "No test case has been executed yet."
                : $"The {worst.Count} executed test cases with the lowest pass rate, worst first (of " +
                  $"{Count(_model.Cases.Count(c => c.Tally.Executed > 0))} executed). The full ranking is in the workbook's Test cases sheet.");
            if (worst.Count == 0) return;
            Table(
            [
                new("#", 0.5, XStringAlignment.Far), new("Case", 2), new("Title", 4), new("Plan", 2),
                new("Pass", 0.8, XStringAlignment.Far), new("Fail", 0.8, XStringAlignment.Far),
                new("Executed", 1.35, XStringAlignment.Far), new("Rate", 1.1, XStringAlignment.Far), new("Passing pairs", 1.2, XStringAlignment.Far),
            ],
            worst.Select(c => new PdfCell[]
            {
                c.Rank.ToString(Invariant), c.Case.Key, c.Case.Title, c.Case.Plan, Count(c.Tally.Pass), Count(c.Tally.Fail),
                Count(c.Tally.Executed), new(Share(c.Tally.Rate), BandColour(RateBands.Of(c.Tally))), Count(c.PassingPairs),
            }));
        }

        public void Feedback()
        {
            // Landscape: eleven columns, six of them cause counts whose headers must not break.
            NewPage(true);
            Heading("Feedback on the test-case documents");
            var feedback = _model.Feedback.Take(40).ToList();
            Paragraph(feedback.Count == 0
                ? "No result failed or was blocked."
                : $"The {feedback.Count} test cases with failed or blocked results (of {Count(_model.Feedback.Count)}), by the cause " +
                  "the engineers gave: those the documents answer for (test-case, specification) first, then the most failures. " +
                  "The whole list is in the workbook's Feedback sheet.");
            if (feedback.Count == 0) return;
            Table(
            [
                new("Case", 1.8), new("Title", 2.9), new("Fail", 0.7, XStringAlignment.Far), new("Blocked", 1.1, XStringAlignment.Far),
                .. ReportFeedback.Columns.Select(c => new PdfColumn(c, c switch { "implementation" => 2.2, "specification" => 1.9, _ => 1.2 },
                    XStringAlignment.Far)),
                new("References", 2.8),
            ],
            feedback.Select(f => (PdfCell[])
            [
                f.Case.Key, f.Case.Title, Count(f.Fail), Count(f.Blocked), .. f.ByCause.Select(n => (PdfCell)Count(n)), string.Join("; ", f.References),
            ]));
        }

        public void ShortOfTwoPairs()
        {
            var shortCases = _model.ShortOfTwoPassingPairs.ToList();
            Space(140);
            _y += 10;
            Heading("Cases short of two independent passing pairs");
            Paragraph(shortCases.Count == 0
                ? "Every test case passed between at least two independent pairs of products (two distinct pairs)."
                : $"{shortCases.Count} of {_model.Cases.Count} test cases have not yet passed between two independent pairs " +
                  "of products (two distinct pairs), the evidence the activity group asks for before calling a feature interoperable.");
            if (shortCases.Count == 0) return;
            Table(
            [
                new("Case", 2), new("Title", 4), new("Plan", 2), new("Planned", 1.2, XStringAlignment.Far),
                new("Executed", 1.35, XStringAlignment.Far), new("Pass", 0.8, XStringAlignment.Far), new("Passing pairs", 1.2, XStringAlignment.Far),
            ],
            shortCases.Select(c => new PdfCell[]
            {
                c.Case.Key, c.Case.Title, c.Case.Plan, Count(c.Tally.Planned), Count(c.Tally.Executed), Count(c.Tally.Pass),
                new(Count(c.PassingPairs), c.PassingPairs == 0 ? BandColour(RateBand.Poor) : BandColour(RateBand.Low)),
            }));
        }

        public void ParticipantsAndPlans()
        {
            NewPage(false);
            Heading("Participants");
            if (_model.Anonymised)
            {
                Paragraph($"{Count(_model.ProductCount)} products from {Count(_model.OrganizationCount)} organizations. " +
                          "Counts only: which product is which kind or declares which technology is left out, as it would name products.");
                PdfColumn[] counts = [new("Products", 1, XStringAlignment.Far), new("Organizations", 1, XStringAlignment.Far)];
                Table([new("Technology", 3), .. counts],
                    _model.TechnologyLineup.Select(t => new PdfCell[] { t.Name, Count(t.Products), Count(t.Organizations) }));
                Table([new("Kind", 3), .. counts],
                    _model.KindLineup.Select(k => new PdfCell[] { k.Name, Count(k.Products), Count(k.Organizations) }));
            }
            else
            {
                Table([new("Product", 2.4), new("Organization", 2), new("Version", 1), new("Kind", 1.1), new("Technologies", 2)],
                    _model.Participants.Select(p => new PdfCell[]
                        { p.Label, p.OrganizationLabel, p.Version ?? "", p.Kind ?? "", string.Join(", ", p.Technologies ?? []) }));
            }

            Subheading("Test plans");
            Table(
            [
                new("Plan", 1.8), new("Version", 0.8), new("Title", 3.4), new("Technology", 1.1),
                new("Sections", 0.9, XStringAlignment.Far), new("Cases", 0.8, XStringAlignment.Far),
            ],
            _model.Plans.Select(p => new PdfCell[] { p.Plan, p.Version, p.Title, p.Technology, Count(p.Sections), Count(p.Cases) }));
        }

        /// <summary>Footers once the page count is known.</summary>
        /// <summary>The timetable (named reports only): one row per session, slot by slot.</summary>
        public void Timetable(Timetable timetable)
        {
            NewPage(false);
            Heading("Timetable");
            var labels = _model.Participants.Where(p => p.Key is not null).ToDictionary(p => p.Key!, p => p.Label);
            Paragraph($"{Count(timetable.Sessions.Count)} sessions in {Count(timetable.Slots.Count)} slots at " +
                      $"{Count(timetable.Tables.Count)} tables, built {timetable.BuiltAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC. " +
                      "Each session runs its cells mandatory first; times are UTC.");
            Table(
            [
                new("Slot", 0.6, XStringAlignment.Far), new("When (UTC)", 2), new("Table", 1.1), new("Pairing", 4.4),
                new("Cells", 0.8, XStringAlignment.Far), new("Mandatory", 1.1, XStringAlignment.Far),
            ],
            timetable.Sessions.Select(s => new PdfCell[]
            {
                Count(s.Slot), $"{s.Start.UtcDateTime.ToString("ddd d MMM HH:mm", Invariant)}–{s.End.UtcDateTime.ToString("HH:mm", Invariant)}",
                s.Table, $"{labels.GetValueOrDefault(s.A, s.A)} × {labels.GetValueOrDefault(s.B, s.B)}", Count(s.Cells.Count),
                Count(s.Cells.Count(c => c.Priority == "mandatory")),
            }));
            if (timetable.Unscheduled.Count > 0)
                Paragraph($"{Count(timetable.Unscheduled.Count)} pairings have cells left that found no slot.");
        }

        public void Finish()
        {
            _gfx?.Dispose();
            _gfx = null;
            var total = _document.PageCount;
            for (var i = 0; i < total; i++)
            {
                var page = _document.Pages[i];
                using var gfx = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
                var width = page.Width.Point;
                var y = page.Height.Point - 30;
                gfx.DrawLine(new XPen(Rule, 0.6), Margin, y - 6, width - Margin, y - 6);
                gfx.DrawString($"Generated {Generated} · {_model.Classification}",
                    _small, new XSolidBrush(Muted), new XRect(Margin, y, width - 2 * Margin, 10), XStringFormats.TopLeft);
                gfx.DrawString($"Page {i + 1} of {total}", _small, new XSolidBrush(Muted),
                    new XRect(Margin, y, width - 2 * Margin, 10), XStringFormats.TopRight);
            }
        }
    }
}
