using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace InteropTracker.Reports;

/// <summary>
/// Makes a finished workbook print well: every sheet landscape and fitted to one page wide (as many pages tall as it
/// needs), and each sheet's frozen header rows repeated at the top of every printed page (<c>_xlnm.Print_Titles</c>).
/// SpreadCheetah writes no page setup, so the package is copied entry by entry and only the worksheets and
/// <c>xl/workbook.xml</c> are changed. A worksheet is streamed: its head (up to <c>&lt;sheetData</c>) and its tail
/// (from <c>&lt;/sheetData&gt;</c>) are small and spliced as text, its rows pass through untouched.
/// </summary>
internal static partial class PrintSetup
{
    private const string WorkbookPart = "xl/workbook.xml";
    private const string WorkbookRels = "xl/_rels/workbook.xml.rels";
    private const string FitToPage = """<pageSetUpPr fitToPage="1"/>""";
    private const string PageSetup = """<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>""";

    // Excel's "Normal" margins, in inches; pageMargins needs all six once it is written.
    private const string PageMargins = """<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>""";

    // CT_Worksheet's children that come after pageSetup: the page setup goes before the first of them that is there.
    private static readonly string[] AfterPageSetup =
    [
        "<headerFooter", "<rowBreaks", "<colBreaks", "<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags",
        "<drawing", "<legacyDrawing", "<picture", "<oleObjects", "<controls", "<webPublishItems", "<tableParts", "<extLst",
        "</worksheet>",
    ];

    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static readonly XNamespace Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private static readonly XNamespace PackageRelationships = "http://schemas.openxmlformats.org/package/2006/relationships";

    private static readonly byte[] SheetDataStart = "<sheetData"u8.ToArray();
    private static readonly byte[] SheetDataEnd = "</sheetData>"u8.ToArray();
    private static readonly byte[] EmptySheetData = "<sheetData/>"u8.ToArray();

    [GeneratedRegex(@"<pane\b[^>]*\bySplit=""(\d+)""[^>]*\bstate=""frozen""|<pane\b[^>]*\bstate=""frozen""[^>]*\bySplit=""(\d+)""")]
    private static partial Regex FrozenPane();

    /// <summary>Copies the package in <paramref name="package"/> (seekable) to <paramref name="output"/> with the print settings.</summary>
    public static async Task CopyAsync(Stream package, Stream output, CancellationToken ct)
    {
        await using var source = await ZipArchive.CreateAsync(package, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, ct);
        var worksheets = await WorksheetsAsync(source, ct);
        await using var target = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        foreach (var entry in source.Entries)
        {
            var copy = target.CreateEntry(entry.FullName, CompressionLevel.Fastest);
            copy.LastWriteTime = entry.LastWriteTime;
            await using var from = await entry.OpenAsync(ct);
            await using var to = await copy.OpenAsync(ct);
            if (entry.FullName == WorkbookPart)
                await WorkbookAsync(from, to, worksheets, ct);
            else if (worksheets.Any(w => w.Part == entry.FullName))
                await WorksheetAsync(from, to, ct);
            else
                await from.CopyToAsync(to, ct);
        }
    }

    private sealed record Worksheet(string Name, string Part, int FrozenRows);

    /// <summary>The workbook's sheets in order, each with its part and how many header rows it freezes.</summary>
    private static async Task<List<Worksheet>> WorksheetsAsync(ZipArchive source, CancellationToken ct)
    {
        var rels = await ReadXmlAsync(source, WorkbookRels, ct);
        var targets = rels.Root!.Elements(PackageRelationships + "Relationship")
            .ToDictionary(r => (string)r.Attribute("Id")!, r => PartName((string)r.Attribute("Target")!));
        var workbook = await ReadXmlAsync(source, WorkbookPart, ct);
        var sheets = new List<Worksheet>();
        foreach (var sheet in workbook.Root!.Element(Main + "sheets")!.Elements(Main + "sheet"))
        {
            var part = targets[(string)sheet.Attribute(Relationships + "id")!];
            await using var stream = await source.GetEntry(part)!.OpenAsync(ct);
            var (head, _) = await ReadHeadAsync(stream, ct);
            var frozen = FrozenPane().Match(Encoding.UTF8.GetString(head));
            var rows = frozen.Success ? int.Parse(frozen.Groups[1].Success ? frozen.Groups[1].Value : frozen.Groups[2].Value) : 0;
            sheets.Add(new Worksheet((string)sheet.Attribute("name")!, part, rows));
        }
        return sheets;
    }

    // A relationship's target is relative to xl/ unless it starts with '/'.
    private static string PartName(string target) => target.StartsWith('/') ? target[1..] : "xl/" + target;

    private static async Task<XDocument> ReadXmlAsync(ZipArchive source, string part, CancellationToken ct)
    {
        var entry = source.GetEntry(part) ?? throw new InvalidDataException($"The workbook package has no {part}.");
        await using var stream = await entry.OpenAsync(ct);
        return await XDocument.LoadAsync(stream, LoadOptions.None, ct);
    }

