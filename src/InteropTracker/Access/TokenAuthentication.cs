using System.Text.Encodings.Web;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace InteropTracker.Access;

/// <summary>Authenticates `Authorization: Bearer &lt;token&gt;`, or the sign-in cookie of the web pages that carries the same token.</summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Database database)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";
    public const string CookieName = "interop_token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = header["Bearer ".Length..].Trim();
        else if (Request.Cookies.TryGetValue(CookieName, out var cookie))
            token = cookie;

        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();

        await using var connection = await database.OpenAsync(Context.RequestAborted);
        var caller = await Tokens.FindAsync(connection, token);
        return caller is null
            ? AuthenticateResult.Fail("The token is unknown or has been revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
