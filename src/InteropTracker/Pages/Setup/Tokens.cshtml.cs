using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using static InteropTracker.Pages.FormText;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Setup;

/// <summary>Admins make and revoke tokens through the API's own handlers; a new secret is shown once, on this answer only.</summary>
[Performs(Permission.ManageTokens)]
public sealed class TokensModel(Database database, ChangeFeed changes) : PageModel
{
    public IReadOnlyList<TokensApi.TokenInfo> Tokens { get; private set; } = [];
    public IReadOnlyList<Organization> Organizations { get; private set; } = [];

    /// <summary>The token just made: its secret is on this page and nowhere else.</summary>
    public TokensApi.CreatedToken? Made { get; private set; }

    [BindProperty] public TokenForm Form { get; set; } = new();

    public sealed class TokenForm
    {
        public string? Role { get; set; } = Roles.Engineer;
        public string? Organization { get; set; }
        public string? Name { get; set; }

        /// <summary>The form's date and time, read as UTC; empty: the token works until revoked.</summary>
        public DateTime? ExpiresAt { get; set; }
    }

    [FromQuery] public long? Revoked { get; set; }

    /// <summary>Why a revocation was refused (the last admin token), in the API's words.</summary>
    public string? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await PageAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var body = new TokensApi.CreateToken
        {
            Role = Text(Form.Role), Name = Text(Form.Name),
            Organization = Form.Role == Roles.Engineer && !string.IsNullOrWhiteSpace(Form.Organization) ? Form.Organization : null,
            ExpiresAt = Form.ExpiresAt is { } expiry ? new DateTimeOffset(DateTime.SpecifyKind(expiry, DateTimeKind.Utc)) : null,
        };
        var outcome = await FeatureCall.RunAsync(body, b => TokensApi.CreateAsync(b, HttpContext.Caller(), database));
        if (outcome.Refusal is not { } refusal)
        {
            Made = outcome.Value;
            Form = new TokenForm();
            ModelState.Clear();
        }
        else
        {
            refusal.CopyTo(ModelState, nameof(Form));
            Response.StatusCode = refusal.Status();
        }
        return await PageAsync();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id)
    {
        var outcome = await TokensApi.RevokeAsync(id, HttpContext.Caller(), database, changes);
        if (outcome.Refusal is not { } refusal) return RedirectToPage(new { revoked = id });
        if (refusal.Kind == RefusalKind.NotFound) return NotFound();
        Refusal = refusal.Detail;
        Response.StatusCode = refusal.Status();
        return await PageAsync();
    }

    private async Task<IActionResult> PageAsync()
    {
        Tokens = (await TokensApi.ListAsync(database)).OrderByDescending(t => t.RevokedAt is null).ThenBy(t => t.Id).ToList();
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Organizations = (await VendorStore.ListOrganizationsAsync(connection, HttpContext.Caller())).ToList();
        return Page();
    }
}
