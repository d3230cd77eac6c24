using Bogus;
using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.Reports;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// An event's report facts made from the pure core alone (Planning, MatrixTable, CaseRanking) with Bogus names:
/// organizations with awkward names (quotes, ampersands), products over SIP and WebRTC, notes and issue references
/// on some results. Every name, key, note and issue is returned for the anonymisation scans.
/// </summary>
internal sealed class ReportSample
{
    public required ReportFacts Facts { get; init; }
    public required IReadOnlyList<Participant> Products { get; init; }
    public required IReadOnlyList<StoredResult> Results { get; init; }

    /// <summary>Every string the anonymised report must not carry.</summary>
    public IEnumerable<string> Secrets =>
        Products.SelectMany(p => new[] { p.Name, p.Key, p.OrganizationName, p.OrganizationKey })
            .Concat(Results.SelectMany(r => new[] { r.Notes, r.Issue, r.StatusReason }).OfType<string>())
            .Distinct();

    /// <summary>Fails when the text carries any secret, plainly or XML-escaped, or any fragment of the sample's keys.</summary>
    public void AssertSilentIn(string text)
    {
        foreach (var fragment in new[] { "zq-org", "zq-prod", "zq-note", "zq-reason", "ZQBUG" })
            Assert.DoesNotContain(fragment, text, StringComparison.OrdinalIgnoreCase);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(secret.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;"), text);
            Assert.DoesNotContain(System.Security.SecurityElement.Escape(secret), text);
        }
    }

    public static ReportSample Make(int products = 7, int organizations = 3, int seed = 11, string secret = "sample-secret")
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        var orgs = Enumerable.Range(1, organizations).Select(i => (
            Id: (long)(100 + i),
            Key: $"zq-org-{i:00}",
            Name: i % 3 == 1 ? $"{faker.Company.CompanyName()} & Söhne \"Labs\" {i}" : $"{faker.Company.CompanyName()} {i}")).ToList();
        var participants = Enumerable.Range(1, products).Select(i =>
        {
            var org = orgs[(i - 1) % organizations];
            return new Participant
            {
                Id = 1000 + i,
                Key = $"zq-prod-{i:000}",
                Name = $"{faker.Commerce.ProductAdjective()} {faker.Hacker.Noun()} Phone {i:000}",
                Version = $"{faker.Random.Int(1, 9)}.{faker.Random.Int(0, 20)}",
                Kind = faker.PickRandom("endpoint", "mcu", "gateway", "sbc", "browser"),
                OrganizationId = org.Id,
                OrganizationKey = org.Key,
                OrganizationName = org.Name,
                Technologies = new HashSet<string>(i % 4 == 0 ? ["SIP"] : ["SIP", "WebRTC"], StringComparer.OrdinalIgnoreCase),
                Capabilities = new HashSet<string>(i % 3 == 0 ? ["h264", "opus"] : ["h264", "vp8", "opus", "tls"], StringComparer.Ordinal),
            };
        }).ToList();

        var caseFacts = new List<CaseDetails>();
        var planned = new List<PlannedCase>();
        void AddCase(long id, string plan, string technology, string section, string key, string title, bool directional = true,
            IReadOnlyList<string>? requires = null)
        {
            var @case = new PlannedCase
            {
                Id = id, PlanId = plan == "sip-video-basic" ? 1 : 2, Plan = plan, Section = section, Key = key,
                Technology = technology, Directional = directional, Requires = requires ?? [],
                Attributes = technology == "SIP" ? Transports : ResultAttributes.None,
            };
            planned.Add(@case);
            caseFacts.Add(new CaseDetails
            {
                Case = @case, PlanVersion = "1.0", PlanTitle = plan, SectionTitle = section.Replace('-', ' '), Title = title,
                Priority = "mandatory", Ordinal = id,
            });
        }
        AddCase(1, "sip-video-basic", "SIP", "call-setup", "SIP-CS-001", "Audio and video call over UDP", requires: ["h264"]);
        AddCase(2, "sip-video-basic", "SIP", "call-setup", "SIP-CS-002", "Call over TLS", requires: ["tls"]);
        AddCase(3, "sip-video-basic", "SIP", "media", "SIP-MD-001", "Opus audio both ways", directional: false, requires: ["opus"]);
        AddCase(4, "sip-video-basic", "SIP", "media", "SIP-MD-002", "Hold and resume");
        AddCase(5, "webrtc-gateway", "WebRTC", "signalling", "WRTC-SG-001", "Offer and answer through the gateway");
        AddCase(6, "webrtc-gateway", "WebRTC", "media", "WRTC-MD-001", "VP8 video", requires: ["vp8"]);
        AddCase(7, "webrtc-gateway", "WebRTC", "media", "WRTC-MD-002", "Data channel", directional: false);

        var results = new List<StoredResult>();
        var at = new DateTime(2026, 5, 12, 9, 0, 0, DateTimeKind.Utc);
        foreach (var cell in Planning.Cells(planned, participants, includeSameOrganization: false))
        {
            if (faker.Random.Double() < 0.15) continue;
            var verdict = faker.Random.WeightedRandom([Verdict.Pass, Verdict.Fail, Verdict.Na, Verdict.Blocked], [0.65f, 0.2f, 0.08f, 0.07f]);
            var status = faker.Random.WeightedRandom([ReviewStatus.Reported, ReviewStatus.Confirmed, ReviewStatus.Disputed], [0.4f, 0.5f, 0.1f]);
            var n = results.Count + 1;
            results.Add(new StoredResult(cell.Case.Id, cell.Initiator.Id, cell.Responder.Id, verdict, status, faker.Random.Int(1, 3),
                at.AddMinutes(7 * n), n % 3 == 0 ? $"zq-note {n}: {faker.Lorem.Sentence()}" : null,
                n % 4 == 0 ? $"ZQBUG-{4000 + n}" : null, status == ReviewStatus.Disputed ? $"zq-reason {n}" : null));
        }

