namespace InteropTracker.Core;

/// <summary>Who is calling, as the token says: what every write records and every rule checks.</summary>
public sealed record Caller(long TokenId, string Name, string Role, long? OrganizationId)
{
    public bool IsAdmin => Role == Roles.Admin;
    public bool IsEngineer => Role == Roles.Engineer;

    /// <summary>Admins, chairs and members see every event; an engineer only its organization's.</summary>
    public bool SeesEverything => Role is Roles.Admin or Roles.Chair or Roles.Member;

    /// <summary>
    /// The organization whose events the caller is limited to: an engineer's own (none, for an engineer without one);
    /// null for the roles that see every event.
    /// </summary>
    public long? LimitedTo => SeesEverything ? null : OrganizationId ?? -1;
}
