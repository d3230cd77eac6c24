using System.IO.Compression;
using ClosedXML.Excel;
using System.Xml;

namespace InteropTracker.TestPlans;

/// <summary>
/// Measures an uploaded .xlsx before ClosedXML loads it whole (as it does, styled empty cells included): the zip by
/// inflating it, its sheets by reading their XML as a stream, so that a zip bomb or a sheet of too many rows costs
/// nothing. Used by every workbook import (test plans, registrations).
/// </summary>
public static class WorkbookGuard
{
    private const long MaxInflatedBytes = 20 * 1024 * 1024;
    private const int MaxZipEntries = 200;
    private const int MaxCompressionRatio = 100;
    private const long RatioCheckedAbove = 1024 * 1024;

    /// <summary>True when the workbook is within the limits; else <paramref name="errors"/> says which it crosses, where.</summary>
    /// <param name="rowsAre">What a row holds, for the messages ("cases").</param>
    /// <param name="advice">What to do with a file too large ("Split the plan").</param>
    /// <summary>
    /// The workbook, opened by ClosedXML once it is measured within the limits; null when it is over one or cannot be read
    /// (<paramref name="errors"/> says why). The caller disposes it.
    /// </summary>
    public static XLWorkbook? Open(byte[] content, ImportErrors errors, int maxRows, int maxColumns, string rowsAre, string advice)
    {
        if (!WithinLimits(content, errors, maxRows, maxColumns, rowsAre, advice)) return null;
        try
        {
            return new XLWorkbook(new MemoryStream(content));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ClosedXML and the Open XML SDK throw many exception types for a malformed package.
            errors.Unreadable("workbook", $"The file is not an Excel workbook that can be read ({e.Message}); save it as .xlsx.");
            return null;
        }
    }

    private static bool WithinLimits(byte[] content, ImportErrors errors, int maxRows, int maxColumns, string rowsAre, string advice) =>
        InflatesWithinLimits(content, errors) && SheetsWithinLimits(content, errors, maxRows, maxColumns, rowsAre, advice);

    /// <summary>Inflates every part of the zip, counting, and stops at the first limit crossed.</summary>
    private static bool InflatesWithinLimits(byte[] content, ImportErrors errors)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
            if (zip.Entries.Count > MaxZipEntries)
            {
                errors.TooLarge("workbook", $"The workbook has {zip.Entries.Count} parts; at most {MaxZipEntries} are read.");
                return false;
            }
            var buffer = new byte[81920];
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                long inflated = 0;
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    inflated += read;
                    total += read;
                    if (total > MaxInflatedBytes)
                    {
                        errors.TooLarge("workbook", $"The workbook inflates to more than {MaxInflatedBytes / (1024 * 1024)} MB (at part {entry.FullName}); at most that is read.");
                        return false;
                    }
                }
                if (inflated > RatioCheckedAbove && inflated > entry.CompressedLength * MaxCompressionRatio)
                {
                    errors.TooLarge("workbook", $"The workbook part {entry.FullName} inflates more than {MaxCompressionRatio} times; it is not read.");
                    return false;
                }
            }
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            errors.Unreadable("workbook", $"The file is not an .xlsx workbook (a zip package): {e.Message}");
            return false;
        }
    }

    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>
    /// Reads each sheet's XML as a stream, before ClosedXML loads the workbook whole (as it does, styled empty cells
    /// included): a value past the last row or column that is read is refused at its cell ("Cases!A5003"), and so is a
    /// workbook with more cells, rows or shared strings in all than a full plan has.
    /// </summary>
    private static bool SheetsWithinLimits(byte[] content, ImportErrors errors, int maxRows, int maxColumns, string rowsAre, string advice)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content), ZipArchiveMode.Read);
            var names = SheetNames(zip);
            long parts = 0;
            foreach (var entry in zip.Entries)
            {
                var isSheet = entry.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && entry.FullName.EndsWith(".xml", StringComparison.Ordinal);
                if (!isSheet && entry.FullName != "xl/sharedStrings.xml") continue;
                var sheet = names.GetValueOrDefault(entry.FullName, entry.FullName);
                using var xml = XmlReader.Create(entry.Open(), new XmlReaderSettings
                {
                    DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true, IgnoreWhitespace = true,
                });
                int row = 0, column = 0;
                var maxCells = (maxRows + 1) * maxColumns + 1000;
                while (xml.Read())
                {
                    if (xml.NodeType != XmlNodeType.Element) continue;
                    switch (xml.LocalName)
                    {
                        case "si":
                        case "row" when isSheet:
                            if (xml.LocalName == "row") (row, column) = (int.TryParse(xml.GetAttribute("r"), out var r) ? r : row + 1, 0);
                            break;
                        case "c" when isSheet:
                            var reference = xml.GetAttribute("r");
                            (column, row) = reference is null ? (column + 1, row) : CellAt(reference, row);
                            // An empty element is a cell with a style and no value: loaded, but not a row or column used.
                            if (!xml.IsEmptyElement && (row > maxRows + 1 || column > maxColumns))
                            {
                                errors.TooLarge($"{sheet}!{reference ?? $"R{row}C{column}"}",
                                    $"The sheet {sheet} has a value in row {row}, column {column}; at most {maxRows + 1} rows (a header and " +
                                    $"{maxRows} {rowsAre}) and {maxColumns} columns are read. {advice}; nothing was loaded.");
                                return false;
                            }
                            break;
                        default:
                            continue;
                    }
                    if (++parts > maxCells)
                    {
                        errors.TooLarge(sheet, $"The workbook holds more than {maxCells} cells, rows and strings (at {sheet}); " +
                                               $"a file of {maxRows} {rowsAre} holds fewer. Nothing was loaded.");
                        return false;
                    }
                }
            }
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or XmlException or IOException)
        {
            errors.Unreadable("workbook", $"The workbook's sheets cannot be read as XML: {e.Message}");
            return false;
        }
    }

    /// <summary>The column and row of a reference such as "AB12"; a reference without a row keeps <paramref name="row"/>.</summary>
    private static (int Column, int Row) CellAt(string reference, int row)
    {
        var column = 0;
        var i = 0;
        for (; i < reference.Length && char.IsAsciiLetter(reference[i]); i++)
            column = Math.Min(column * 26 + (char.ToUpperInvariant(reference[i]) - 'A' + 1), 1 << 20);
        return (column, int.TryParse(reference.AsSpan(i), out var r) ? r : row);
    }

    /// <summary>Each worksheet part's sheet name, from xl/workbook.xml and its relationships; a part not found keeps its path.</summary>
    private static Dictionary<string, string> SheetNames(ZipArchive zip)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (zip.GetEntry("xl/workbook.xml") is not { } workbook || zip.GetEntry("xl/_rels/workbook.xml.rels") is not { } relationships)
            return names;
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, IgnoreComments = true, IgnoreWhitespace = true };
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var xml = XmlReader.Create(relationships.Open(), settings))
            while (xml.ReadToFollowing("Relationship", "http://schemas.openxmlformats.org/package/2006/relationships"))
                if (xml.GetAttribute("Id") is { } id && xml.GetAttribute("Target") is { } target)
                    targets[id] = target.StartsWith('/') ? target[1..] : "xl/" + target;
        using (var xml = XmlReader.Create(workbook.Open(), settings))
            while (xml.ReadToFollowing("sheet", "http://schemas.openxmlformats.org/spreadsheetml/2006/main"))
                if (xml.GetAttribute("name") is { } name && xml.GetAttribute("id", RelationshipsNamespace) is { } id
                    && targets.TryGetValue(id, out var part))
                    names[part] = name;
        return names;
    }
}
