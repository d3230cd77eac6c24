using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace InteropTracker.Access;

/// <summary>
/// Authenticates `Authorization: Bearer &lt;token&gt;`, or the sign-in cookie of the web pages that carries the same token.
/// The cookie is sent by the browser on its own, so it is a CSRF risk wherever no antiforgery token is checked:
/// it authenticates the pages (whose every form checks one) and API reads, never an API write.
/// </summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenCache tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string CookieName = "interop_token";
    public const string SignInPath = "/signin";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = header["Bearer ".Length..].Trim();
        else if (Request.Cookies.TryGetValue(CookieName, out var cookie))
        {
            if (IsApiWrite(Request))
                return AuthenticateResult.Fail("API writes take the token in the Authorization header, not the sign-in cookie.");
            token = cookie;
        }

        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();

        var caller = await tokens.FindAsync(token, Context.RequestAborted);
        return caller is null
            ? AuthenticateResult.Fail("The token is unknown or has been revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    private static bool IsApiWrite(HttpRequest request) =>
        IsApi(request) && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>The API answers 401 with a problem; a page sends the browser to the sign-in page and back.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!IsApi(Request))
        {
            var back = Request.PathBase + Request.Path + Request.QueryString;
            Response.Redirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(back)}");
            return Task.CompletedTask;
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

}
