using ClosedXML.Excel;
using InteropTracker.TestPlans;

namespace InteropTracker.Registrations;

// An .xlsx workbook: the sheet named Registrations (or the first sheet), a header row then one row a product. Places
// are "Registrations!H7". WorkbookGuard measures the zip and its sheets before ClosedXML loads it whole.
public static partial class RegistrationImport
{
    public const string SheetName = "Registrations";

    private static Table? ReadWorkbook(byte[] content, ImportErrors errors)
    {
        if (WorkbookGuard.Open(content, errors, MaxRows, MaxColumns, "products", "Split it into several files") is not { } workbook) return null;
        using (workbook)
        {
            if (!workbook.TryGetWorksheet(SheetName, out var sheet)) sheet = workbook.Worksheets.FirstOrDefault();
            if (sheet is null)
            {
                errors.Unreadable("workbook", $"The workbook has no sheet; put the registrations in a sheet named {SheetName}.");
                return null;
            }
            var lastRow = sheet.LastRowUsed()?.RowNumber() ?? 0;
            var lastColumn = sheet.LastColumnUsed()?.ColumnNumber() ?? 0;
            if (lastRow == 0)
            {
                errors.Unreadable($"{sheet.Name}!A1", "The sheet is empty: the first row names the columns.");
                return null;
            }
            var header = Enumerable.Range(1, lastColumn).Select(c => CellText(sheet.Cell(1, c), errors)).ToList();
            var rows = Enumerable.Range(2, Math.Max(0, lastRow - 1))
                .Select(r => (IReadOnlyList<Cell>)Enumerable.Range(1, lastColumn).Select(c => CellText(sheet.Cell(r, c), errors)).ToList())
                .ToList();
            return new Table($"{sheet.Name}!1:1", header, rows);
        }
    }

    private static Cell CellText(IXLCell cell, ImportErrors errors)
    {
        var place = $"{cell.Worksheet.Name}!{cell.Address.ToStringRelative()}";
        if (!cell.HasFormula) return new Cell(place, cell.GetFormattedString());
        errors.Add(place, "Formulas are not read: replace the formula by its value.");
        return new Cell(place, "");
    }
}
