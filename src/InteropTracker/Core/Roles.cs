namespace InteropTracker.Core;

public static class Roles
{
    public const string Admin = "admin";
    public const string Chair = "chair";
    public const string Engineer = "engineer";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Admin, Chair, Engineer, Member];
}
