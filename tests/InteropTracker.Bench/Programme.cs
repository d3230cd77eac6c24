using System.Text;
using InteropTracker.Core;
using InteropTracker.Matrix;

namespace InteropTracker.Bench;

public sealed record BenchCase(int Index, string Plan, string Section, string Key, string Technology, bool Directional,
    string[] Requires, string[] Initiator, string[] Responder);

public sealed record BenchSection(string Id, string Title, List<BenchCase> Cases);

public sealed record BenchPlan(string Key, string Title, string Technology, List<BenchSection> Sections);

public sealed record BenchOrganization(int Index, string Key, string Name);

public sealed record BenchProduct(int Index, string Key, BenchOrganization Organization, string Kind, string[] Technologies,
    HashSet<string> Capabilities);

/// <summary>
/// The generated interop programme: test plans in three technologies, vendors and products with capability mixes, and
/// which cells (case, initiator, responder) are planned. Seeded, so every run of a scale generates the same data.
/// A cell is packed in a long: case index, initiator index, responder index (16 bits each).
/// </summary>
public sealed class Programme
{
    private static readonly string[] Verdicts = ["pass", "fail", "na", "blocked"];

    private static readonly (string Plan, string Title, string Technology, double Share, string Prefix, string[] Tags)[] PlanShapes =
    [
        ("bench-sip-video", "SIP video calls", "SIP", 0.30, "SIPV", ["h264", "g711", "opus", "srtp", "sip.tls", "dtmf.rfc4733"]),
        ("bench-sip-content", "SIP content sharing and conferencing", "SIP", 0.15, "SIPC", ["bfcp", "h264", "srtp", "ipv6"]),
        ("bench-webrtc-gateway", "WebRTC gateway", "WebRTC", 0.30, "WRTC", ["vp8", "h264", "opus", "ice", "dtls-srtp", "rtcp-fb.pli"]),
        ("bench-h323-video", "H.323 video conferencing", "H.323", 0.25, "H323", ["h264", "g711", "h239", "h235", "ipv6"]),
    ];

    private static readonly (string Technology, double Share)[] TechnologyShares = [("SIP", 0.85), ("WebRTC", 0.65), ("H.323", 0.55)];

    private static readonly string[] AllTags =
        ["h264", "g711", "opus", "srtp", "sip.tls", "dtmf.rfc4733", "bfcp", "ipv6", "vp8", "ice", "dtls-srtp", "rtcp-fb.pli", "h239", "h235"];

    private static readonly string[] Kinds = ["endpoint", "mcu", "gateway", "sbc", "browser", "client", "server"];

    private static readonly string[] Notes =
        ["Video froze after 20 s", "One-way audio, then fine after re-INVITE", "Needed a firmware update, retested",
         "BFCP floor request ignored", "ICE restart took 9 s", "Works with TLS 1.3 only", "DTMF digits doubled, \"5\" sent twice"];

    public Programme(Scale scale)
    {
        Scale = scale;
        var random = new Random(scale.Seed);
        Plans = MakePlans(scale.Cases, random);
        Cases = Plans.SelectMany(p => p.Sections).SelectMany(s => s.Cases).ToList();
        Organizations = Enumerable.Range(0, scale.Organizations)
            .Select(i => new BenchOrganization(i, $"vendor-{i + 1:D3}", $"Vendor {i + 1:D3} Communications"))
            .ToList();
        // A product may declare only tags some loaded plan uses; a tag no case uses plans no cell, so dropping it changes nothing.
        var used = Cases.SelectMany(c => c.Requires.Concat(c.Initiator).Concat(c.Responder)).ToHashSet(StringComparer.Ordinal);
        Products = MakeProducts(scale.Products, Organizations, random)
            .Select(p => p with { Capabilities = p.Capabilities.Where(used.Contains).ToHashSet(StringComparer.Ordinal) })
            .ToList();
        LargestTechnology = Technologies()
            .OrderByDescending(t => Cases.Count(c => c.Technology == t) * Products.Count(p => p.Technologies.Contains(t)))
            .First();
    }

    public Scale Scale { get; }
    public IReadOnlyList<BenchPlan> Plans { get; }
    public IReadOnlyList<BenchCase> Cases { get; }
    public IReadOnlyList<BenchOrganization> Organizations { get; }
    public IReadOnlyList<BenchProduct> Products { get; }