    /// <summary>Adds a <c>_xlnm.Print_Titles</c> defined name for each sheet that freezes header rows.</summary>
    private static async Task WorkbookAsync(Stream from, Stream to, IReadOnlyList<Worksheet> worksheets, CancellationToken ct)
    {
        var workbook = await XDocument.LoadAsync(from, LoadOptions.None, ct);
        var root = workbook.Root!;
        var names = root.Element(Main + "definedNames");
        if (names is null)
        {
            names = new XElement(Main + "definedNames");
            root.Element(Main + "sheets")!.AddAfterSelf(names);
        }
        for (var i = 0; i < worksheets.Count; i++)
        {
            if (worksheets[i].FrozenRows == 0) continue;
            var quoted = "'" + worksheets[i].Name.Replace("'", "''") + "'";
            names.Add(new XElement(Main + "definedName",
                new XAttribute("name", "_xlnm.Print_Titles"), new XAttribute("localSheetId", i),
                $"{quoted}!$1:${worksheets[i].FrozenRows}"));
        }
        if (!names.HasElements) names.Remove();
        await workbook.SaveAsync(to, SaveOptions.DisableFormatting, ct);
    }

    /// <summary>
    /// Reads a worksheet until its <c>&lt;sheetData</c>: the bytes before it (the head) and any read past it.
    /// </summary>
    private static async Task<(byte[] Head, byte[] Past)> ReadHeadAsync(Stream from, CancellationToken ct)
    {
        var read = new MemoryStream();
        var buffer = new byte[8192];
        int count;
        while ((count = await from.ReadAsync(buffer, ct)) > 0)
        {
            read.Write(buffer, 0, count);
            var at = read.GetBuffer().AsSpan(0, (int)read.Length).IndexOf(SheetDataStart);
            if (at < 0) continue;
            var all = read.ToArray();
            return (all[..at], all[at..]);
        }
        throw new InvalidDataException("A worksheet of the workbook package has no <sheetData>.");
    }

    private static async Task WorksheetAsync(Stream from, Stream to, CancellationToken ct)
    {
        var (head, rest) = await ReadHeadAsync(from, ct);
        await to.WriteAsync(Encoding.UTF8.GetBytes(WithFitToPage(Encoding.UTF8.GetString(head))), ct);

        // The rows pass through; the last bytes of each chunk are held back in case the end tag straddles two.
        var window = new byte[1 << 16];
        var held = rest.Length;
        if (held > window.Length) Array.Resize(ref window, held);
        rest.CopyTo(window, 0);
        var end = window.AsSpan(0, held).StartsWith(EmptySheetData) ? 0 : window.AsSpan(0, held).IndexOf(SheetDataEnd);
        while (end < 0)
        {
            var keep = Math.Min(held, SheetDataEnd.Length - 1);
            await to.WriteAsync(window.AsMemory(0, held - keep), ct);
            window.AsSpan(held - keep, keep).CopyTo(window);
            held = keep;
            var count = await from.ReadAsync(window.AsMemory(held), ct);
            if (count == 0) throw new InvalidDataException("A worksheet of the workbook package has no </sheetData>.");
            held += count;
            end = window.AsSpan(0, held).IndexOf(SheetDataEnd);
        }
        await to.WriteAsync(window.AsMemory(0, end), ct);

        var tail = new MemoryStream();
        tail.Write(window, end, held - end);
        await from.CopyToAsync(tail, ct);
        await to.WriteAsync(Encoding.UTF8.GetBytes(WithPageSetup(Encoding.UTF8.GetString(tail.GetBuffer(), 0, (int)tail.Length))), ct);
    }

    /// <summary>The head with <c>&lt;pageSetUpPr fitToPage="1"/&gt;</c> as the last child of <c>sheetPr</c> (CT_SheetPr's order).</summary>
    internal static string WithFitToPage(string head)
    {
        var worksheet = head.IndexOf("<worksheet", StringComparison.Ordinal);
        if (worksheet < 0) throw new InvalidDataException("A worksheet of the workbook package has no <worksheet> element.");
        var open = head.IndexOf('>', worksheet) + 1;
        var sheetPr = head.IndexOf("<sheetPr", open, StringComparison.Ordinal);
        if (sheetPr < 0 || head.AsSpan(open, sheetPr - open).Trim().Length > 0)
            return head.Insert(open, $"<sheetPr>{FitToPage}</sheetPr>");
        var tagEnd = head.IndexOf('>', sheetPr);
        if (head[tagEnd - 1] == '/')
            return head[..(tagEnd - 1)] + $">{FitToPage}</sheetPr>" + head[(tagEnd + 1)..];
        var close = head.IndexOf("</sheetPr>", tagEnd, StringComparison.Ordinal);
        return head.Insert(close, FitToPage);
    }

    /// <summary>The tail with <c>pageSetup</c> after <c>pageMargins</c> (written too if absent), in CT_Worksheet's order.</summary>
    internal static string WithPageSetup(string tail)
    {
        var margins = tail.IndexOf("<pageMargins", StringComparison.Ordinal);
        if (margins >= 0) return tail.Insert(tail.IndexOf('>', margins) + 1, PageSetup);
        var before = AfterPageSetup.Select(tag => tail.IndexOf(tag, StringComparison.Ordinal)).Where(i => i >= 0).Min();
        return tail.Insert(before, PageMargins + PageSetup);
    }
}
