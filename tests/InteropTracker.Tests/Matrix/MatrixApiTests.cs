using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using InteropTracker.Access;
using InteropTracker.Core;

namespace InteropTracker.Tests.Matrix;

/// <summary>
/// A small event counted by hand, read back through /matrix, /summary and /test-case-stats.
///
/// Products (by key): acme-a and acme-b of Acme, bolt-x of Bolt, cobra-y of Cobra. All declare SIP; acme-a and
/// cobra-y also WebRTC. acme-a, acme-b and cobra-y declare h264; acme-a and bolt-x declare transfer.
/// Cases of mini-sip: SIP-001 directional, requires h264 → every cross-organization ordered pair of
///   {acme-a, acme-b, cobra-y}: (acme-a,cobra-y) (acme-b,cobra-y) (cobra-y,acme-a) (cobra-y,acme-b) = 4 cells.
/// SIP-002 non-directional → every unordered cross-organization pair once, smaller key first:
///   (acme-a,bolt-x) (acme-a,cobra-y) (acme-b,bolt-x) (acme-b,cobra-y) (bolt-x,cobra-y) = 5 cells.
/// SIP-003 directional, the initiator needs transfer → initiators acme-a or bolt-x:
///   (acme-a,bolt-x) (acme-a,cobra-y) (bolt-x,acme-a) (bolt-x,acme-b) (bolt-x,cobra-y) = 5 cells.
/// mini-web WEB-001 directional → (acme-a,cobra-y) (cobra-y,acme-a) = 2 cells.
/// </summary>
public class MatrixApiTests(MatrixApiTests.HandCountedEvent app) : IClassFixture<MatrixApiTests.HandCountedEvent>
{
    private const string Event = HandCountedEvent.Key;

    /// <summary>The app with the hand-counted event made once for the whole class.</summary>
    public sealed class HandCountedEvent : AppFixture, IAsyncLifetime
    {
        public const string Key = "hand-count";

        public Task InitializeAsync() => Seed(this);

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
    }

    private const string SipPlan = """
        plan: mini-sip
        title: Mini SIP
        version: "1.0"
        technology: SIP
        source: hand-count fixture
        sections:
          - id: calls
            title: Calls
            cases:
              - id: SIP-001
                title: Video call
                purpose: Two-way H.264 video.
                steps: [Initiator calls, Responder answers]
                expected: [Two-way video]
                references: ["RFC 6184"]
                priority: mandatory
                requires: [h264]
              - id: SIP-002
                title: Codec negotiation
                purpose: Both sides agree on a codec.
                steps: [One side offers, The other answers]
                expected: [A common codec]
                references: ["RFC 3264"]
                priority: recommended
                directional: false
          - id: services
            title: Services
            cases:
              - id: SIP-003
                title: Blind transfer
                purpose: The initiator transfers the call.
                steps: [Initiator calls, Initiator transfers]
                expected: [Call transferred]
                references: ["RFC 3515"]
                priority: optional
                initiator: [transfer]
        """;

    private const string WebPlan = """
        plan: mini-web
        title: Mini WebRTC
        version: "1.0"
        technology: WebRTC
        source: hand-count fixture
        sections:
          - id: media
            title: Media
            cases:
              - id: WEB-001
                title: Audio call
                purpose: Two-way Opus audio.
                steps: [Initiator calls, Responder answers]
                expected: [Two-way audio]
                references: ["RFC 7874"]
                priority: mandatory
        """;