    /// <summary>The technology with the most planned cells: the matrix the figure measures.</summary>
    public string LargestTechnology { get; }

    public IEnumerable<string> Technologies() => TechnologyShares.Select(t => t.Technology);

    private static List<BenchPlan> MakePlans(int totalCases, Random random)
    {
        var plans = new List<BenchPlan>();
        var index = 0;
        var left = totalCases;
        for (var p = 0; p < PlanShapes.Length; p++)
        {
            var shape = PlanShapes[p];
            var count = p == PlanShapes.Length - 1 ? left : (int)Math.Round(totalCases * shape.Share);
            left -= count;
            var sections = new List<BenchSection>();
            for (var s = 0; count > 0; s++)
            {
                var size = Math.Min(count, 10);
                count -= size;
                var section = new BenchSection($"section-{s + 1:D2}", $"{shape.Title}, part {s + 1}", []);
                for (var k = 0; k < size; k++)
                {
                    var directional = random.NextDouble() < 0.85;
                    var requires = random.NextDouble() switch
                    {
                        < 0.4 => [],
                        < 0.8 => Pick(shape.Tags, 1, random),
                        _ => Pick(shape.Tags, 2, random),
                    };
                    string[] initiator = directional && random.NextDouble() < 0.15 ? Pick(shape.Tags, 1, random) : [];
                    string[] responder = directional && random.NextDouble() < 0.15 ? Pick(shape.Tags, 1, random) : [];
                    section.Cases.Add(new BenchCase(index++, shape.Plan, section.Id, $"{shape.Prefix}-{s + 1:D2}-{k + 1:D2}",
                        shape.Technology, directional, requires, initiator, responder));
                }
                sections.Add(section);
            }
            plans.Add(new BenchPlan(shape.Plan, shape.Title, shape.Technology, sections));
        }
        return plans;
    }

    private static string[] Pick(string[] from, int count, Random random) =>
        from.OrderBy(_ => random.Next()).Take(count).Order(StringComparer.Ordinal).ToArray();

    private static List<BenchProduct> MakeProducts(int count, IReadOnlyList<BenchOrganization> organizations, Random random)
    {
        var products = new List<BenchProduct>();
        for (var i = 0; i < count; i++)
        {
            // Every organization makes at least one product; the rest are spread at random.
            var organization = i < organizations.Count ? organizations[i] : organizations[random.Next(organizations.Count)];
            var technologies = TechnologyShares.Where(t => random.NextDouble() < t.Share).Select(t => t.Technology).ToList();
            if (technologies.Count == 0) technologies.Add(TechnologyShares[random.Next(TechnologyShares.Length)].Technology);
            var capabilities = AllTags.Where(_ => random.NextDouble() < 0.8).ToHashSet(StringComparer.Ordinal);
            products.Add(new BenchProduct(i, $"product-{i + 1:D4}", organization, Kinds[random.Next(Kinds.Length)],
                technologies.ToArray(), capabilities));
        }
        return products;
    }

    public static long Pack(int caseIndex, int initiator, int responder) =>
        ((long)caseIndex << 32) | ((long)initiator << 16) | (long)responder;

    public static (int Case, int Initiator, int Responder) Unpack(long cell) =>
        ((int)(cell >> 32), (int)((cell >> 16) & 0xFFFF), (int)(cell & 0xFFFF));

    /// <summary>
    /// Every planned cell, in the order the app stores it (DESIGN.md): directional cases per ordered pair of products of
    /// different organizations that declare the technology, the required tags and their side's tags; non-directional
    /// cases once per unordered pair, with the smaller product key as initiator.
    /// </summary>
    public IEnumerable<long> PlannedCells()
    {
        var n = Products.Count;
        var initiates = new bool[n];
        var responds = new bool[n];
        foreach (var c in Cases)
        {
            for (var i = 0; i < n; i++)
            {
                var p = Products[i];
                var eligible = p.Technologies.Contains(c.Technology) && c.Requires.All(p.Capabilities.Contains);
                initiates[i] = eligible && c.Initiator.All(p.Capabilities.Contains);
                responds[i] = eligible && c.Responder.All(p.Capabilities.Contains);
            }
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                {
                    if (i == j || Products[i].Organization == Products[j].Organization) continue;
                    // Product keys are zero-padded, so index order is ordinal key order.
                    var planned = c.Directional
                        ? initiates[i] && responds[j]
                        : i < j && ((initiates[i] && responds[j]) || (initiates[j] && responds[i]));
                    if (planned) yield return Pack(c.Index, i, j);
                }
        }
    }

