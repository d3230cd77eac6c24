using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Registrations;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace InteropTracker.Pages.Setup;

/// <summary>Chairs register many products at once from a CSV or Excel file, through the API's own import.</summary>
[Performs(Permission.ManageCatalogue)]
[EnableRateLimiting(ImportLimit.Policy)]
[RequestSizeLimit(RegistrationUpload.MaxBytes + 64 * 1024)]
public sealed class RegistrationsModel(Database database, PlanningCache plannings) : PageModel
{
    [BindProperty] public IFormFile? Upload { get; set; }

    /// <summary>The import's located errors ("row 7, column capabilities", "Registrations!H7": message), shown beside the form.</summary>
    public IReadOnlyList<(string Place, string Message)> ImportErrors { get; private set; } = [];

    public string? UploadProblem { get; private set; }

    public RegistrationImport.Imported? Imported { get; private set; }

    public string? FileName { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var errors = new ImportErrors();
        FileName = Upload?.FileName;
        var outcome = await RegistrationsApi.ImportAsync(await ReadAsync(errors), errors, HttpContext.Caller(), database, plannings,
            HttpContext.RequestAborted);
        if (outcome.Refusal is { Kind: RefusalKind.Forbidden } forbidden) return StatusCode(StatusCodes.Status403Forbidden, forbidden.Detail);
        if (outcome.Value is { } imported)
        {
            Imported = imported;
            return Page();
        }
        Response.StatusCode = errors.Status;
        ImportErrors = errors.Messages.ToList();
        UploadProblem = $"Nothing was registered: {errors.Count} {(errors.Count == 1 ? "problem" : "problems")} in {FileName ?? "the upload"}. " +
                        "Correct them all and upload the file again.";
        return Page();
    }

    private Task<FileUpload<RegistrationFormat>?> ReadAsync(ImportErrors errors) =>
        RegistrationUpload.Files.ReadFormFileAsync(Upload, errors, HttpContext.RequestAborted);
}
