using ClosedXML.Excel;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using InteropTracker.Reports;

namespace InteropTracker.Tests.Reports;

/// <summary>The workbook as it comes out of a printer: landscape, one page wide, header rows on every page.</summary>
public class WorkbookPrintTests
{
    private static async Task<byte[]> WorkbookAsync(bool anonymise, int rowsPerResultsSheet)
    {
        using var stream = new MemoryStream();
        await ExcelReport.WriteAsync(ReportSample.Make().Model(anonymise), stream, rowsPerResultsSheet, CancellationToken.None);
        return stream.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_sheet_prints_landscape_one_page_wide_with_its_frozen_header_rows_on_every_page(bool anonymise)
    {
        using var book = new XLWorkbook(new MemoryStream(await WorkbookAsync(anonymise, rowsPerResultsSheet: 40)));

        Assert.True(book.Worksheets.Count >= 6);
        if (!anonymise) Assert.Contains(book.Worksheets, s => s.Name == "Results 2");
        var titled = 0;
        foreach (var sheet in book.Worksheets)
        {
            var setup = sheet.PageSetup;
            Assert.True(XLPageOrientation.Landscape == setup.PageOrientation, $"{sheet.Name} is not landscape");
            Assert.True(setup.PagesWide == 1, $"{sheet.Name} prints {setup.PagesWide} pages wide");
            Assert.True(setup.PagesTall == 0, $"{sheet.Name} is squeezed to {setup.PagesTall} pages tall");
            var frozen = sheet.SheetView.SplitRow;
            if (frozen == 0)
            {
                Assert.Equal(0, setup.FirstRowToRepeatAtTop);
                continue;
            }
            Assert.True(setup.FirstRowToRepeatAtTop == 1, $"{sheet.Name} repeats from row {setup.FirstRowToRepeatAtTop}");
            Assert.True(setup.LastRowToRepeatAtTop == frozen, $"{sheet.Name} repeats to row {setup.LastRowToRepeatAtTop}, freezes {frozen}");
            titled++;
        }
        Assert.True(titled >= 4, $"only {titled} sheets repeat header rows");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_package_is_valid_against_the_spreadsheet_schema(bool anonymise)
    {
        using var stream = new MemoryStream(await WorkbookAsync(anonymise, rowsPerResultsSheet: 40));
        using var document = SpreadsheetDocument.Open(stream, isEditable: false);

        var errors = new OpenXmlValidator().Validate(document).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        using var book = new XLWorkbook(new MemoryStream(stream.ToArray()));
        foreach (var sheet in book.Worksheets) Assert.True(sheet.LastRowUsed() is not null, $"{sheet.Name} came back empty");
    }

    [Theory]
    [InlineData("""<?xml version="1.0" encoding="utf-8"?><worksheet xmlns="m"><sheetViews/>""",
        """<?xml version="1.0" encoding="utf-8"?><worksheet xmlns="m"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews/>""")]
    [InlineData("""<worksheet xmlns="m"><sheetPr><tabColor rgb="FF00FF00"/></sheetPr><dimension/>""",
        """<worksheet xmlns="m"><sheetPr><tabColor rgb="FF00FF00"/><pageSetUpPr fitToPage="1"/></sheetPr><dimension/>""")]
    [InlineData("""<worksheet xmlns="m"><sheetPr filterMode="1"/><dimension/>""",
        """<worksheet xmlns="m"><sheetPr filterMode="1"><pageSetUpPr fitToPage="1"/></sheetPr><dimension/>""")]
    public void Fit_to_page_goes_in_sheetPr_first_under_worksheet(string head, string expected) =>
        Assert.Equal(expected, PrintSetup.WithFitToPage(head));

    [Theory]
    [InlineData("</sheetData><mergeCells/></worksheet>",
        """</sheetData><mergeCells/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>""")]
    [InlineData("""</sheetData><pageMargins left="1" right="1" top="1" bottom="1" header="0" footer="0"/><drawing r:id="x"/></worksheet>""",
        """</sheetData><pageMargins left="1" right="1" top="1" bottom="1" header="0" footer="0"/><pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/><drawing r:id="x"/></worksheet>""")]
    [InlineData("""<sheetData/><tableParts count="1"/></worksheet>""",
        """<sheetData/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/><tableParts count="1"/></worksheet>""")]
    public void Page_setup_follows_the_margins_before_anything_the_schema_puts_after_it(string tail, string expected) =>
        Assert.Equal(expected, PrintSetup.WithPageSetup(tail));
}
