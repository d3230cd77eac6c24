using Bogus;
using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Matrix;

/// <summary>
/// A random event drawn from a seed: 2–12 products of 1–5 organizations, 1–3 plans of 1–3 sections each, cases
/// directional or not with requires/initiator/responder tags from a small vocabulary, so that many pairs are planned
/// and many are not, for every reason.
/// </summary>
internal sealed record RandomEvent(int Seed, IReadOnlyList<Participant> Products, IReadOnlyList<PlannedCase> Cases)
{
    private static readonly string[] Technologies = ["SIP", "WebRTC", "H.323"];

    // "srtp,tls" is one tag, not "srtp" and "tls".
    private static readonly string[] Capabilities = ["video", "audio", "tls", "srtp", "ice", "h264", "srtp,tls"];

    public static RandomEvent Generate(int seed)
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        var random = faker.Random;

        var organizations = Enumerable.Range(0, random.Int(1, 5)).Select(o => 1000L + 37 * o).ToList();
        var technologies = random.Shuffle(Technologies).Take(random.Int(1, 3)).ToList();
        var technologyComparer = random.Bool() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        var productCount = random.Int(2, 12);
        // Ids in an order unrelated to the keys, so that "smaller key first" is not "smaller id first".
        var ids = random.Shuffle(Enumerable.Range(1, productCount)).Select(i => 10L * i).ToList();
        var products = new List<Participant>();
        for (var i = 0; i < productCount; i++)
        {
            var word = faker.Hacker.Noun().Replace(' ', '-');
            // An upper-case initial sorts before every lower-case one in ordinal order.
            if (random.Bool(0.3f)) word = char.ToUpperInvariant(word[0]) + word[1..];
            products.Add(new Participant
            {
                Id = ids[i],
                Key = $"{word}-{i}",
                OrganizationId = random.ListItem(organizations),
                Technologies = technologies.Where(_ => random.Bool(0.8f)).ToHashSet(technologyComparer),
                Capabilities = Capabilities.Where(_ => random.Bool(0.6f)).ToHashSet(StringComparer.Ordinal),
            });
        }

        var cases = new List<PlannedCase>();
        var planCount = random.Int(1, 3);
        for (var p = 0; p < planCount; p++)
        {
            // A plan may spell its technology in lower case: the same technology for products whose sets ignore case,
            // another one for products whose sets do not.
            var technology = random.ListItem(technologies);
            if (random.Bool(0.3f)) technology = technology.ToLowerInvariant();
            var sectionCount = random.Int(1, 3);
            for (var s = 0; s < sectionCount; s++)
            {
                var caseCount = random.Int(1, 5);
                for (var k = 0; k < caseCount; k++)
                    cases.Add(new PlannedCase
                    {
                        Id = 500 + 3L * cases.Count,
                        PlanId = 70 + p,
                        Plan = $"plan-{p}",
                        Section = $"section-{s}",
                        Key = $"{s}.{k}",
                        Technology = technology,
                        Directional = random.Bool(0.7f),
                        Requires = Tags(random, random.WeightedRandom([0, 1, 2], [0.5f, 0.3f, 0.2f])),
                        Initiator = Tags(random, random.WeightedRandom([0, 1], [0.7f, 0.3f])),
                        Responder = Tags(random, random.WeightedRandom([0, 1], [0.7f, 0.3f])),
                    });
            }
        }
        return new RandomEvent(seed, products, cases);
    }

    private static string[] Tags(Randomizer random, int count) => random.Shuffle(Capabilities).Take(count).ToArray();

    /// <summary>A verdict for a random share of the planned cells (each in its stored order), drawn from the seed.</summary>
    public IReadOnlyList<Logged> Verdicts(bool includeSameOrganization)
    {
        var random = new Randomizer(Seed * 2 + (includeSameOrganization ? 1 : 0));
        var share = random.Double();
        return Planning.Cells(Cases, Products, includeSameOrganization)
            .Where(_ => random.Double() < share)
            .Select(cell => new Logged(cell.Case, cell.Initiator, cell.Responder, random.Enum<Verdict>()))
            .ToList();
    }

    public override string ToString() => $"seed {Seed}";
}

/// <summary>DESIGN.md's planning rule written out plainly, as the oracle the core's faster counting is checked against.</summary>
internal static class DesignRule
{
    public static bool Qualifies(PlannedCase c, Participant a, Participant b, bool includeSameOrganization) =>
        a.Id != b.Id
        && (includeSameOrganization || a.OrganizationId != b.OrganizationId)
        && a.Technologies.Contains(c.Technology) && b.Technologies.Contains(c.Technology)
        && c.Requires.All(a.Capabilities.Contains) && c.Requires.All(b.Capabilities.Contains)
        && c.Initiator.All(a.Capabilities.Contains)
        && c.Responder.All(b.Capabilities.Contains);

    /// <summary>Whether (a, b) is a cell of the case: a non-directional case sits once, smaller key first.</summary>
    public static bool IsCell(PlannedCase c, Participant a, Participant b, bool includeSameOrganization) =>
        c.Directional
            ? Qualifies(c, a, b, includeSameOrganization)
            : string.CompareOrdinal(a.Key, b.Key) < 0
              && (Qualifies(c, a, b, includeSameOrganization) || Qualifies(c, b, a, includeSameOrganization));
}
