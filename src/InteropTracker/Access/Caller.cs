using System.Security.Claims;

namespace InteropTracker.Access;

/// <summary>Who is calling, as the token says: what every write records and every rule checks.</summary>
public sealed record Caller(long TokenId, string Name, string Role, long? OrganizationId)
{
    public const string TokenIdClaim = "interop:token";
    public const string OrganizationClaim = "interop:organization";

    public bool IsAdmin => Role == Roles.Admin;
    public bool IsEngineer => Role == Roles.Engineer;

    /// <summary>Admins, chairs and members see every event; an engineer only its organization's.</summary>
    public bool SeesEverything => Role is Roles.Admin or Roles.Chair or Roles.Member;

    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(TokenIdClaim) is not { } id) return null;
        var org = user.FindFirstValue(OrganizationClaim);
        return new Caller(long.Parse(id), user.Identity?.Name ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "",
            org is null ? null : long.Parse(org));
    }

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim>
        {
            new(TokenIdClaim, TokenId.ToString()),
            new(ClaimTypes.Name, Name),
            new(ClaimTypes.Role, Role),
        };
        if (OrganizationId is { } org) claims.Add(new Claim(OrganizationClaim, org.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

public static class CallerExtensions
{
    /// <summary>The caller of an endpoint that requires authorization; never null there.</summary>
    public static Caller Caller(this HttpContext context) =>
        Access.Caller.From(context.User) ?? throw new InvalidOperationException("The endpoint has no authorization policy.");
}
