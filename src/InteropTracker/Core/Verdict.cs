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
