using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;

namespace InteropTracker.Pages;

/// <summary>The signed-in caller as the pages show them: with their organization's name, and what their role lets them do.</summary>
public sealed record Viewer(Caller Caller, string? OrganizationKey, string? OrganizationName)
{
    public string Name => Caller.Name;
    public string Role => Caller.Role;

    /// <summary>Test plans, organizations, products, events, participants, status.</summary>
    public bool IsChair => Permissions.Refusal(Permission.ManageEvents, Caller) is null;

    /// <summary>May log results at all; an engineer only for its organization's pairings.</summary>
    public bool LogsResults => Permissions.Refusal(Permission.LogResults, Caller) is null;

    /// <summary>Whether this viewer may write results for a pairing of products of these organizations (as the API decides).</summary>
    public bool MayLog(long initiatorOrganization, long responderOrganization) =>
        Permissions.WhyCannotLog(Caller, initiatorOrganization, responderOrganization, "") is null;

    private sealed record OrganizationRow
    {
        public string Key { get; init; } = "";
        public string Name { get; init; } = "";
    }

    /// <summary>The viewer of this request, loaded once; null when nobody is signed in.</summary>
    public static async Task<Viewer?> OfAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(typeof(Viewer), out var known)) return (Viewer?)known;
        Viewer? viewer = null;
        if (CallerClaims.From(context.User) is { } caller)
        {
            OrganizationRow? organization = null;
            if (caller.OrganizationId is { } id)
            {
                var database = context.RequestServices.GetRequiredService<Database>();
                await using var connection = await database.OpenAsync(context.RequestAborted);
                organization = await connection.QuerySingleOrDefaultAsync<OrganizationRow>(
                    "SELECT key, name FROM organizations WHERE id = @id", new { id });
            }
            viewer = new Viewer(caller, organization?.Key, organization?.Name);
        }
        context.Items[typeof(Viewer)] = viewer;
        return viewer;
    }
}
