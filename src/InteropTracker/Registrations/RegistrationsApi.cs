using System.Text;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Registrations;

/// <summary>
/// The /api/registrations routes: chairs register many products at once from a CSV or Excel file (organizations and
/// products created or updated, registered in the events named), and download the file's template.
/// </summary>
public static class RegistrationsApi
{
    public static IEndpointRouteBuilder MapRegistrations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/registrations").WithTags("Registrations").Performs(Permission.ManageCatalogue);
        group.MapPost("/import", Import)
            .WithMetadata(new BodyLimits.Limit(RegistrationUpload.MaxBytes))
            .RequireRateLimiting(ImportLimit.Policy)
            .WithName("ImportRegistrations")
            .WithSummary("Create or update organizations and products from CSV or XLSX (one row a product: organization, organization_name, " +
                         "product, product_name, version, kind, technologies, capabilities, and optionally event and line) and register them " +
                         "in the events named; all rows or none, each error at its row and column.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/template.csv", TemplateCsv).WithName("RegistrationTemplateCsv")
            .WithSummary("The registration file's template as CSV: its header row.");
        group.MapGet("/template.xlsx", TemplateWorkbook).WithName("RegistrationTemplateWorkbook")
            .WithSummary("The registration file's template as an Excel workbook: the Registrations sheet, and the kinds, technologies and capability tags the loaded plans use.");
        return app;
    }

    private static async Task<Results<Ok<RegistrationImport.Imported>, ProblemHttpResult>> Import(HttpRequest request, Database database,
        PlanningCache plannings, CancellationToken ct)
    {
        var caller = request.HttpContext.Caller();
        if (PermissionEndpoints.Refuse(Permission.ManageEvents, caller) is { } forbidden) return forbidden;
        var errors = new ImportErrors();
        var upload = await RegistrationUpload.Files.ReadAsync(request, errors, ct);
        var outcome = await ImportAsync(upload, errors, caller, database, plannings, ct);
        if (outcome.Refusal is { } refusal)
            return refusal.Kind == RefusalKind.Forbidden ? Problems.Of(refusal) : errors.ToProblem("The registrations break the rules");
        return TypedResults.Ok(outcome.Value);
    }

    /// <summary>
    /// The import behind the route and the upload page: the imported counts, or a refusal: forbidden, or one whose
    /// located errors are in <paramref name="errors"/> (nothing was written). A null upload is one that could not be
    /// read, <paramref name="errors"/> saying why.
    /// </summary>
    public static async Task<Outcome<RegistrationImport.Imported>> ImportAsync(FileUpload<RegistrationFormat>? upload, ImportErrors errors,
        Caller caller, Database database, PlanningCache plannings, CancellationToken ct)
    {
        // It registers participants as well as products: both actions' rule applies.
        if ((Permissions.Refusal(Permission.ManageCatalogue, caller) ?? Permissions.Refusal(Permission.ManageEvents, caller)) is { } refused)
            return Refusal.Forbidden(refused);
        var imported = upload is null ? null : await RegistrationImport.ImportAsync(upload, caller, database, plannings, errors, ct);
        if (imported is not null) return imported;
        return Refusal.Unprocessable(errors.Messages.GroupBy(m => m.Place).ToDictionary(g => g.Key, g => g.Select(m => m.Message).ToArray()),
            $"{errors.Count} {(errors.Count == 1 ? "problem" : "problems")} in the file; nothing was registered.");
    }

    private static FileContentHttpResult TemplateCsv() =>
        TypedResults.File(Encoding.UTF8.GetBytes(string.Join(',', RegistrationImport.Columns) + "\r\n"), "text/csv", "registrations.csv");

    private static async Task<FileContentHttpResult> TemplateWorkbook(Database database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var technologies = (await connection.QueryAsync<string>("SELECT DISTINCT technology FROM test_plans ORDER BY technology")).ToList();
        var tags = await VendorStore.KnownTagsAsync(connection);
        return TypedResults.File(Template(technologies, tags), RegistrationUpload.XlsxMediaType, "registrations.xlsx");
    }

    /// <summary>The template: a Registrations sheet with its header (kinds offered as a list), and a sheet of the words to use.</summary>
    public static byte[] Template(IReadOnlyList<string> technologies, IReadOnlyList<string> tags)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet(RegistrationImport.SheetName);
        for (var i = 0; i < RegistrationImport.Columns.Count; i++)
        {
            var cell = sheet.Cell(1, i + 1);
            cell.Value = RegistrationImport.Columns[i];
            cell.Style.Font.Bold = true;
            cell.Style.Fill.BackgroundColor = XLColor.FromHtml("#E8EEFC");
            sheet.Column(i + 1).Width = i is 6 or 7 ? 30 : 18;
        }
        sheet.SheetView.FreezeRows(1);
        // Text cells, so that Excel keeps what is typed: a version 1.0 stays "1.0" rather than becoming the number 1.
        sheet.Range(2, 1, RegistrationImport.MaxRows + 1, RegistrationImport.Columns.Count).Style.NumberFormat.Format = "@";
        var kindColumn = RegistrationImport.Columns.ToList().IndexOf("kind") + 1;
        sheet.Range(2, kindColumn, RegistrationImport.MaxRows + 1, kindColumn).SetDataValidation()
            .List($"\"{string.Join(',', VendorStore.Kinds)}\"", true);

        var words = workbook.AddWorksheet("Vocabulary");
        string[] headings = ["kind", "technology", "capability tag"];
        for (var i = 0; i < headings.Length; i++)
        {
            words.Cell(1, i + 1).Value = headings[i];
            words.Cell(1, i + 1).Style.Font.Bold = true;
            words.Column(i + 1).Width = 24;
        }
        for (var i = 0; i < VendorStore.Kinds.Count; i++) words.Cell(i + 2, 1).Value = VendorStore.Kinds[i];
        for (var i = 0; i < technologies.Count; i++) words.Cell(i + 2, 2).Value = technologies[i];
        for (var i = 0; i < tags.Count; i++) words.Cell(i + 2, 3).Value = tags[i];
        var notes = words.Cell(1, 5);
        notes.Value = "One row a product on the Registrations sheet. Technologies and capability tags separated by ';'. " +
                      "organization_name is needed for a new organization; event (optional) registers the product in that event; " +
                      "line (optional) ties the product across its versions (its key if empty). Only the tags listed here are accepted.";
        words.Column(5).Width = 80;
        notes.Style.Alignment.WrapText = true;

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
