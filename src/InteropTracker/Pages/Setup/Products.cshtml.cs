using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using static InteropTracker.Pages.FormText;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Setup;

/// <summary>Chairs register products with their technologies and capability tags, through the API's own handler.</summary>
[Performs(Permission.ManageCatalogue)]
public sealed class ProductsModel(Database database) : PageModel
{
    public IReadOnlyList<Product> Products { get; private set; } = [];
    public IReadOnlyList<Organization> Organizations { get; private set; } = [];

    /// <summary>The technologies of the loaded plans, offered as check boxes.</summary>
    public IReadOnlyList<string> KnownTechnologies { get; private set; } = [];

    /// <summary>Every capability tag a loaded plan's case asks for: the vocabulary to declare from.</summary>
    public IReadOnlyList<string> KnownTags { get; private set; } = [];

    [BindProperty] public ProductForm Form { get; set; } = new();

    public sealed class ProductForm
    {
        public string? Key { get; set; }
        public string? Organization { get; set; }
        public string? Name { get; set; }
        public string? Version { get; set; }
        public string? Line { get; set; }
        public string? Kind { get; set; } = "endpoint";
        public List<string> Technologies { get; set; } = [];
        public string? OtherTechnologies { get; set; }
        public string? Capabilities { get; set; }
    }

    [FromQuery] public string? Created { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var body = new VendorsApi.NewProduct
        {
            Key = Text(Form.Key), Organization = Text(Form.Organization), Name = Text(Form.Name), Version = Text(Form.Version),
            Line = string.IsNullOrWhiteSpace(Form.Line) ? null : Text(Form.Line), Kind = Text(Form.Kind),
            Technologies = Form.Technologies.Concat(Split(Form.OtherTechnologies, ',')).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            Capabilities = Split(Form.Capabilities, ',', ' ', '\n', '\r', '\t', ';').ToList(),
        };
        var outcome = await FeatureCall.RunAsync(() => VendorsApi.CreateProductAsync(body, HttpContext.Caller(), database));
        if (outcome.Refusal is not { } refusal) return RedirectToPage(new { created = body.Key });
        refusal.CopyTo(ModelState, nameof(Form));
        ProposeKey();
        Response.StatusCode = refusal.Status();
        await LoadAsync();
        return Page();
    }

    /// <summary>
    /// A form sent without a key gets one proposed from the name, filled in for the next post (the page script does the
    /// same as the name is typed).
    /// </summary>
    private void ProposeKey()
    {
        if (!string.IsNullOrWhiteSpace(Form.Key) || Vocabulary.Slug(Form.Name) is not { Length: > 0 } proposed) return;
        Form.Key = proposed;
        ModelState.Remove($"{nameof(Form)}.{nameof(Form.Key)}");
        ModelState.AddModelError($"{nameof(Form)}.{nameof(Form.Key)}", $"Give the product a key: '{proposed}', made from its name, is filled in; keep it or change it.");
    }

    private static IEnumerable<string> Split(string? text, params char[] separators) =>
        (text ?? "").Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Products = await VendorStore.ListProductsAsync(connection, null, HttpContext.Caller());
        Organizations = (await VendorStore.ListOrganizationsAsync(connection, HttpContext.Caller())).ToList();
        KnownTechnologies = (await connection.QueryAsync<string>("SELECT DISTINCT technology FROM test_plans ORDER BY technology")).ToList();
        KnownTags = await VendorStore.KnownTagsAsync(connection);
    }
}
