using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using static InteropTracker.Pages.FormText;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Setup;

/// <summary>Chairs register organizations (vendors) through the API's own handler.</summary>
[Performs(Permission.ManageCatalogue)]
public sealed class OrganizationsModel(Database database) : PageModel
{
    public IReadOnlyList<Organization> Organizations { get; private set; } = [];

    [BindProperty] public OrganizationForm Form { get; set; } = new();

    public sealed class OrganizationForm
    {
        public string? Key { get; set; }
        public string? Name { get; set; }
    }

    [FromQuery] public string? Created { get; set; }
    [FromQuery] public string? Updated { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var body = new VendorsApi.NewOrganization { Key = Text(Form.Key), Name = Text(Form.Name) };
        var outcome = await FeatureCall.RunAsync(body, b => VendorsApi.CreateOrganizationAsync(b, HttpContext.Caller(), database));
        if (outcome.Refusal is not { } refusal) return RedirectToPage(new { created = body.Key });
        refusal.CopyTo(ModelState, nameof(Form));
        if (string.IsNullOrWhiteSpace(Form.Key) && Vocabulary.Slug(Form.Name) is { Length: > 0 } proposed)
        {
            // Proposed for the next post, as the page script proposes it while the name is typed.
            Form.Key = proposed;
            ModelState.Remove($"{nameof(Form)}.{nameof(Form.Key)}");
            ModelState.AddModelError($"{nameof(Form)}.{nameof(Form.Key)}", $"Give the organization a key: '{proposed}', made from its name, is filled in; keep it or change it.");
        }
        Response.StatusCode = refusal.Status();
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Organizations = (await VendorStore.ListOrganizationsAsync(connection, HttpContext.Caller())).ToList();
    }
}
