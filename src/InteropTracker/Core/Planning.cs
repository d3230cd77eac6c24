namespace InteropTracker.Core;

/// <summary>A test case as planning sees it: its technology (the plan's) and the tags each side must declare.</summary>
public sealed record PlannedCase
{
    public required long Id { get; init; }
    public required long PlanId { get; init; }
    public required string Plan { get; init; }
    public required string Section { get; init; }
    public required string Key { get; init; }
    public required string Technology { get; init; }
    public bool Directional { get; init; } = true;
    public IReadOnlyList<string> Requires { get; init; } = [];
    public IReadOnlyList<string> Initiator { get; init; } = [];
    public IReadOnlyList<string> Responder { get; init; } = [];

    /// <summary>The result attributes the case's plan declares (shared by all its cases).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes { get; init; } = ResultAttributes.None;
}

/// <summary>
/// A participant: a product registered in an event. Planning reads its organization and what it declares; people read
/// its name, version, kind and organization.
/// </summary>
public sealed record Participant
{
    public required long Id { get; init; }
    public required string Key { get; init; }
    public required long OrganizationId { get; init; }
    public IReadOnlySet<string> Technologies { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    public IReadOnlySet<string> Capabilities { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string Kind { get; init; } = "";
    public string OrganizationKey { get; init; } = "";
    public string OrganizationName { get; init; } = "";
    public string AddedAt { get; init; } = "";
}

/// <summary>One cell of the plan: a case for an ordered pair of participants.</summary>
public readonly record struct PlannedCell(PlannedCase Case, Participant Initiator, Participant Responder);

/// <summary>
/// Which cases are planned for which pair (DESIGN.md, "Verdicts and the numbers"). Pure functions.
/// A directional case is planned for (a, b) when a ≠ b; both declare the case's technology; they belong to
/// different organizations unless the event includes same-organization pairs; both declare every tag in
/// `requires`; a declares the `initiator` tags and b the `responder` tags.
/// A non-directional case is one cell per unordered pair, planned when either order qualifies, and sits
/// with the smaller product key (ordinal) as initiator.
/// </summary>
public static class Planning
{
    /// <summary>Why the case is not planned for initiator a and responder b in this order; null when it is.</summary>
    public static string? WhyNot(PlannedCase c, Participant a, Participant b, bool includeSameOrganization)
    {
        if (a.Id == b.Id) return $"a product cannot be paired with itself ('{a.Key}')";
        if (!includeSameOrganization && a.OrganizationId == b.OrganizationId)
            return $"'{a.Key}' and '{b.Key}' belong to the same organization, and this event pairs only different organizations";
        if ((WithoutTechnology(c, a) ?? WithoutTechnology(c, b)) is { } lacking)
            return $"'{lacking.Key}' does not declare the technology {c.Technology} of case {c.Key}";
        if (Missing(c.Requires, a) is { } tag)
            return $"'{a.Key}' does not declare the capability '{tag}' that case {c.Key} requires";
        if (Missing(c.Requires, b) is { } bTag)
            return $"'{b.Key}' does not declare the capability '{bTag}' that case {c.Key} requires";
        if (Missing(c.Initiator, a) is { } initiatorTag)
            return $"initiator '{a.Key}' does not declare the capability '{initiatorTag}' that case {c.Key} needs of the initiator";
        if (Missing(c.Responder, b) is { } responderTag)
            return $"responder '{b.Key}' does not declare the capability '{responderTag}' that case {c.Key} needs of the responder";
        return null;
    }

    private static Participant? WithoutTechnology(PlannedCase c, Participant side) => side.Technologies.Contains(c.Technology) ? null : side;

    private static string? Missing(IReadOnlyList<string> tags, Participant side)
    {
        for (var t = 0; t < tags.Count; t++) // not foreach: through the interface, that allocates an enumerator per call
            if (!side.Capabilities.Contains(tags[t])) return tags[t];
        return null;
    }

    public static bool Qualifies(PlannedCase c, Participant a, Participant b, bool includeSameOrganization) =>
        WhyNot(c, a, b, includeSameOrganization) is null;

    /// <summary>
    /// Why a result for (case, initiator, responder) as given is not a planned cell; null when it is.
    /// A non-directional case must be given in its stored order (smaller product key first); when the pair is not
    /// planned in either order, the reason is that one, not the order.
    /// </summary>
    public static string? WhyNotCell(PlannedCase c, Participant initiator, Participant responder, bool includeSameOrganization)
    {
        var forward = WhyNot(c, initiator, responder, includeSameOrganization);
        if (c.Directional || initiator.Id == responder.Id) return forward;
        if (forward is not null && !Qualifies(c, responder, initiator, includeSameOrganization)) return forward;
        return string.CompareOrdinal(initiator.Key, responder.Key) > 0
            ? $"case {c.Key} is not directional: its result is stored once per pair, with the smaller product key " +
              $"('{responder.Key}') as initiator"
            : null;
    }

    /// <summary>The order in which a result of this case between these two products is stored.</summary>
    public static (Participant Initiator, Participant Responder) Stored(PlannedCase c, Participant a, Participant b) =>
        c.Directional || string.CompareOrdinal(a.Key, b.Key) <= 0 ? (a, b) : (b, a);

    /// <summary>Every planned cell of these cases among these participants, one by one (small scopes: a pair, a case).</summary>
    public static IEnumerable<PlannedCell> Cells(IEnumerable<PlannedCase> cases, IReadOnlyList<Participant> participants,
        bool includeSameOrganization)
    {
        foreach (var c in cases)
            foreach (var a in participants)
                foreach (var b in participants)
                {
                    if (a.Id == b.Id) continue;
                    if (c.Directional)
                    {
                        if (Qualifies(c, a, b, includeSameOrganization)) yield return new PlannedCell(c, a, b);
                    }
                    else if (string.CompareOrdinal(a.Key, b.Key) < 0
                             && (Qualifies(c, a, b, includeSameOrganization) || Qualifies(c, b, a, includeSameOrganization)))
                    {
                        yield return new PlannedCell(c, a, b);
                    }
                }
    }

    /// <summary>
    /// The planned cells counted per ordered pair and per case, without visiting every cell: cases that ask the
    /// same of both sides are planned for the same pairs, so each such group is decided once per pair.
    /// Gives the same numbers as counting <see cref="Cells"/>.
    /// </summary>
    public static PlannedCounts Count(IEnumerable<PlannedCase> cases, IEnumerable<Participant> participants,
        bool includeSameOrganization)
    {
        var products = participants.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var n = products.Count;
        var cells = new long[n, n];
        var perCase = new Dictionary<long, long>();

        foreach (var group in cases.GroupBy(Signature))
        {
            var sample = group.First();
            var size = group.LongCount();
            var initiates = new bool[n];
            var responds = new bool[n];
            for (var i = 0; i < n; i++)
            {
                var p = products[i];
                var eligible = p.Technologies.Contains(sample.Technology) && Missing(sample.Requires, p) is null;
                initiates[i] = eligible && Missing(sample.Initiator, p) is null;
                responds[i] = eligible && Missing(sample.Responder, p) is null;
            }

            long pairs = 0;
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                {
                    if (i == j || (!includeSameOrganization && products[i].OrganizationId == products[j].OrganizationId))
                        continue;
                    var planned = sample.Directional
                        ? initiates[i] && responds[j]
                        : i < j && ((initiates[i] && responds[j]) || (initiates[j] && responds[i]));
                    if (!planned) continue;
                    cells[i, j] += size;
                    pairs++;
                }

            foreach (var c in group) perCase[c.Id] = pairs;
        }
        return new PlannedCounts(products, cells, perCase);
    }

    /// <summary>
    /// Cases with one signature are planned for exactly the same pairs. Strings are taken as they are, because the
    /// participants' sets decide how technologies and tags compare ("sip" may or may not be "SIP"); each word is
    /// length-prefixed so that different lists ("srtp", "tls" and the single tag "srtp,tls") never share a signature.
    /// </summary>
    private static string Signature(PlannedCase c) =>
        string.Join('|', c.Directional ? "d" : "u", Words([c.Technology]), Words(c.Requires), Words(c.Initiator),
            Words(c.Responder));

    private static string Words(IEnumerable<string> words) =>
        string.Concat(words.Order(StringComparer.Ordinal).Select(w => $"{w.Length}:{w}"));
}

/// <summary>Planned cells per ordered pair (products in ordinal key order) and per case id.</summary>
public sealed class PlannedCounts(IReadOnlyList<Participant> products, long[,] cells, IReadOnlyDictionary<long, long> perCase)
{
    public IReadOnlyList<Participant> Products { get; } = products;

    /// <summary>[initiator index, responder index] into <see cref="Products"/>.</summary>
    public long[,] Cells { get; } = cells;

    /// <summary>How many pairs each case is planned for.</summary>
    public IReadOnlyDictionary<long, long> PerCase { get; } = perCase;

    public long Total
    {
        get
        {
            long total = 0;
            foreach (var count in Cells) total += count;
            return total;
        }
    }
}