    /// <summary>The app's own count of planned cells for this programme, to check <see cref="PlannedCells"/> against.</summary>
    public long PlannedByTheApp()
    {
        var cases = Cases.Select(c => new PlannedCase
        {
            Id = c.Index, PlanId = 0, Plan = c.Plan, Section = c.Section, Key = c.Key, Technology = c.Technology,
            Directional = c.Directional, Requires = c.Requires, Initiator = c.Initiator, Responder = c.Responder,
        });
        var participants = Products.Select(p => new Participant
        {
            Id = p.Index, Key = p.Key, OrganizationId = p.Organization.Index,
            Technologies = new HashSet<string>(p.Technologies, StringComparer.OrdinalIgnoreCase),
            Capabilities = p.Capabilities,
        }).ToList();
        return Planning.Count(cases, participants, includeSameOrganization: false).Total;
    }

    /// <summary>The YAML document of a plan, as a chair would load it.</summary>
    public static string ToYaml(BenchPlan plan)
    {
        static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"\"{i}\"")) + "]";
        var yaml = new StringBuilder();
        yaml.Append($"plan: {plan.Key}\ntitle: \"{plan.Title}\"\nversion: \"1.0\"\ntechnology: \"{plan.Technology}\"\n")
            .Append("source: \"InteropTracker benchmark\"\nsections:\n");
        foreach (var section in plan.Sections)
        {
            yaml.Append($"  - id: {section.Id}\n    title: \"{section.Title}\"\n    cases:\n");
            foreach (var c in section.Cases)
                yaml.Append($"      - id: {c.Key}\n")
                    .Append($"        title: \"Benchmark case {c.Key}\"\n")
                    .Append($"        purpose: \"Both sides complete scenario {c.Key} of {plan.Title}.\"\n")
                    .Append("        preconditions: [\"Both products configured for the test network\"]\n")
                    .Append("        steps: [\"Initiator starts the scenario\", \"Responder answers\"]\n")
                    .Append("        expected: [\"The scenario completes as the profile says\"]\n")
                    .Append("        references: [\"RFC 3261 §13\"]\n")
                    .Append($"        priority: {(c.Index % 3 == 0 ? "recommended" : "mandatory")}\n")
                    .Append($"        directional: {(c.Directional ? "true" : "false")}\n")
                    .Append($"        requires: {List(c.Requires)}\n")
                    .Append($"        initiator: {List(c.Initiator)}\n")
                    .Append($"        responder: {List(c.Responder)}\n");
        }
        return yaml.ToString();
    }

    public const string CsvHeader = "plan,case,initiator,responder,verdict,notes,issue\n";

    /// <summary>One CSV row of a result for the cell: mostly passes, failures with notes and issue references.</summary>
    public void AppendCsvRow(StringBuilder csv, long cell, Random random)
    {
        var (caseIndex, i, j) = Unpack(cell);
        var c = Cases[caseIndex];
        var verdict = Verdict(random);
        csv.Append(c.Plan).Append(',').Append(c.Key).Append(',').Append(Products[i].Key).Append(',').Append(Products[j].Key)
            .Append(',').Append(verdict).Append(',');
        if (verdict != "pass" && random.NextDouble() < 0.5)
            csv.Append('"').Append(Notes[random.Next(Notes.Length)].Replace("\"", "\"\"")).Append('"');
        csv.Append(',');
        if (verdict == "fail" && random.NextDouble() < 0.6) csv.Append("ISSUE-").Append(random.Next(1000, 99999));
        csv.Append('\n');
    }

    public static string Verdict(Random random) => random.NextDouble() switch
    {
        < 0.70 => Verdicts[0],
        < 0.85 => Verdicts[1],
        < 0.93 => Verdicts[2],
        _ => Verdicts[3],
    };

    /// <summary>The JSON body of POST …/results for the cell.</summary>
    public byte[] ResultJson(long cell, string verdict)
    {
        var (caseIndex, i, j) = Unpack(cell);
        var c = Cases[caseIndex];
        return Encoding.UTF8.GetBytes(
            $"{{\"plan\":\"{c.Plan}\",\"case\":\"{c.Key}\",\"initiator\":\"{Products[i].Key}\",\"responder\":\"{Products[j].Key}\",\"verdict\":\"{verdict}\"}}");
    }
}
