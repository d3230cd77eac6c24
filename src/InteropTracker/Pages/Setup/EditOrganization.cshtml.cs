using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Corrections;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using static InteropTracker.Pages.FormText;

namespace InteropTracker.Pages.Setup;

/// <summary>Chairs correct an organization's name (PATCH /api/organizations/{key}'s feature).</summary>
[Performs(Permission.ManageCatalogue)]
public sealed class EditOrganizationModel(Database database, PlanningCache plannings) : PageModel
{
    [FromRoute(Name = "key")] public string Key { get; set; } = "";

    public Organization Organization { get; private set; } = null!;

    [BindProperty] public string? Name { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        Name = Organization.Name;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var body = new CatalogueCorrections.OrganizationChange { Name = Text(Name) };
        var outcome = await FeatureCall.RunAsync(body,
            b => CatalogueCorrections.ChangeOrganizationAsync(Key, b, HttpContext.Caller(), database, plannings));
        if (outcome.IsDone) return Redirect("/setup/organizations?updated=" + Uri.EscapeDataString(Key));
        var refusal = outcome.Refusal!;
        if (refusal.Kind == RefusalKind.NotFound) return NotFound();
        foreach (var message in refusal.Messages()) ModelState.AddModelError(nameof(Name), message);
        Response.StatusCode = refusal.Status();
        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        if (await VendorStore.FindOrganizationAsync(connection, Key, HttpContext.Caller()) is not { } organization) return false;
        Organization = organization;
        return true;
    }
}
