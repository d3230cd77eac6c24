using System.Text.Encodings.Web;
using InteropTracker.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace InteropTracker.Access;

/// <summary>
/// Authenticates `Authorization: Bearer &lt;token&gt;`, or the sign-in cookie of the web pages, which carries a sign-in
/// session bound to a token (<see cref="SignInSessions"/>), never the token itself.
/// The cookie is sent by the browser on its own, so it is a CSRF risk wherever no antiforgery token is checked:
/// it authenticates the pages (whose every form checks one) and API reads, never an API write.
/// A bearer token that fails counts against the caller's address (<see cref="FailedAuthenticationThrottle"/>).
/// </summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenCache tokens,
    FailedAuthenticationThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string CookieName = "interop_session";
    public const string SignInPath = "/signin";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            if (token.Length == 0) return AuthenticateResult.NoResult();
            var result = Judge(await tokens.FindAsync(token, Context.RequestAborted), "The token is unknown or has been revoked.");
            if (!result.Succeeded) throttle.RecordFailure(Context);
            return result;
        }
        if (Request.Cookies.TryGetValue(CookieName, out var session) && session.Length > 0)
        {
            if (IsApiWrite(Request))
                return AuthenticateResult.Fail("API writes take the token in the Authorization header, not the sign-in cookie.");
            // A session id is as random as a token and never typed, so a stale one (signed out elsewhere, token revoked)
            // is not a guess and does not count against the address.
            return Judge(await tokens.FindSessionAsync(session, Context.RequestAborted),
                "The sign-in session has ended (signed out, or its token revoked); sign in again with your token.");
        }
        return AuthenticateResult.NoResult();
    }

    private AuthenticateResult Judge(Credential? credential, string unknown)
    {
        if (credential is null) return AuthenticateResult.Fail(unknown);
        if (credential.Refusal(DateTime.UtcNow) is { } refusal) return AuthenticateResult.Fail(refusal);
        return AuthenticateResult.Success(new AuthenticationTicket(credential.Caller.ToPrincipal(SchemeName), SchemeName));
    }

    private static bool IsApiWrite(HttpRequest request) =>
        IsApi(request) && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>The API answers 401 with a problem saying why; a page sends the browser to the sign-in page and back.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!IsApi(Request))
        {
            var back = Request.PathBase + Request.Path + Request.QueryString;
            Response.Redirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(back)}");
            return;
        }
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.AnswerAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            result.Failure?.Message ?? "Send a token as `Authorization: Bearer <token>`; an administrator makes them.");
    }
}
