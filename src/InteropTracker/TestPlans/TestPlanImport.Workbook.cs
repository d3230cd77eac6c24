using InteropTracker.Core;
using ClosedXML.Excel;

namespace InteropTracker.TestPlans;

// An .xlsx workbook: sheet Plan (key in column A, value in column B; a result attribute is a row attr.<name> with its
// values separated by ";" in column B) and sheet Cases (the Cases table). Places are "Cases!F12". WorkbookGuard
// measures the zip and its sheets before ClosedXML loads it whole.
public static partial class TestPlanImport
{
    private static Located? ReadWorkbook(byte[] content, ImportErrors errors)
    {
        if (WorkbookGuard.Open(content, errors, MaxRows, MaxColumns, "cases", "Split the plan") is not { } workbook) return null;
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
