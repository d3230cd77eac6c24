using Bogus;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Vendors;
using InteropTracker.Verdicts;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// An event set up through the HTTP API as a chair would (two plans over SIP and WebRTC, four organizations, seven
/// products, participants, status), with current results on most planned cells, some confirmed or disputed, some
/// with notes and issue references.
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

        var (notes, issues, count) = await LogResultsAsync(app, created.Key, seed);
        if (status == EventStatus.Closed) await chair.MoveTo(created.Key, EventStatus.Closed, published);
        return new ReportSeed
        {
            Event = created.Key, Organizations = organizations, Products = products, Notes = notes, Issues = issues, Results = count,
        };
    }

    /// <summary>
    /// Current results straight into the results table, one per planned cell for most cells: the results API is not
    /// on main yet. What matters here is what the reports read back, which is the same table either way.
    /// </summary>
    private static async Task<(List<string> Notes, List<string> Issues, long Count)> LogResultsAsync(AppFixture app, string eventKey, int seed)
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        using var db = app.OpenDatabase();
        var planning = (await EventPlanning.LoadAsync(db, eventKey))!;
        using var transaction = db.BeginTransaction();
        var notes = new List<string>();
        var issues = new List<string>();
        long count = 0;
        var at = new DateTime(2026, 3, 17, 9, 0, 0, DateTimeKind.Utc);
        foreach (var cell in Planning.Cells(planning.Cases, planning.Contenders, planning.Event.IncludeSameOrganization))
        {
            if (faker.Random.Double() < 0.2) continue;
            count++;
            var verdict = faker.Random.WeightedRandom([Verdict.Pass, Verdict.Fail, Verdict.Na, Verdict.Blocked], [0.6f, 0.25f, 0.08f, 0.07f]);
            var status = faker.Random.WeightedRandom(["reported", "confirmed", "disputed"], [0.4f, 0.5f, 0.1f]);
            string? note = count % 3 == 0 ? $"qx-note-{count} {faker.Lorem.Sentence()}" : null;
            string? issue = count % 4 == 0 ? $"QXBUG-{7000 + count}" : null;
            string? reason = status == "disputed" ? $"qx-reason-{count} {faker.Lorem.Sentence()}" : null;
            if (note is not null) notes.Add(note);
            if (issue is not null) issues.Add(issue);
            if (reason is not null) notes.Add(reason);
            await db.ExecuteAsync("""
                INSERT INTO results (event_id, case_id, initiator_id, responder_id, verdict, notes, issue, revision, status,
                                     status_reason, updated_at)
                VALUES (@eventId, @caseId, @initiator, @responder, @verdict, @note, @issue, 1, @status, @reason, @at)
                """,
                new
                {
                    eventId = planning.Event.Id, caseId = cell.Case.Id, initiator = cell.Initiator.Id, responder = cell.Responder.Id,
                    verdict = verdict.Name(), note, issue, status, reason, at = InteropTracker.Storage.Clock.Format(at.AddMinutes(count * 3)),
                }, transaction);
        }
        transaction.Commit();
        return (notes, issues, count);
    }
}
