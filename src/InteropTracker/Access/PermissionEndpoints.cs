using InteropTracker.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Access;

/// <summary>The action an endpoint performs, as endpoint metadata (API routes) or an attribute (page handlers).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class PerformsAttribute(Permission permission) : Attribute
{
    public Permission Permission { get; } = permission;
}

/// <summary>The HTTP side of <see cref="Permissions"/>: route policies and the 403 answer.</summary>
public static class PermissionEndpoints
{
    /// <summary>The refusal as the API answers it (403 with the reason), or null when the role may.</summary>
    public static ProblemHttpResult? Refuse(Permission permission, Caller caller) =>
        Permissions.Refusal(permission, caller) is { } why ? Problems.Forbidden(why) : null;

    /// <summary>The authorization policy of an action's routes, named after the action.</summary>
    public static string Policy(Permission permission) => $"permission:{permission}";

    public static void AddPolicies(AuthorizationBuilder builder)
    {
        foreach (var permission in Enum.GetValues<Permission>().Where(Permissions.NeedsSignIn))
            builder.AddPolicy(Policy(permission), p => p.RequireRole(Permissions.RolesFor(permission)));
    }

    /// <summary>Declares the action the routes perform and applies its rule as their authorization policy.</summary>
    public static TBuilder Performs<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new PerformsAttribute(permission));
        return Permissions.NeedsSignIn(permission)
            ? builder.RequireAuthorization(Policy(permission))
            : builder.AllowAnonymous();
    }
}
