using System.ComponentModel.DataAnnotations;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>Sign in by pasting a token: it is checked, then kept in an HttpOnly, SameSite=Strict cookie.</summary>
[Performs(Permission.Public)]
public sealed class SignInModel(Database database) : PageModel
{
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(7);

    [BindProperty, Required(ErrorMessage = "Paste your token.")]
    [Display(Name = "Token")]
    public string Token { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public Viewer? Viewer { get; private set; }

    /// <summary>Closed, published events: their anonymised reports are the one thing the public may download.</summary>
    public IReadOnlyList<PublishedEvent> Published { get; private set; } = [];

    public sealed record PublishedEvent
    {
        public string Key { get; init; } = "";
        public string Name { get; init; } = "";
        public string StartDate { get; init; } = "";
        public string EndDate { get; init; } = "";
    }

    public async Task OnGetAsync()
    {
        Viewer = await Viewer.OfAsync(HttpContext);
        await LoadPublishedAsync();
    }

    private async Task LoadPublishedAsync()
    {
        const string sql = """
            SELECT key, name, start_date AS StartDate, end_date AS EndDate
            FROM events WHERE status = 'closed' AND published = 1
            ORDER BY start_date DESC, key
            """;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Published = (await connection.QueryAsync<PublishedEvent>(sql)).AsList();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadPublishedAsync();
        if (!ModelState.IsValid) return Page();

        var token = Token.Trim();
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        if (await Tokens.FindAsync(connection, token) is null)
        {
            ModelState.AddModelError(nameof(Token),
                "This token is unknown or has been revoked. Check that you pasted all of it (it starts with itk_), or ask your chair for a new one.");
            return Page();
        }

        Response.Cookies.Append(TokenAuthentication.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = CookieLifetime,
            IsEssential = true,
        });
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }

    public IActionResult OnPostSignOut()
    {
        Response.Cookies.Delete(TokenAuthentication.CookieName, new CookieOptions
        {
            HttpOnly = true,
            Secure = Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
        });
        return RedirectToPage("/SignIn");
    }
}
