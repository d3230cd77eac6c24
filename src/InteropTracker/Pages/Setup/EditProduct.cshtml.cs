using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Corrections;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using static InteropTracker.Pages.FormText;

namespace InteropTracker.Pages.Setup;

/// <summary>Chairs correct a product (PATCH /api/products/{key}'s feature): the results it would retire are shown first.</summary>
[Performs(Permission.ManageCatalogue)]
public sealed class EditProductModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    [FromRoute(Name = "key")] public string Key { get; set; } = "";

    [FromQuery] public string? Done { get; set; }

    public Product Product { get; private set; } = null!;

    [BindProperty] public ProductForm Form { get; set; } = new();

    /// <summary>The results the change would retire, when it was refused for them.</summary>
    public Outside? Outside { get; private set; }

    public sealed class ProductForm
    {
        public string? Name { get; set; }
        public string? Version { get; set; }
        public string? Line { get; set; }
        public string? Kind { get; set; }
        public string? Technologies { get; set; }
        public string? Capabilities { get; set; }
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        Form = new ProductForm
        {
            Name = Product.Name, Version = Product.Version, Line = Product.Line, Kind = Product.Kind,
            Technologies = string.Join(", ", Product.Technologies), Capabilities = string.Join(" ", Product.Capabilities),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(bool retire)
    {
        var body = new CatalogueCorrections.ProductChange
        {
            Name = Text(Form.Name), Version = Text(Form.Version), Line = Text(Form.Line), Kind = Text(Form.Kind),
            Technologies = Split(Form.Technologies, ',').ToList(),
            Capabilities = Split(Form.Capabilities, ',', ' ', '\n', '\r', '\t', ';').ToList(),
        };
        var outcome = await FeatureCall.RunAsync(body,
            b => CatalogueCorrections.ChangeProductAsync(Key, b, retire, HttpContext.Caller(), database, plannings, engine));
        if (outcome.Value is { } done)
            return Redirect($"/setup/products/{Uri.EscapeDataString(Key)}/edit?done=" + Uri.EscapeDataString(
                "Saved." + (done.Retired > 0 ? $" {done.Retired} {(done.Retired == 1 ? "result was" : "results were")} retired." : "")));
        var refusal = outcome.Refusal!;
        if (refusal.Kind == RefusalKind.NotFound) return NotFound();
        Outside = Outside.Of(refusal);
        if (Outside is null) refusal.CopyTo(ModelState, nameof(Form));
        Response.StatusCode = refusal.Status();
        return await LoadAsync() ? Page() : NotFound();
    }

    private static IEnumerable<string> Split(string? text, params char[] separators) =>
        (text ?? "").Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<bool> LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        if (await VendorStore.FindProductAsync(connection, Key, HttpContext.Caller()) is not { } product) return false;
        Product = product;
        return true;
    }
}