    private static async Task Seed(AppFixture app)
    {
        var admin = app.Admin();
        foreach (var yaml in new[] { SipPlan, WebPlan })
        {
            var response = await admin.PostAsync("/api/test-plans", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        foreach (var (key, name) in new[] { ("acme", "Acme"), ("bolt", "Bolt"), ("cobra", "Cobra") })
            await Created(admin.PostAsJsonAsync("/api/organizations", new { key, name }));
        await Product(app, "acme-a", "acme", ["SIP", "WebRTC"], ["h264", "transfer"]);
        await Product(app, "acme-b", "acme", ["SIP"], ["h264"]);
        await Product(app, "bolt-x", "bolt", ["SIP"], ["transfer"]);
        await Product(app, "cobra-y", "cobra", ["SIP", "WebRTC"], ["h264"]);
        await Created(admin.PostAsJsonAsync("/api/events", new
        {
            key = Event, name = "Hand count", location = "Lab", startDate = "2026-11-02", endDate = "2026-11-06",
            plans = new[] { new { plan = "mini-sip", version = "1.0" }, new { plan = "mini-web", version = "1.0" } },
        }));
        Assert.True((await admin.PostAsJsonAsync($"/api/events/{Event}/participants",
            new { products = new[] { "acme-a", "acme-b", "bolt-x", "cobra-y" } })).IsSuccessStatusCode);
        Assert.True((await admin.PostAsJsonAsync($"/api/events/{Event}/status", new { status = "open" })).IsSuccessStatusCode);

        await Log(app, "mini-sip", "SIP-001", "acme-a", "cobra-y", "pass");
        await Log(app, "mini-sip", "SIP-001", "cobra-y", "acme-a", "fail");
        await Log(app, "mini-sip", "SIP-002", "cobra-y", "acme-a", "pass"); // stored as (acme-a, cobra-y)
        await Log(app, "mini-sip", "SIP-003", "acme-a", "bolt-x", "pass");
        await Log(app, "mini-sip", "SIP-003", "acme-a", "bolt-x", "fail"); // a revision: the current verdict is fail
        await Log(app, "mini-sip", "SIP-002", "acme-b", "bolt-x", "na");
        await Log(app, "mini-sip", "SIP-003", "bolt-x", "cobra-y", "blocked");
        await Log(app, "mini-sip", "SIP-001", "acme-b", "cobra-y", "pass");
        await Log(app, "mini-web", "WEB-001", "acme-a", "cobra-y", "pass");
    }

    private static async Task Product(AppFixture app, string key, string organization, string[] technologies, string[] capabilities) =>
        await Created(app.Admin().PostAsJsonAsync("/api/products", new
        {
            key, organization, name = key.ToUpperInvariant(), version = "1", kind = "endpoint", technologies, capabilities,
        }));

    private static async Task Log(AppFixture app, string plan, string @case, string initiator, string responder, string verdict) =>
        await Created(app.Admin().PostAsJsonAsync($"/api/events/{Event}/results",
            new { plan, @case, initiator, responder, verdict }));

    private static async Task Created(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK,
            $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static long[] Numbers(JsonElement tally) =>
        new[] { "planned", "pass", "fail", "na", "blocked", "untested", "executed" }.Select(n => tally.GetProperty(n).GetInt64()).ToArray();

    private static double? Rate(JsonElement tally) =>
        tally.GetProperty("rate").ValueKind == JsonValueKind.Null ? null : tally.GetProperty("rate").GetDouble();

    private static Dictionary<(string, string), JsonElement> CellsOf(JsonElement matrix) =>
        matrix.GetProperty("cells").EnumerateArray().ToDictionary(
            c => (c.GetProperty("initiator").GetString()!, c.GetProperty("responder").GetString()!),
            c => c.GetProperty("tally"));

    [Fact]
    public async Task The_ordered_SIP_matrix_matches_the_hand_count_cell_by_cell()
    {
        var matrix = await app.Admin().GetAsync($"/api/events/{Event}/matrix?technology=SIP").ReadJson<JsonElement>();
        var cells = CellsOf(matrix);

        //                                        planned pass fail na blocked untested executed
        var expected = new Dictionary<(string, string), long[]>
        {
            [("acme-a", "bolt-x")] = [2, 0, 1, 0, 0, 1, 1],   // SIP-002 untested, SIP-003 fail (revised from pass)
            [("acme-a", "cobra-y")] = [3, 2, 0, 0, 0, 1, 2],  // SIP-001 pass, SIP-002 pass (logged reversed), SIP-003 untested
            [("acme-b", "bolt-x")] = [1, 0, 0, 1, 0, 0, 0],   // SIP-002 na
            [("acme-b", "cobra-y")] = [2, 1, 0, 0, 0, 1, 1],  // SIP-001 pass, SIP-002 untested
            [("bolt-x", "acme-a")] = [1, 0, 0, 0, 0, 1, 0],   // SIP-003
            [("bolt-x", "acme-b")] = [1, 0, 0, 0, 0, 1, 0],   // SIP-003
            [("bolt-x", "cobra-y")] = [2, 0, 0, 0, 1, 1, 0],  // SIP-002 untested, SIP-003 blocked
            [("cobra-y", "acme-a")] = [1, 0, 1, 0, 0, 0, 1],  // SIP-001 fail
            [("cobra-y", "acme-b")] = [1, 0, 0, 0, 0, 1, 0],  // SIP-001
        };
        Assert.Equal(expected.Keys.Order(), cells.Keys.Order());
        foreach (var (pair, numbers) in expected)
            Assert.True(numbers.SequenceEqual(Numbers(cells[pair])), $"cell {pair}: {cells[pair]}");

        Assert.Equal(0.0, Rate(cells[("acme-a", "bolt-x")]));
        Assert.Equal(1.0, Rate(cells[("acme-a", "cobra-y")]));
        Assert.Null(Rate(cells[("acme-b", "bolt-x")]));
        Assert.Equal(1.0, cells[("acme-b", "bolt-x")].GetProperty("progress").GetDouble());

        var total = matrix.GetProperty("total");
        Assert.Equal([14, 3, 2, 1, 1, 7, 5], Numbers(total));
        Assert.Equal(0.6, Rate(total));
        Assert.Equal(0.5, total.GetProperty("progress").GetDouble());

        var rows = matrix.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("product").GetString()!, r => Numbers(r.GetProperty("tally")));
        Assert.Equal([5, 2, 1, 0, 0, 2, 3], rows["acme-a"]);
        Assert.Equal([3, 1, 0, 1, 0, 1, 1], rows["acme-b"]);
        Assert.Equal([4, 0, 0, 0, 1, 3, 0], rows["bolt-x"]);
        Assert.Equal([2, 0, 1, 0, 0, 1, 1], rows["cobra-y"]);
        var columns = matrix.GetProperty("columns").EnumerateArray()
            .ToDictionary(r => r.GetProperty("product").GetString()!, r => Numbers(r.GetProperty("tally")));
        Assert.Equal([2, 0, 1, 0, 0, 1, 1], columns["acme-a"]);
        Assert.Equal([2, 0, 0, 0, 0, 2, 0], columns["acme-b"]);
        Assert.Equal([3, 0, 1, 1, 0, 1, 1], columns["bolt-x"]);
        Assert.Equal([7, 3, 0, 0, 1, 3, 3], columns["cobra-y"]);
    }

    [Fact]
    public async Task The_pair_view_sums_both_directions_once_per_pair()
    {
        var matrix = await app.Admin().GetAsync($"/api/events/{Event}/matrix?technology=SIP&view=pair").ReadJson<JsonElement>();
        Assert.Equal("pair", matrix.GetProperty("view").GetString());
        var cells = CellsOf(matrix);
        var expected = new Dictionary<(string, string), long[]>
        {
            [("acme-a", "bolt-x")] = [3, 0, 1, 0, 0, 2, 1],
            [("acme-a", "cobra-y")] = [4, 2, 1, 0, 0, 1, 3],
            [("acme-b", "bolt-x")] = [2, 0, 0, 1, 0, 1, 0],
            [("acme-b", "cobra-y")] = [3, 1, 0, 0, 0, 2, 1],
            [("bolt-x", "cobra-y")] = [2, 0, 0, 0, 1, 1, 0],
        };
        Assert.Equal(expected.Keys.Order(), cells.Keys.Order());
        foreach (var (pair, numbers) in expected)
            Assert.True(numbers.SequenceEqual(Numbers(cells[pair])), $"cell {pair}: {cells[pair]}");
        Assert.Equal([14, 3, 2, 1, 1, 7, 5], Numbers(matrix.GetProperty("total")));
    }

    [Fact]
    public async Task Scopes_narrow_the_matrix_to_a_plan_section_or_case()
    {
        var admin = app.Admin();
        var section = await admin.GetAsync($"/api/events/{Event}/matrix?plan=mini-sip&section=services").ReadJson<JsonElement>();
        Assert.Equal([5, 0, 1, 0, 1, 3, 1], Numbers(section.GetProperty("total")));

        var oneCase = await admin.GetAsync($"/api/events/{Event}/matrix?case=SIP-002").ReadJson<JsonElement>();
        Assert.Equal([5, 1, 0, 1, 0, 3, 1], Numbers(oneCase.GetProperty("total")));
        Assert.Equal(5, oneCase.GetProperty("cells").GetArrayLength());

        var web = await admin.GetAsync($"/api/events/{Event}/matrix?technology=webrtc").ReadJson<JsonElement>();
        Assert.Equal([2, 1, 0, 0, 0, 1, 1], Numbers(web.GetProperty("total")));

        var unknown = await Problem.ReadAsync(await admin.GetAsync($"/api/events/{Event}/matrix?section=nowhere"), HttpStatusCode.NotFound);
        Assert.Contains("nowhere", unknown.Detail);
        var badView = await Problem.ReadAsync(await admin.GetAsync($"/api/events/{Event}/matrix?view=diagonal"), HttpStatusCode.BadRequest);
        Assert.Contains("view", badView.Errors.Keys);
    }

    [Fact]
    public async Task The_summary_totals_each_technology_and_plan()
    {
        var summary = await app.Admin().GetAsync($"/api/events/{Event}/summary").ReadJson<JsonElement>();
        Assert.Equal([16, 4, 2, 1, 1, 8, 6], Numbers(summary.GetProperty("total")));
        Assert.Equal(4, summary.GetProperty("participants").GetInt32());
        var technologies = summary.GetProperty("technologies").EnumerateArray()
            .ToDictionary(t => t.GetProperty("technology").GetString()!, t => t);
        Assert.Equal([14, 3, 2, 1, 1, 7, 5], Numbers(technologies["SIP"].GetProperty("tally")));
        Assert.Equal([2, 1, 0, 0, 0, 1, 1], Numbers(technologies["WebRTC"].GetProperty("tally")));
        // Eight current results, none confirmed or disputed yet.
        var statuses = summary.GetProperty("statuses");
        Assert.Equal(8, statuses.GetProperty("reported").GetInt64());
        Assert.Equal(0, statuses.GetProperty("confirmed").GetInt64());
        var plans = summary.GetProperty("plans").EnumerateArray().ToDictionary(p => p.GetProperty("plan").GetString()!, p => p);
        Assert.Equal("1.0", plans["mini-sip"].GetProperty("version").GetString());
        Assert.Equal([14, 3, 2, 1, 1, 7, 5], Numbers(plans["mini-sip"].GetProperty("tally")));
    }

    [Fact]
    public async Task Test_case_statistics_rank_the_worst_case_first_with_its_passing_pairs()
    {
        var stats = await app.Admin().GetAsync($"/api/events/{Event}/test-case-stats?technology=SIP").ReadJson<JsonElement>();
        var ranked = stats.EnumerateArray().ToList();
        Assert.Equal(["SIP-003", "SIP-001", "SIP-002"], ranked.Select(s => s.GetProperty("case").GetString()));
        Assert.Equal([5, 0, 1, 0, 1, 3, 1], Numbers(ranked[0].GetProperty("tally")));
        Assert.Equal([4, 2, 1, 0, 0, 1, 3], Numbers(ranked[1].GetProperty("tally")));
        Assert.Equal([5, 1, 0, 1, 0, 3, 1], Numbers(ranked[2].GetProperty("tally")));
        Assert.Equal([0L, 2L, 1L], ranked.Select(s => s.GetProperty("passingPairs").GetInt64()));
        Assert.Equal([false, true, false], ranked.Select(s => s.GetProperty("twoPassingPairs").GetBoolean()));
        Assert.Equal(2.0 / 3, Rate(ranked[1].GetProperty("tally"))!.Value, 4);
    }

    [Fact]
    public async Task The_anonymised_matrix_names_no_organization_product_or_key()
    {
        var response = await app.Admin().GetAsync($"/api/events/{Event}/matrix?technology=SIP&anonymize=true");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var secret in new[] { "acme", "Acme", "bolt", "Bolt", "cobra", "Cobra", "ACME-A", "COBRA-Y" })
            Assert.DoesNotContain(secret, body);

        var matrix = JsonDocument.Parse(body).RootElement;
        var labels = matrix.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("label").GetString()!).ToList();
        Assert.Equal(4, labels.Count);
        Assert.All(labels, l => Assert.Matches(@"^Vendor [A-C] · [12]$", l));
        Assert.Equal(3, labels.Select(l => l.Split(" · ")[0]).Distinct().Count());
        Assert.Equal(labels.Order(StringComparer.Ordinal), labels); // listed in label order
        Assert.Equal([14, 3, 2, 1, 1, 7, 5], Numbers(matrix.GetProperty("total")));
    }

    [Fact]
    public async Task An_engineer_reads_only_the_numbers_of_events_its_organization_takes_part_in()
    {
        await Created(app.Admin().PostAsJsonAsync("/api/organizations", new { key = "outsider", name = "Outsider" }));
        var outsider = await app.ClientFor(Roles.Engineer, "outsider");
        await Problem.ReadAsync(await outsider.GetAsync($"/api/events/{Event}/matrix"), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await outsider.GetAsync($"/api/events/{Event}/summary"), HttpStatusCode.NotFound);

        var insider = await app.ClientFor(Roles.Engineer, "bolt");
        Assert.Equal(HttpStatusCode.OK, (await insider.GetAsync($"/api/events/{Event}/matrix")).StatusCode);
        await Problem.ReadAsync(await app.Anonymous().GetAsync($"/api/events/{Event}/matrix"), HttpStatusCode.Unauthorized);
    }
}
