using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using static InteropTracker.TestPlans.TestPlanStore;

namespace InteropTracker.Pages.TestPlans;

/// <summary>One version of a test plan, section by section, with the plan's other versions and the way to compare two.</summary>
[Performs(Permission.ReadTestPlans)]
public sealed class PlanModel(Database database) : PageModel
{
    [FromRoute] public string Plan { get; set; } = "";
    [FromQuery] public string? Version { get; set; }

    /// <summary>Set after an upload: "created" or "unchanged".</summary>
    [FromQuery] public string? Loaded { get; set; }

    public TestPlanDocument Document { get; private set; } = null!;
    public DocumentRow Row { get; private set; } = null!;
    public IReadOnlyList<TestPlanSummary> Versions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var row = await FindDocumentAsync(connection, Plan, string.IsNullOrWhiteSpace(Version) ? null : Version);
        if (row is null) return NotFound();
        Row = row;
        Document = TestPlanDocument.FromCanonicalJson(row.Document);
        Versions = (await ListVersionsAsync(connection)).Where(v => v.Plan == Plan).ToList();
        return Page();
    }
}
