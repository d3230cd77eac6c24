using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Bogus;
using InteropTracker.Events;
using InteropTracker.Tests.TestPlans;
using InteropTracker.Vendors;

namespace InteropTracker.Tests;

/// <summary>A test case of a plan a test builds; <see cref="PlanSpec.ToYaml"/> writes the document the API loads.</summary>
public sealed record CaseSpec
{
    public required string Id { get; init; }
    public string Title { get; init; } = "A test case";
    public string Priority { get; init; } = "mandatory";
    public bool Directional { get; init; } = true;
    public IReadOnlyList<string> Requires { get; init; } = [];
    public IReadOnlyList<string> Initiator { get; init; } = [];
    public IReadOnlyList<string> Responder { get; init; } = [];
}

public sealed record SectionSpec
{
    public required string Id { get; init; }
    public string Title { get; init; } = "A section";
    public required IReadOnlyList<CaseSpec> Cases { get; init; }
}

public sealed record PlanSpec
{
    public required string Plan { get; init; }
    public string Version { get; init; } = "1.0";
    public string Title { get; init; } = "A test plan";
    public string Technology { get; init; } = "SIP";
    public required IReadOnlyList<SectionSpec> Sections { get; init; }

    public string ToYaml()
    {
        static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";
        static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var yaml = new StringBuilder();
        yaml.AppendLine($"plan: {Plan}").AppendLine($"title: {Quote(Title)}").AppendLine($"version: {Quote(Version)}")
            .AppendLine($"technology: {Quote(Technology)}").AppendLine("source: Tests").AppendLine("sections:");
        foreach (var section in Sections)
        {
            yaml.AppendLine($"  - id: {section.Id}").AppendLine($"    title: {Quote(section.Title)}").AppendLine("    cases:");
            foreach (var c in section.Cases)
                yaml.AppendLine($"      - id: {c.Id}")
                    .AppendLine($"        title: {Quote(c.Title)}")
                    .AppendLine($"        purpose: {Quote("Checks " + c.Title)}")
                    .AppendLine($"        steps: [\"Run it\"]")
                    .AppendLine($"        expected: [\"It works\"]")
                    .AppendLine($"        priority: {c.Priority}")
                    .AppendLine($"        directional: {(c.Directional ? "true" : "false")}")
                    .AppendLine($"        requires: {List(c.Requires)}")
                    .AppendLine($"        initiator: {List(c.Initiator)}")
                    .AppendLine($"        responder: {List(c.Responder)}");
        }
        return yaml.ToString();
    }
}

/// <summary>
/// Realistic organizations, products, plans and events in one line each (Bogus, seeded, so a failing test fails
/// the same way again). Keys get a process-wide suffix so tests sharing a class's database never collide.
/// Tests override only what they care about with <c>with</c>.
/// </summary>
public sealed partial class Build(int seed = 20261128)
{
    private static int _unique;

    private static readonly string[] ProductWords =
        ["Room", "Edge", "Bridge", "Gateway", "Phone", "Studio", "Meet", "Connect", "Border", "Core"];

    private readonly Faker<VendorsApi.NewOrganization> _organizations = new Faker<VendorsApi.NewOrganization>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var name = f.Company.CompanyName();
            return new VendorsApi.NewOrganization { Key = UniqueKey(name), Name = name };
        });

    private readonly Faker<VendorsApi.NewProduct> _products = new Faker<VendorsApi.NewProduct>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var name = $"{f.PickRandom(ProductWords)} {f.Random.Int(100, 990)}";
            return new VendorsApi.NewProduct
            {
                Key = UniqueKey(name), Organization = "", Name = name, Version = f.System.Semver(),
                // No capability unless a test gives some: a product may declare only tags that a loaded plan uses.
                Kind = f.PickRandom(VendorStore.Kinds.ToArray()), Technologies = ["SIP"], Capabilities = [],
            };
        });

    private readonly Faker<EventsApi.NewEvent> _events = new Faker<EventsApi.NewEvent>()
        .UseSeed(seed)
        .CustomInstantiator(f =>
        {
            var city = f.Address.City();
            var start = f.Date.BetweenDateOnly(new DateOnly(2026, 1, 1), new DateOnly(2027, 12, 1));
            var name = $"{f.PickRandom("SIPit", "SuperOp", "Plugtests", "Video Interop")} {start.Year} {city}";
            return new EventsApi.NewEvent
            {
                Key = UniqueKey(name), Name = name, Location = $"{city}, {f.Address.Country()}",
                StartDate = start.ToString("yyyy-MM-dd"), EndDate = start.AddDays(f.Random.Int(0, 4)).ToString("yyyy-MM-dd"),
            };
        });

    public VendorsApi.NewOrganization Organization() => _organizations.Generate();

    public VendorsApi.NewProduct Product(string organization) => _products.Generate() with { Organization = organization };

    public EventsApi.NewEvent Event(params string[] plans) =>
        _events.Generate() with { Plans = plans.Select(p => new EventsApi.PlanPin { Plan = p }).ToList() };

    /// <summary>A one-section SIP plan of the given cases, with a unique plan key.</summary>
    public static PlanSpec Plan(params CaseSpec[] cases) => new()
    {
        Plan = UniqueKey("plan"),
        Sections = [new SectionSpec { Id = "basics", Title = "Basics", Cases = cases }],
    };

    public static string UniqueKey(string name)
    {
        var slug = NonSlug().Replace(name.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length > 40) slug = slug[..40].TrimEnd('-');
        return $"{slug}-{Interlocked.Increment(ref _unique)}";
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();
}

/// <summary>Creating what a test needs through the API, as a chair would; each fails the test unless it worked.</summary>
public static class Setup
{
    public static async Task<PlanSpec> LoadPlan(this HttpClient chair, PlanSpec plan)
    {
        await chair.LoadPlan(plan.ToYaml());
        return plan;
    }

    public static async Task<Organization> Register(this HttpClient chair, VendorsApi.NewOrganization organization) =>
        await chair.PostJson("/api/organizations", organization).ReadJson<Organization>(HttpStatusCode.Created);

    public static async Task<Product> Register(this HttpClient chair, VendorsApi.NewProduct product) =>
        await chair.PostJson("/api/products", product).ReadJson<Product>(HttpStatusCode.Created);

    public static async Task<EventInfo> Create(this HttpClient chair, EventsApi.NewEvent @event) =>
        await chair.PostJson("/api/events", @event).ReadJson<EventInfo>(HttpStatusCode.Created);

    public static async Task Enter(this HttpClient chair, string @event, params string[] products) =>
        await chair.PostJson($"/api/events/{@event}/participants", new { products }).ReadJson<EventsApi.ParticipantsAdded>();

    /// <summary>Moves the event; publishing closes it first and publishes a snapshot taken of it, as a chair does.</summary>
    public static async Task<EventInfo> MoveTo(this HttpClient chair, string @event, string status, bool? published = null)
    {
        if (published != true) return await chair.PostJson($"/api/events/{@event}/status", new { status, published }).ReadJson<EventInfo>();
        await chair.PostJson($"/api/events/{@event}/status", new { status }).ReadJson<EventInfo>();
        await chair.PostJson($"/api/events/{@event}/snapshots", new { }).ReadJson<SnapshotInfo>(HttpStatusCode.Created);
        return await chair.PostJson($"/api/events/{@event}/status", new { status, published }).ReadJson<EventInfo>();
    }
}
