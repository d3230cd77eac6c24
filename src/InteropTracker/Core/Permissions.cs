namespace InteropTracker.Core;

/// <summary>
/// Everything a caller can do here, one name per action. Every door to an action (API route, page handler, import)
/// declares the action it performs, and the feature function that performs it checks <see cref="Permissions.Refusal"/>.
/// </summary>
public enum Permission
{
    /// <summary>Anyone, signed in or not: health, the OpenAPI document, sign-in and error pages, static files.</summary>
    Public,
    /// <summary>Create, list and revoke tokens.</summary>
    ManageTokens,
    /// <summary>Load test-plan versions.</summary>
    ManageTestPlans,
    /// <summary>Register organizations and products.</summary>
    ManageCatalogue,
    /// <summary>Set up events, register participants, open, close and publish.</summary>
    ManageEvents,
    /// <summary>Withdraw the publication of a published event.</summary>
    Unpublish,
    /// <summary>Log results, one at a time or imported; an engineer only for its organization's pairings.</summary>
    LogResults,
    /// <summary>Confirm or dispute a result; an engineer only the other side's.</summary>
    ReviewResults,
    /// <summary>Events, their participants, results and numbers; an engineer only its organization's events.</summary>
    ReadEvents,
    /// <summary>Test plans and their versions.</summary>
    ReadTestPlans,
    /// <summary>Organizations and products; an engineer only its own and those of its events' participants.</summary>
    ReadCatalogue,
    /// <summary>The final reports; anonymous callers only the anonymised report of a closed, published event.</summary>
    DownloadReports,
    /// <summary>Build or re-plan an event's timetable of test sessions.</summary>
    BuildSchedule,
    /// <summary>An event's timetable; an engineer only its organization's products' sessions.</summary>
    ReadSchedule,
    /// <summary>
    /// A result's evidence files: only engineers of its two organizations, chairs and admins. Every signed-in role reaches
    /// the routes; the feature answers anyone else as if there were no such result, so that evidence's existence does
    /// not leak (<see cref="Permissions.WhyCannotSeeEvidence"/>).
    /// </summary>
    ReadEvidence,
    /// <summary>Attach evidence to a result or remove it; an engineer only for its organization's pairings.</summary>
    AttachEvidence,
    /// <summary>What changed between events and a product line's record across them; an engineer only over its organization's events.</summary>
    ReadHistory,
    /// <summary>An event's audit log: every write, who, when, before and after.</summary>
    ReadAudit,
    /// <summary>Reopen a closed event (closed → open): its results were final.</summary>
    ReopenEvents,
}

/// <summary>DESIGN.md's Access table, once: which roles may perform each action at all.</summary>
public static class Permissions
{
    private static readonly string[] Nobody = [];
    private static readonly string[] Admins = [Roles.Admin];
    private static readonly string[] Chairs = [Roles.Admin, Roles.Chair];
    private static readonly string[] Engineers = [Roles.Admin, Roles.Engineer];

    /// <summary>The roles allowed the action; empty for an action that needs no sign-in.</summary>
    public static IReadOnlyList<string> RolesFor(Permission permission) => permission switch
    {
        Permission.Public => Nobody,
        Permission.ManageTokens or Permission.Unpublish or Permission.ReopenEvents => Admins,
        Permission.ManageTestPlans or Permission.ManageCatalogue or Permission.ManageEvents or Permission.ReadAudit => Chairs,
        Permission.LogResults or Permission.ReviewResults or Permission.AttachEvidence => Engineers,
        Permission.ReadEvents or Permission.ReadTestPlans or Permission.ReadCatalogue or Permission.ReadEvidence => Roles.All,
        // Anonymous callers reach the downloads; the handler gives them only a published event's anonymised report.
        Permission.DownloadReports => Nobody,
        Permission.ReadHistory => Roles.All,
        Permission.BuildSchedule => Chairs,
        Permission.ReadSchedule => Roles.All,
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, "An action with no access rule."),
    };

    /// <summary>Whether the action needs a signed-in caller before its own rule looks further.</summary>
    public static bool NeedsSignIn(Permission permission) => RolesFor(permission).Count > 0;

    /// <summary>Why the caller may not perform the action at all; null when its role may (the feature may still limit the scope).</summary>
    public static string? Refusal(Permission permission, Caller? caller)
    {
        var roles = RolesFor(permission);
        if (roles.Count == 0) return null;
        if (caller is null) return "Sign in with a token first.";
        if (roles.Contains(caller.Role)) return null;
        return $"Your role ({caller.Role}) may not {What(permission)}; {Who(roles)} may.";
    }

    /// <summary>
    /// Why the caller may not log a result for a pairing of products of these organizations; null when it may. An
    /// engineer logs only the pairings its organization takes part in. <paramref name="pairing"/> names the pairing
    /// for the answer, such as "a1 (acme) → b1 (globex)".
    /// </summary>
    public static string? WhyCannotLog(Caller caller, long initiatorOrganization, long responderOrganization, string pairing)
    {
        if (Refusal(Permission.LogResults, caller) is { } why) return why;
        if (caller.IsEngineer && caller.OrganizationId != initiatorOrganization && caller.OrganizationId != responderOrganization)
            return $"You log only pairings your organization takes part in; {pairing} is not one of them.";
        return null;
    }

    /// <summary>
    /// Why the caller may not see the evidence of a result pairing products of these organizations; null when it may:
    /// chairs, admins, and engineers of either organization (not members: evidence is the two sides' working material).
    /// </summary>
    public static string? WhyCannotSeeEvidence(Caller caller, long initiatorOrganization, long responderOrganization)
    {
        if (Refusal(Permission.ReadEvidence, caller) is { } why) return why;
        if (caller.IsAdmin || caller.Role == Roles.Chair) return null;
        if (caller.IsEngineer && (caller.OrganizationId == initiatorOrganization || caller.OrganizationId == responderOrganization))
            return null;
        return "Only the engineers of the pairing's two organizations, chairs and admins see its evidence.";
    }

    private static string What(Permission permission) => permission switch
    {
        Permission.ManageTokens => "create or revoke tokens",
        Permission.ManageTestPlans => "load test plans",
        Permission.ManageCatalogue => "register organizations or products",
        Permission.ManageEvents => "set up events, their participants or status",
        Permission.Unpublish => "withdraw the publication of a published event",
        Permission.ReopenEvents => "reopen a closed event",
        Permission.LogResults => "log results",
        Permission.ReviewResults => "confirm or dispute results",
        Permission.ReadEvents => "read events",
        Permission.ReadTestPlans => "read test plans",
        Permission.ReadCatalogue => "read organizations and products",
        Permission.BuildSchedule => "build an event's timetable",
        Permission.ReadSchedule => "read an event's timetable",
        Permission.AttachEvidence => "attach or remove evidence",
        Permission.ReadHistory => "read the history across events",
        Permission.ReadAudit => "read an event's audit log",
        _ => permission.ToString(),
    };

    private static string Who(IReadOnlyList<string> roles) => roles switch
    {
        [Roles.Admin] => "only an admin",
        [Roles.Admin, Roles.Engineer] => "engineers (for their organization's pairings) and admins",
        _ => string.Join(", ", roles.Select(r => r + "s")),
    };
}
