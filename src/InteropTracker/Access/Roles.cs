namespace InteropTracker.Access;

public static class Roles
{
    public const string Admin = "admin";
    public const string Chair = "chair";
    public const string Engineer = "engineer";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Admin, Chair, Engineer, Member];
}

/// <summary>The authorization policies every endpoint names; DESIGN.md's Access table in code.</summary>
public static class Policies
{
    /// <summary>Creating and revoking tokens.</summary>
    public const string Admin = "admin";

    /// <summary>Test plans, organizations, products, events, participants, status.</summary>
    public const string Chair = "chair";

    /// <summary>Logging, confirming and disputing results (engineers further limited to their organization's pairings).</summary>
    public const string LogResults = "log-results";

    /// <summary>Any signed-in role; engineers further limited to the events their organization takes part in.</summary>
    public const string Read = "read";

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder) => builder
        .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
        .AddPolicy(Chair, p => p.RequireRole(Roles.Admin, Roles.Chair))
        .AddPolicy(LogResults, p => p.RequireRole(Roles.Admin, Roles.Engineer))
        .AddPolicy(Read, p => p.RequireRole(Roles.All.ToArray()));
}
