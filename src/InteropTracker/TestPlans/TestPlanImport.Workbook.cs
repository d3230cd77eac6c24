using InteropTracker.Core;
using System.IO.Compression;
using System.Xml;
using ClosedXML.Excel;

namespace InteropTracker.TestPlans;

// An .xlsx workbook: sheet Plan (key in column A, value in column B; a result attribute is a row attr.<name> with its
// values separated by ";" in column B) and sheet Cases (the Cases table). Places are
// "Cases!F12". The zip is measured by inflating it, and its sheets by reading their XML as a stream, before ClosedXML
// loads it whole: a zip bomb or a sheet of too many rows costs nothing.
public static partial class TestPlanImport
{
    private const long MaxInflatedBytes = 20 * 1024 * 1024;
    private const int MaxZipEntries = 200;
    private const int MaxCompressionRatio = 100;
    private const long RatioCheckedAbove = 1024 * 1024;

    private static Located? ReadWorkbook(byte[] content, ImportErrors errors)
    {
        if (!InflatesWithinLimits(content, errors) || !SheetsWithinLimits(content, errors)) return null;
        XLWorkbook workbook;
        try
        {
            workbook = new XLWorkbook(new MemoryStream(content));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ClosedXML and the Open XML SDK throw many exception types for a malformed package.
            errors.Unreadable("workbook", $"The file is not an Excel workbook that can be read ({e.Message}); save it as .xlsx.");
            return null;
        }
        using (workbook)
        {
            var planSheet = Sheet(workbook, "Plan", errors);
            var casesSheet = Sheet(workbook, "Cases", errors);
            if (planSheet is null || casesSheet is null) return null;
            var plan = ReadPlanSheet(planSheet, errors);
            var table = ReadCasesSheet(casesSheet, errors);
            return table is null ? null : FromTable(plan, table, errors);
        }
    }

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

    /// <summary>The most cells (and rows, and shared strings) a workbook may hold, styled or not: a full Cases sheet and a Plan sheet.</summary>
    private const int MaxWorkbookCells = (MaxRows + 1) * MaxColumns + 1000;

    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>
    /// Reads each sheet's XML as a stream, before ClosedXML loads the workbook whole (as it does, styled empty cells
    /// included): a value past the last row or column that is read is refused at its cell ("Cases!A5003"), and so is a
    /// workbook with more cells, rows or shared strings in all than a full plan has.
    /// </summary>
    private static bool SheetsWithinLimits(byte[] content, ImportErrors errors)
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
                            if (!xml.IsEmptyElement && (row > MaxRows + 1 || column > MaxColumns))
                            {
                                errors.TooLarge($"{sheet}!{reference ?? $"R{row}C{column}"}",
                                    $"The sheet {sheet} has a value in row {row}, column {column}; at most {MaxRows + 1} rows (a header and " +
                                    $"{MaxRows} cases) and {MaxColumns} columns are read. Split the plan; nothing was loaded.");
                                return false;
                            }
                            break;
                        default:
                            continue;
                    }
                    if (++parts > MaxWorkbookCells)
                    {
                        errors.TooLarge(sheet, $"The workbook holds more than {MaxWorkbookCells} cells, rows and strings (at {sheet}); " +
                                               $"a plan of {MaxRows} cases holds fewer. Nothing was loaded.");
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

    private static IXLWorksheet? Sheet(XLWorkbook workbook, string name, ImportErrors errors)
    {
        if (workbook.TryGetWorksheet(name, out var sheet)) return sheet;
        errors.Add("workbook", $"The workbook has no sheet named '{name}'; it needs the sheets Plan (key/value rows) and Cases (one row a case).");
        return null;
    }

    private static LocatedMap ReadPlanSheet(IXLWorksheet sheet, ImportErrors errors)
    {
        var fields = new Dictionary<string, Located>(StringComparer.Ordinal);
        var attributes = new Dictionary<string, Located>(StringComparer.Ordinal);
        var lastRow = sheet.LastRowUsed()?.RowNumber() ?? 0;
        for (var r = 1; r <= Math.Min(lastRow, 100); r++)
        {
            var key = CellText(sheet.Cell(r, 1), errors);
            var name = Clean(key.Text).ToLowerInvariant();
            if (name.Length == 0) continue;
            if (name.StartsWith(ResultAttributes.Prefix, StringComparison.Ordinal))
            {
                if (!attributes.TryAdd(name[ResultAttributes.Prefix.Length..], Split(CellText(sheet.Cell(r, 2), errors), TagSeparators)))
                    errors.Add(key.Place, $"'{name}' appears twice in the Plan sheet.");
            }
            else if (!QueryFields.Contains(name))
                errors.Add(key.Place, $"'{name}' is not a field of the Plan sheet; use {string.Join(", ", QueryFields)} or attr.<name> for a result attribute.");
            else if (!fields.TryAdd(name, CellText(sheet.Cell(r, 2), errors)))
                errors.Add(key.Place, $"'{name}' appears twice in the Plan sheet.");
        }
        if (attributes.Count > 0)
            fields["attributes"] = new LocatedMap($"{sheet.Name}!A1", attributes, f => $"{sheet.Name}!A:B (attr.{f})");
        return new LocatedMap($"{sheet.Name}!A1", fields, f => $"{sheet.Name}!A:B ({f})");
    }

    private static Table? ReadCasesSheet(IXLWorksheet sheet, ImportErrors errors)
    {
        var lastRow = sheet.LastRowUsed()?.RowNumber() ?? 0;
        var lastColumn = sheet.LastColumnUsed()?.ColumnNumber() ?? 0;
        if (lastRow > MaxRows + 1 || lastColumn > MaxColumns)
        {
            errors.TooLarge(sheet.Name, $"The sheet uses {lastRow} rows and {lastColumn} columns; at most {MaxRows + 1} rows and {MaxColumns} columns are read.");
            return null;
        }
        var header = Enumerable.Range(1, lastColumn).Select(c => CellText(sheet.Cell(1, c), errors)).ToList();
        var rows = Enumerable.Range(2, Math.Max(0, lastRow - 1))
            .Select(r => (IReadOnlyList<LocatedText>)Enumerable.Range(1, lastColumn).Select(c => CellText(sheet.Cell(r, c), errors)).ToList())
            .ToList();
        return new Table($"{sheet.Name}!1:1", header, rows);
    }

    private static LocatedText CellText(IXLCell cell, ImportErrors errors)
    {
        var place = $"{cell.Worksheet.Name}!{cell.Address.ToStringRelative()}";
        if (cell.HasFormula)
        {
            errors.Add(place, "Formulas are not read: replace the formula by its value.");
            return new LocatedText(place, "");
        }
        if (cell.DataType == XLDataType.Boolean)
        {
            var value = cell.GetBoolean();
            return new LocatedText(place, value ? "true" : "false", value);
        }
        var text = cell.GetFormattedString();
        return new LocatedText(place, text, TableBoolean(text));
    }
}
