using Bogus;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Vendors;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// An event set up through the HTTP API as a chair would (two plans over SIP and WebRTC, four organizations, seven
/// products, participants, status), with results logged, revised, confirmed and disputed through the results API,
/// some with notes and issue references.
/// </summary>
public sealed class ReportSeed
{
    public required string Event { get; init; }
    public required IReadOnlyList<Organization> Organizations { get; init; }
    public required IReadOnlyList<Product> Products { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public required IReadOnlyList<string> Issues { get; init; }
    public required long Results { get; init; }

    /// <summary>Every string the anonymised report must not carry.</summary>
    public IEnumerable<string> Secrets =>
        Organizations.SelectMany(o => new[] { o.Key, o.Name })
            .Concat(Products.SelectMany(p => new[] { p.Key, p.Name }))
            .Concat(Notes).Concat(Issues);

    public static async Task<ReportSeed> CreateAsync(AppFixture app, int seed, string status = EventStatus.Closed, bool published = true)
    {
        var build = new Build(seed);
        var chair = await app.ClientFor(Roles.Chair);
        var sip = await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "CS-001", Title = "Audio and video call", Requires = ["h264"] },
            new CaseSpec { Id = "CS-002", Title = "Call over TLS", Requires = ["sip.tls"] },
            new CaseSpec { Id = "MD-001", Title = "Opus both ways", Directional = false, Requires = ["opus"] },
            new CaseSpec { Id = "MD-002", Title = "Hold and resume" }));
        var webrtc = await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "WG-001", Title = "Offer and answer through the gateway" },
            new CaseSpec { Id = "WG-002", Title = "VP8 video", Requires = ["vp8"] }) with { Technology = "WebRTC" });

        var organizations = new List<Organization>();
        for (var i = 0; i < 4; i++) organizations.Add(await chair.Register(build.Organization()));
        var products = new List<Product>();
        string[][] technologies = [["SIP"], ["SIP", "WebRTC"], ["WebRTC"], ["SIP", "WebRTC"], ["SIP"], ["SIP", "WebRTC"], ["SIP"]];
        for (var i = 0; i < technologies.Length; i++)
            products.Add(await chair.Register(build.Product(organizations[i % organizations.Count].Key) with
            {
                Technologies = technologies[i],
                Capabilities = i % 3 == 0 ? ["h264", "opus"] : ["h264", "opus", "sip.tls", "vp8"],
            }));

        var created = await chair.Create(build.Event(sip.Plan, webrtc.Plan));
        await chair.Enter(created.Key, products.Select(p => p.Key).ToArray());
        await chair.MoveTo(created.Key, EventStatus.Open);

        var (notes, issues, count) = await LogResultsAsync(app, created.Key, products, seed);
        if (status == EventStatus.Closed) await chair.MoveTo(created.Key, EventStatus.Closed, published);
        return new ReportSeed
        {
            Event = created.Key, Organizations = organizations, Products = products, Notes = notes, Issues = issues, Results = count,
        };
    }

    /// <summary>
    /// Results on about four planned cells in five, logged through the import as an admin (a tenth revised by a second
    /// import), then about half confirmed and a tenth disputed by an engineer of the initiator's organization.
    /// </summary>
    private static async Task<(List<string> Notes, List<string> Issues, long Count)> LogResultsAsync(AppFixture app, string eventKey,
        IReadOnlyList<Product> products, int seed)
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        EventPlanning planning;
        using (var db = app.OpenDatabase()) planning = (await EventStore.PlanningAsync(db, eventKey))!;
        var notes = new List<string>();
        var issues = new List<string>();
        var rows = new List<ResultInput>();
        foreach (var cell in Planning.Cells(planning.Cases, planning.Participants, planning.Event.IncludeSameOrganization))
        {
            if (faker.Random.Double() < 0.2) continue;
            var n = rows.Count + 1;
            var note = n % 3 == 0 ? $"qx-note-{n} {faker.Lorem.Sentence()}" : null;
            var issue = n % 4 == 0 ? $"QXBUG-{7000 + n}" : null;
            rows.Add(new ResultInput
            {
                Plan = cell.Case.Plan, Case = cell.Case.Key, Initiator = cell.Initiator.Key, Responder = cell.Responder.Key,
                Verdict = faker.Random.WeightedRandom(["pass", "fail", "na", "blocked"], [0.6f, 0.25f, 0.08f, 0.07f]),
                Notes = note, Issue = issue,
            });
        }
        var admin = app.Admin();
        await admin.PostJson($"/api/events/{eventKey}/results/import", rows).ReadJson<ResultImport.Summary>();
        var revised = rows.Where((_, i) => i % 10 == 5)
            .Select(r => r with { Verdict = r.Verdict == "pass" ? "fail" : "pass", Notes = null, Issue = null }).ToList();
        await admin.PostJson($"/api/events/{eventKey}/results/import", revised).ReadJson<ResultImport.Summary>();
        var revisedKeys = revised.Select(r => (r.Plan, r.Case, r.Initiator, r.Responder)).ToHashSet();
        notes.AddRange(rows.Where(r => !revisedKeys.Contains((r.Plan, r.Case, r.Initiator, r.Responder))).Select(r => r.Notes).OfType<string>());
        issues.AddRange(rows.Select(r => r.Issue).OfType<string>());

        var logged = new List<ResultInfo>();
        for (var page = 1; ; page++)
        {
            var results = await admin.GetAsync($"/api/events/{eventKey}/results?page={page}&pageSize=500").ReadJson<ResultPage>();
            logged.AddRange(results.Items);
            if (logged.Count >= results.Total) break;
        }
        var organizationOf = products.ToDictionary(p => p.Key, p => p.Organization);
        var engineers = new Dictionary<string, HttpClient>();
        foreach (var result in logged)
        {
            var review = faker.Random.WeightedRandom(["reported", "confirmed", "disputed"], [0.4f, 0.5f, 0.1f]);
            if (review == "reported") continue;
            var organization = organizationOf[result.Initiator];
            if (!engineers.TryGetValue(organization, out var engineer))
                engineers[organization] = engineer = await app.ClientFor(Roles.Engineer, organization);
            var url = $"/api/events/{eventKey}/results/{result.Id}/{(review == "confirmed" ? "confirm" : "dispute")}";
            object body = review == "confirmed" ? new { } : new { reason = $"qx-reason-{result.Id} {faker.Lorem.Sentence()}" };
            var answer = await engineer.PostJson(url, body).ReadJson<ResultInfo>();
            if (answer.StatusReason is { } reason) notes.Add(reason);
        }
        return (notes, issues, logged.Count);
    }
}
