namespace InteropTracker.Core;

/// <summary>What a pairing's test gave. A planned cell with no verdict is untested.</summary>
public enum Verdict
{
    Pass,
    Fail,
    /// <summary>Not applicable: one side lacks the feature.</summary>
    Na,
    /// <summary>Could not be run: set-up or environment.</summary>
    Blocked,
}

public static class VerdictNames
{
    public static readonly IReadOnlyList<string> All = ["pass", "fail", "na", "blocked"];

    public static string Name(this Verdict verdict) => All[(int)verdict];

    public static bool TryParse(string? text, out Verdict verdict)
    {
        var index = text is null ? -1 : IndexOf(text);
        if (index < 0 && text is not null) index = IndexOf(text.Trim().ToLowerInvariant());
        verdict = index < 0 ? default : (Verdict)index;
        return index >= 0;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
            if (All[i] == name) return i;
        return -1;
    }
}

/// <summary>
/// Why a fail or blocked revision failed (DESIGN.md "Evidence, causes and attributes"): what the activity group takes back
/// to its documents is the test-case and specification causes.
/// </summary>
public static class Causes
{
    public static readonly IReadOnlyList<string> All = ["implementation", "test-case", "specification", "setup", "unknown"];

    /// <summary>The cause's name as stored, or null when <paramref name="text"/> names none.</summary>
    public static string? Find(string text)
    {
        foreach (var cause in All)
            if (string.Equals(cause, text.Trim(), StringComparison.OrdinalIgnoreCase)) return cause;
        return null;
    }

    /// <summary>The cause's place in <see cref="All"/>; -1 for none.</summary>
    public static int Index(string? cause)
    {
        for (var i = 0; i < All.Count; i++)
            if (All[i] == cause) return i;
        return -1;
    }

    /// <summary>Whether a verdict may carry a cause: only what did not pass and was not out of scope.</summary>
    public static bool Allowed(Verdict verdict) => verdict is Verdict.Fail or Verdict.Blocked;
}
