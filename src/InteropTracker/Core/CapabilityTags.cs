namespace InteropTracker.Core;

/// <summary>
/// Capability tags a product declares must be tags some loaded test plan uses (its cases' requires, initiator or
/// responder): a misspelt tag would be accepted and planning would silently drop every cell that needs it. An
/// unknown tag is answered with the known tags nearest to it, by edit distance.
/// </summary>
public static class CapabilityTags
{
    /// <summary>Suggestions offered for one unknown tag, at most.</summary>
    public const int MaxSuggestions = 3;

    /// <summary>
    /// The errors of the unknown tags, keyed <c>{field}[i]</c> by position (the API's keys; an import prefixes its own
    /// place); empty when every tag is known. Tags are compared as they are stored (trimmed, case-sensitive).
    /// </summary>
    public static Dictionary<string, string[]> Check(IReadOnlyList<string> tags, IReadOnlyCollection<string> known,
        string field = "capabilities")
    {
        var errors = new Dictionary<string, string[]>();
        var set = known as IReadOnlySet<string> ?? known.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i]?.Trim() ?? "";
            if (tag.Length == 0 || set.Contains(tag)) continue;
            errors[$"{field}[{i}]"] = [Unknown(tag, known)];
        }
        return errors;
    }

    /// <summary>Why the tag is refused, with the nearest known tags or, when none is near, what to do.</summary>
    public static string Unknown(string tag, IReadOnlyCollection<string> known)
    {
        if (known.Count == 0)
            return $"'{tag}' is not a tag any loaded test plan uses: no loaded plan uses capability tags yet. Load the plans " +
                   "first (POST /api/test-plans), or leave the capabilities empty.";
        var nearest = Suggest(tag, known);
        return nearest.Count > 0
            ? $"'{tag}' is not a tag any loaded test plan uses; did you mean {string.Join(" or ", nearest.Select(t => $"'{t}'"))}?"
            : $"'{tag}' is not a tag any loaded test plan uses, and none is close to it; the plans use {string.Join(", ", known.Order(StringComparer.Ordinal).Take(20))}{(known.Count > 20 ? ", …" : "")}.";
    }

    /// <summary>
    /// The known tags within a few edits of <paramref name="tag"/> (one for short tags, up to a third of its length,
    /// at most three), nearest first, then alphabetically. A swap of two neighbouring letters counts as one edit, so
    /// <c>h246</c> is one edit from <c>h264</c>.
    /// </summary>
    public static IReadOnlyList<string> Suggest(string tag, IEnumerable<string> known)
    {
        var allowed = Math.Clamp(tag.Length / 3, 1, 3);
        return known
            .Select(k => (Tag: k, Distance: Distance(tag, k)))
            .Where(k => k.Distance <= allowed)
            .OrderBy(k => k.Distance).ThenBy(k => k.Tag, StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .Select(k => k.Tag)
            .ToList();
    }

    /// <summary>Edit distance with neighbouring transpositions (optimal string alignment), case-insensitive.</summary>
    public static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>The tags a set of cases uses, each once, in order.</summary>
    public static IReadOnlyList<string> UsedBy(IEnumerable<(IEnumerable<string> Requires, IEnumerable<string> Initiator, IEnumerable<string> Responder)> cases) =>
        cases.SelectMany(c => c.Requires.Concat(c.Initiator).Concat(c.Responder))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
