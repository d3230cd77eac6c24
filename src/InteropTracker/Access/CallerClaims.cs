using System.Security.Claims;
using InteropTracker.Core;

namespace InteropTracker.Access;

/// <summary>A <see cref="Caller"/> carried in a signed-in request's claims.</summary>
public static class CallerClaims
{
    public const string TokenIdClaim = "interop:token";
    public const string OrganizationClaim = "interop:organization";

    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(TokenIdClaim) is not { } id) return null;
        var org = user.FindFirstValue(OrganizationClaim);
        return new Caller(long.Parse(id), user.Identity?.Name ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "",
            org is null ? null : long.Parse(org));
    }

    public static ClaimsPrincipal ToPrincipal(this Caller caller, string scheme)
    {
        var claims = new List<Claim>
        {
            new(TokenIdClaim, caller.TokenId.ToString()),
            new(ClaimTypes.Name, caller.Name),
            new(ClaimTypes.Role, caller.Role),
        };
        if (caller.OrganizationId is { } org) claims.Add(new Claim(OrganizationClaim, org.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller of an endpoint that requires authorization; never null there.</summary>
    public static Caller Caller(this HttpContext context) =>
        From(context.User) ?? throw new InvalidOperationException("The endpoint has no authorization policy.");
}
