using System.ComponentModel.DataAnnotations;
using InteropTracker.Access;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>Sign in by pasting a token: it is checked, then kept in an HttpOnly, SameSite=Strict cookie.</summary>
public sealed class SignInModel(Database database) : PageModel
{
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(7);

    [BindProperty, Required(ErrorMessage = "Paste your token.")]
    [Display(Name = "Token")]
    public string Token { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public Viewer? Viewer { get; private set; }

    public async Task OnGetAsync() => Viewer = await Viewer.OfAsync(HttpContext);

    public async Task<IActionResult> OnPostAsync()
    {
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