        var technologies = planned.Select(c => c.Technology).Distinct().Order(StringComparer.OrdinalIgnoreCase).ToList();
        var matrices = technologies.Select(t =>
        {
            var cases = planned.Where(c => c.Technology == t).ToList();
            var ids = cases.Select(c => c.Id).ToHashSet();
            var counts = results.Where(r => ids.Contains(r.CaseId))
                .GroupBy(r => (r.InitiatorId, r.ResponderId, r.Verdict))
                .Select(g => new CellCount(g.Key.InitiatorId, g.Key.ResponderId, g.Key.Verdict, g.LongCount()));
            return (t, MatrixTable.Build(Planning.Count(cases, participants, false), counts));
        }).ToList();

        var plannedAll = Planning.Count(planned, participants, false);
        var caseCounts = results.GroupBy(r => (r.CaseId, r.Verdict)).Select(g => new CaseCount(g.Key.CaseId, g.Key.Verdict, g.LongCount()));
        var passingPairs = results.Where(r => r.Verdict == Verdict.Pass)
            .Select(r => (r.CaseId, Low: Math.Min(r.InitiatorId, r.ResponderId), High: Math.Max(r.InitiatorId, r.ResponderId)))
            .Distinct().GroupBy(p => p.CaseId).ToDictionary(g => g.Key, g => g.LongCount());
        var ranking = CaseRanking.Rank(planned, plannedAll, caseCounts, passingPairs);

        StatusCounts Statuses(IEnumerable<long> caseIds)
        {
            var set = caseIds.ToHashSet();
            var mine = results.Where(r => set.Contains(r.CaseId)).ToList();
            return new StatusCounts(mine.Count(r => r.Status == ReviewStatus.Reported), mine.Count(r => r.Status == ReviewStatus.Confirmed),
                mine.Count(r => r.Status == ReviewStatus.Disputed));
        }
        Tally Sum(IEnumerable<CaseStatistics> stats) => stats.Aggregate(default(Tally), (a, s) => a + s.Tally);
        var summary = new EventSummary(
            Sum(ranking), Statuses(planned.Select(c => c.Id)),
            technologies.Select(t => new ScopeTotals(t, null, Sum(ranking.Where(s => s.Case.Technology == t)),
                Statuses(planned.Where(c => c.Technology == t).Select(c => c.Id)))).ToList(),
            planned.GroupBy(c => (c.Technology, c.Plan)).Select(g => new ScopeTotals(g.Key.Technology, g.Key.Plan,
                Sum(ranking.Where(s => s.Case.Plan == g.Key.Plan)), Statuses(g.Select(c => c.Id)))).ToList());

        var facts = new ReportFacts
        {
            Event = new ReportEvent
            {
                Key = "superop-2026", Name = "SuperOp 2026 Video Interop", Location = "Sophia Antipolis, France",
                StartDate = new DateOnly(2026, 5, 11), EndDate = new DateOnly(2026, 5, 15), Status = "closed", Published = true,
            },
            AnonymizationSecret = secret,
            Products = participants,
            Cases = caseFacts,
            Plans =
            [
                new ReportPlan { Plan = "sip-video-basic", Version = "1.0", Title = "SIP video call interoperability", Technology = "SIP",
                                 Source = "SIP video profile best practice", Sections = 2, Cases = 4 },
                new ReportPlan { Plan = "webrtc-gateway", Version = "1.0", Title = "WebRTC gateway profile", Technology = "WebRTC",
                                 Source = "WebRTC gateway best practice", Sections = 2, Cases = 3 },
            ],
            Summary = summary,
            Matrices = matrices,
            CaseStatistics = ranking,
            ResultCount = results.Count,
            Results = initiators => Stream(results, initiators),
            AttributeShares = Shares(summary),
            // Evidence on the first results logged: a cell of each technology with some.
            Evidence = results.Take(3).Select((r, i) => new PairEvidence
                { CaseId = r.CaseId, InitiatorId = r.InitiatorId, ResponderId = r.ResponderId, Files = i + 1 }).ToList(),
        };
        return new ReportSample { Facts = facts, Products = participants, Results = results };
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Transports =
        new Dictionary<string, IReadOnlyList<string>> { ["transport"] = ["udp", "tcp", "tls"] };

    /// <summary>Half the executed SIP results over TLS, a quarter over UDP: for the technology and its plan, as the API orders them.</summary>
    private static List<AttributeShare> Shares(EventSummary summary) =>
        summary.Technologies.Where(t => t.Technology == "SIP").Concat(summary.Plans.Where(p => p.Technology == "SIP"))
            .SelectMany(scope => new[] { ("tls", scope.Tally.Executed / 2), ("udp", scope.Tally.Executed / 4) }
                .Select(v => new AttributeShare(scope.Technology, scope.Plan, "transport", v.Item1, v.Item2,
                    scope.Tally.Executed == 0 ? 0 : (double)v.Item2 / scope.Tally.Executed)))
            .ToList();

    /// <summary>As the store streams them: grouped by initiator in the order asked for.</summary>
    private static async IAsyncEnumerable<StoredResult> Stream(IReadOnlyList<StoredResult> results, IReadOnlyList<long> initiators)
    {
        foreach (var r in initiators.SelectMany(i => results.Where(r => r.InitiatorId == i)))
        {
            await Task.Yield();
            yield return r;
        }
    }

    public ReportModel Model(bool anonymise) =>
        ReportComposer.Compose(Facts, anonymise, new DateTime(2026, 5, 16, 14, 30, 0, DateTimeKind.Utc));
}
