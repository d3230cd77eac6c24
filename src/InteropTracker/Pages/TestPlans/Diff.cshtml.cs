using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using static InteropTracker.TestPlans.TestPlanStore;

namespace InteropTracker.Pages.TestPlans;

/// <summary>The changes between two versions of a plan, as the API's diff computes them.</summary>
[Performs(Permission.ReadTestPlans)]
public sealed class DiffModel(Database database) : PageModel
{
    [FromRoute] public string Plan { get; set; } = "";
    [FromQuery] public string From { get; set; } = "";
    [FromQuery] public string To { get; set; } = "";

    public TestPlanDiff.Diff Diff { get; private set; } = null!;
    public string Title { get; private set; } = "";
    public string? Missing { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var from = await FindDocumentAsync(connection, Plan, From);
        var to = await FindDocumentAsync(connection, Plan, To);
        if (from is null || to is null || string.IsNullOrWhiteSpace(From) || string.IsNullOrWhiteSpace(To))
        {
            if (await FindDocumentAsync(connection, Plan, null) is null) return NotFound();
            Missing = $"Choose two versions that exist: '{From}' and '{To}' are not both versions of {Plan}.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        var later = TestPlanDocument.FromCanonicalJson(to.Document);
        Title = later.Title;
        Diff = TestPlanDiff.Compare(TestPlanDocument.FromCanonicalJson(from.Document), later);
        return Page();
    }

    /// <summary>A field's value as one line of text.</summary>
    public static string Show(object? value) => value switch
    {
        null => "(none)",
        string s when s.Length == 0 => "(empty)",
        string s => s,
        bool b => b ? "yes" : "no",
        IEnumerable<string> list => list.Any() ? string.Join(" · ", list) : "(none)",
        _ => value.ToString() ?? "",
    };
}
