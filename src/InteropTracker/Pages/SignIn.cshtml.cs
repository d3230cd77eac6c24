using System.ComponentModel.DataAnnotations;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>
/// Sign in by pasting a token: it is checked, then a sign-in session bound to it is started and its id (not the token)
/// kept in an HttpOnly, SameSite=Strict cookie. Signing out ends the session on the server, not only in this browser.
/// </summary>
[Performs(Permission.Public)]
public sealed class SignInModel(Database database, ChangeFeed changes, FailedAuthenticationThrottle throttle) : PageModel
{
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

    /// <summary>The form again, with the published reports it lists: only when the page is shown, not on a redirect.</summary>
    private async Task<IActionResult> PageAsync()
    {
        await LoadPublishedAsync();
        return Page();
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
        if (!ModelState.IsValid) return await PageAsync();

        if (throttle.IsBlocked(HttpContext, out var retryAfter))
        {
            ModelState.AddModelError(nameof(Token), FailedAuthenticationThrottle.Detail(retryAfter));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = FailedAuthenticationThrottle.Seconds(retryAfter);
            return await PageAsync();
        }

        var token = Token.Trim();
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var credential = await Tokens.FindAsync(connection, token);
        var refusal = credential is null
            ? "This token is unknown or has been revoked. Check that you pasted all of it (it starts with itk_), or ask your chair for a new one."
            : credential.Refusal(DateTime.UtcNow);
        if (refusal is not null)
        {
            throttle.RecordFailure(HttpContext);
            ModelState.AddModelError(nameof(Token), refusal);
            return await PageAsync();
        }

        var session = await SignInSessions.StartAsync(connection, credential!.Caller.TokenId);
        Response.Cookies.Append(TokenAuthentication.CookieName, session.Id, CookieOptions(session.ExpiresAt));
        // An engineer comes to log results: its pairings are the landing page; every other role lands on the events.
        var landing = credential.Caller.IsEngineer ? "/my-pairings" : "/";
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : landing);
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        if (Request.Cookies.TryGetValue(TokenAuthentication.CookieName, out var session) && session.Length > 0)
        {
            await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
            await SignInSessions.EndAsync(connection, session, changes);
        }
        Response.Cookies.Delete(TokenAuthentication.CookieName, CookieOptions(expiresAt: null));
        return RedirectToPage("/SignIn");
    }

    // Secure whenever the request is HTTPS, as seen through a trusted proxy's forwarded headers (see TrustedProxies).
    private CookieOptions CookieOptions(DateTime? expiresAt) => new()
    {
        HttpOnly = true,
        Secure = Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expiresAt,
        IsEssential = true,
    };
}
