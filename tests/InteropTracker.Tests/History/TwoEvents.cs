using System.Net;
using InteropTracker.Core;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.History;

/// <summary>
/// Two events of one series, set up through the API as a chair would, small enough to count by hand. Three vendors
/// come back with new versions of their products (new keys, same lines); the plan moves from 1.0 to 2.0, where CASE-4 is
/// reworded and CASE-5 added. A fourth vendor (D) comes to the later event only.
///
/// Earlier (plan 1.0)                        Later (plan 2.0)                          change
///   CASE-1 phone → bridge   pass              fail                                     regressed (on purpose)
///   CASE-1 bridge → phone   fail              pass                                     fixed
///   CASE-1 phone → gateway  pass              —                                        dropped
///   CASE-2 phone → gateway  —                 pass                                     new
///   CASE-2 bridge → gateway pass              pass                                     stayed
///   CASE-2 gateway → phone  fail              fail                                     stayed
///   CASE-2 gateway → bridge pass              blocked                                  other
///   CASE-3 bridge ⇄ gateway pass              fail                                     regressed (non-directional: stored
///                                                                                       bridge-first before, gateway-first after)
///   CASE-4 phone → bridge   pass              pass                                     stayed, case changed
///   CASE-5 phone → bridge   —                 pass                                     new (a case of 2.0 only)
/// </summary>
public sealed class TwoEvents
{
    public required HttpClient Chair { get; init; }
    public required string Plan { get; init; }
    public required string Earlier { get; init; }
    public required string Later { get; init; }
    public required Organization A { get; init; }
    public required Organization B { get; init; }
    public required Organization C { get; init; }
    public required Organization D { get; init; }
    public required string PhoneLine { get; init; }
    public required string BridgeLine { get; init; }
    public required string GatewayLine { get; init; }
    public required Product OldPhone { get; init; }
    public required Product OldBridge { get; init; }
    public required Product OldGateway { get; init; }
    public required Product NewPhone { get; init; }
    public required Product NewBridge { get; init; }
    public required Product NewGateway { get; init; }

    public string Diff(string query = "") => $"/api/history/diff?from={Earlier}&to={Later}{query}";

    public static async Task<TwoEvents> SetUpAsync(AppFixture app, Build build)
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = Build.UniqueKey("series-plan");
        PlanSpec Plan(string version, params CaseSpec[] cases) => new()
        {
            Plan = plan, Version = version, Sections = [new SectionSpec { Id = "calls", Title = "Calls", Cases = cases }],
        };
        CaseSpec[] common =
        [
            new() { Id = "CASE-1", Title = "Audio and video call", Requires = ["h264"] },
            new() { Id = "CASE-2", Title = "Call on hold" },
            new() { Id = "CASE-3", Title = "DTMF both ways", Directional = false },
        ];
        await chair.LoadPlan(Plan("1.0", [.. common, new CaseSpec { Id = "CASE-4", Title = "Transfer" }]));
        await chair.LoadPlan(Plan("2.0", [.. common, new CaseSpec { Id = "CASE-4", Title = "Attended transfer" },
            new CaseSpec { Id = "CASE-5", Title = "Call park" }]));

        var (a, b, c, d) = (await chair.Register(build.Organization()), await chair.Register(build.Organization()),
            await chair.Register(build.Organization()), await chair.Register(build.Organization()));
        var u = Build.UniqueKey("s");
        // Product keys chosen so that the bridge's key sorts before the gateway's in the earlier event and after it in
        // the later one, while the bridge's line sorts first in both: CASE-3's cell must still match.
        async Task<Product> Product(Organization o, string key, string line, string version) =>
            await chair.Register(build.Product(o.Key) with
            {
                Key = $"{u}-{key}", Line = $"{u}-{line}", Version = version, Technologies = ["SIP"], Capabilities = ["h264"],
            });
        var oldPhone = await Product(a, "a-phone", "phone", "1.0");
        var oldBridge = await Product(b, "b-bridge", "bridge", "4.1");
        var oldGateway = await Product(c, "c-gateway", "gateway", "2.0");
        var newPhone = await Product(a, "z-phone", "phone", "2.0");
        var newBridge = await Product(b, "y-bridge", "bridge", "5.0");
        var newGateway = await Product(c, "x-gateway", "gateway", "3.0");
        var newcomer = await Product(d, "d-camera", "camera", "1.0");

        var earlier = await chair.Create(build.Event(plan) with
        {
            StartDate = "2026-03-02", EndDate = "2026-03-06", Plans = [new() { Plan = plan, Version = "1.0" }],
        });
        var later = await chair.Create(build.Event(plan) with
        {
            StartDate = "2026-09-07", EndDate = "2026-09-11", Plans = [new() { Plan = plan, Version = "2.0" }],
        });
        await chair.Enter(earlier.Key, oldPhone.Key, oldBridge.Key, oldGateway.Key);
        await chair.Enter(later.Key, newPhone.Key, newBridge.Key, newGateway.Key, newcomer.Key);

        // The vendors' engineers log what they ran, each the pairings its product initiated.
        var engineers = new Dictionary<string, HttpClient>();
        async Task Log(string @event, params (string Case, Product Initiator, Product Responder, string Verdict)[] rows)
        {
            foreach (var group in rows.GroupBy(r => r.Initiator.Organization))
            {
                if (!engineers.TryGetValue(group.Key, out var engineer))
                    engineers[group.Key] = engineer = await app.ClientFor(Roles.Engineer, group.Key);
                await Import(engineer, @event, "plan,case,initiator,responder,verdict\n" +
                    string.Concat(group.Select(r => $"{plan},{r.Case},{r.Initiator.Key},{r.Responder.Key},{r.Verdict}\n")));
            }
        }
        await chair.MoveTo(earlier.Key, "open");
        await Log(earlier.Key,
            ("CASE-1", oldPhone, oldBridge, "pass"), ("CASE-1", oldBridge, oldPhone, "fail"), ("CASE-1", oldPhone, oldGateway, "pass"),
            ("CASE-2", oldBridge, oldGateway, "pass"), ("CASE-2", oldGateway, oldPhone, "fail"), ("CASE-2", oldGateway, oldBridge, "pass"),
            ("CASE-3", oldBridge, oldGateway, "pass"), ("CASE-4", oldPhone, oldBridge, "pass"));
        await chair.MoveTo(earlier.Key, "closed");

        await chair.MoveTo(later.Key, "open");
        await Log(later.Key,
            ("CASE-1", newPhone, newBridge, "fail"), ("CASE-1", newBridge, newPhone, "pass"), ("CASE-2", newPhone, newGateway, "pass"),
            ("CASE-2", newBridge, newGateway, "pass"), ("CASE-2", newGateway, newPhone, "fail"), ("CASE-2", newGateway, newBridge, "blocked"),
            ("CASE-3", newGateway, newBridge, "fail"), ("CASE-4", newPhone, newBridge, "pass"), ("CASE-5", newPhone, newBridge, "pass"));

        return new TwoEvents
        {
            Chair = chair, Plan = plan, Earlier = earlier.Key, Later = later.Key, A = a, B = b, C = c, D = d,
            PhoneLine = $"{u}-phone", BridgeLine = $"{u}-bridge", GatewayLine = $"{u}-gateway",
            OldPhone = oldPhone, OldBridge = oldBridge, OldGateway = oldGateway,
            NewPhone = newPhone, NewBridge = newBridge, NewGateway = newGateway,
        };
    }

    private static async Task Import(HttpClient engineer, string @event, string csv)
    {
        var response = await engineer.PostAsync($"/api/events/{@event}/results/import", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
