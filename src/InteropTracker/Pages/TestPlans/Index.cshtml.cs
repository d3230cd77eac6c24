using System.ComponentModel.DataAnnotations;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Primitives;
using static InteropTracker.TestPlans.TestPlanStore;

namespace InteropTracker.Pages.TestPlans;

/// <summary>Every test plan, and (for chairs) the upload form that loads a version through the API's import and store.</summary>
[EnableRateLimiting(ImportLimit.Policy)]
[RequestSizeLimit(TestPlanUpload.MaxBytes + 64 * 1024)]
public sealed class IndexModel(Database database) : PageModel
{
    public sealed record PlanListing(string Plan, string Title, string Technology, TestPlanSummary Latest, int Versions);

    public IReadOnlyList<PlanListing> Plans { get; private set; } = [];
    public Viewer Viewer { get; private set; } = null!;

    /// <summary>The import's located errors ("line 14", "Cases!F12": message), shown beside the form.</summary>
    public IReadOnlyList<(string Place, string Message)> ImportErrors { get; private set; } = [];
    public string? UploadProblem { get; private set; }

    [BindProperty, Display(Name = "Test-plan file")]
    public IFormFile? Upload { get; set; }

    /// <summary>A CSV file carries only the cases: the plan's own fields come from these.</summary>
    [BindProperty] public CsvPlanFields Csv { get; set; } = new();

    public sealed class CsvPlanFields
    {
        public string? Plan { get; set; }
        public string? Title { get; set; }
        public string? Version { get; set; }
        public string? Technology { get; set; }
        public string? Source { get; set; }
    }

    [Performs(Permission.ReadTestPlans)]
    public async Task OnGetAsync() => await LoadAsync();

    [Performs(Permission.ManageTestPlans)]
    public async Task<IActionResult> OnPostAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;

        var errors = new ImportErrors();
        var document = await ReadAsync(errors);
        if (document is null)
        {
            Response.StatusCode = errors.Status;
            ImportErrors = errors.Messages.ToList();
            UploadProblem = $"Nothing was loaded: {errors.Count} {(errors.Count == 1 ? "problem" : "problems")} in {Upload?.FileName ?? "the upload"}.";
            await LoadAsync();
            return Page();
        }

        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        await using var transaction = connection.BeginWrite();
        var saved = await SaveAsync(connection, transaction, document, Viewer.Caller.TokenId);
        transaction.Commit();
        if (saved.Outcome == Outcome.Conflict)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            UploadProblem = $"Test plan '{document.Plan}' version '{document.Version}' is already loaded with other content. " +
                            "Versions are immutable: give the revised document a new version.";
            await LoadAsync();
            return Page();
        }
        return RedirectToPage("/TestPlans/Plan", new
        {
            plan = document.Plan,
            version = document.Version,
            loaded = saved.Outcome == Outcome.Created ? "created" : "unchanged",
        });
    }

    private async Task<TestPlanDocument?> ReadAsync(ImportErrors errors) =>
        await TestPlanUpload.Files.ReadFormFileAsync(Upload, errors, HttpContext.RequestAborted) is { } upload
            ? TestPlanImport.Read(upload.Format, upload.Content, CsvQuery(), errors)
            : null;

    /// <summary>The CSV plan fields as the API takes them: in the query string.</summary>
    private QueryCollection CsvQuery()
    {
        var fields = new Dictionary<string, StringValues>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) fields[name] = value.Trim();
        }
        Add("plan", Csv.Plan);
        Add("title", Csv.Title);
        Add("version", Csv.Version);
        Add("technology", Csv.Technology);
        Add("source", Csv.Source);
        return new QueryCollection(fields);
    }

    private async Task LoadAsync()
    {
        Viewer ??= (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Plans = (await ListVersionsAsync(connection))
            .GroupBy(v => v.Plan)
            .Select(g =>
            {
                var versions = g.ToList();
                var latest = versions[^1];
                return new PlanListing(latest.Plan, latest.Title, latest.Technology, latest, versions.Count);
            })
            .OrderBy(p => p.Technology, StringComparer.OrdinalIgnoreCase).ThenBy(p => p.Plan, StringComparer.Ordinal)
            .ToList();
    }
}
