using System.Net;
using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Matrix;
using InteropTracker.Tests.TestPlans;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.EventResults;

/// <summary>
/// Results carry the attributes their plan declares (DESIGN.md "Evidence, causes and attributes"), from the API and the
/// import; the matrix, statistics and summary filter by them and the summary gives each value's share.
/// </summary>
public class ResultAttributesTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 1414);

    /// <summary>An open event of one attributed plan (two cases), three products of three vendors.</summary>
    internal sealed record Floor(string Event, string Plan, Product A, Product B, Product C, HttpClient EngineerA, HttpClient Chair,
        HttpClient Admin, AppFixture App)
    {
        public string Results => $"/api/events/{Event}/results";

        public object Result(string @case, Product initiator, Product responder, string verdict, object? attributes) =>
            new { plan = Plan, @case, initiator = initiator.Key, responder = responder.Key, verdict, attributes };

        public (long Results, long Revisions, long WithAttributes) Counts()
        {
            using var db = App.OpenDatabase();
            const string sql = $"""
                SELECT (SELECT count(*) FROM results WHERE event_id = e.id),
                       (SELECT count(*) FROM {ResultStore.AllRevisions} v JOIN results r ON r.id = v.result_id WHERE r.event_id = e.id),
                       (SELECT count(*) FROM results WHERE event_id = e.id AND attributes IS NOT NULL)
                FROM events e WHERE e.key = @key
                """;
            return db.QuerySingle<(long, long, long)>(sql, new { key = Event });
        }
    }

    private Task<Floor> OpenAsync() => OpenAsync(app, _build);

    internal static async Task<Floor> OpenAsync(AppFixture app, Build build)
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = Build.UniqueKey("attributed");
        await chair.LoadPlan($"""
            plan: {plan}
            title: Attributed calls
            version: "1.0"
            technology: SIP
            attributes: {"{"}transport: [udp, tcp, tls], video-codec: [h264, vp8, av1]{"}"}
            sections:
              - id: calls
                title: Calls
                cases:
                  - id: CALL-1
                    title: Call
                    purpose: A call is set up.
                    steps: [Dial]
                    expected: [Answered]
                    priority: mandatory
                  - id: CALL-2
                    title: Video call
                    purpose: A video call is set up.
                    steps: [Dial]
                    expected: [Video both ways]
                    priority: mandatory
            """);
        var (a, b, c) = (await chair.Register(build.Organization()), await chair.Register(build.Organization()),
            await chair.Register(build.Organization()));
        var products = new List<Product>();
        foreach (var organization in new[] { a, b, c })
            products.Add(await chair.Register(build.Product(organization.Key) with { Technologies = ["SIP"], Capabilities = [] }));
        var @event = await chair.Create(build.Event(plan));
        await chair.Enter(@event.Key, products.Select(p => p.Key).ToArray());
        await chair.MoveTo(@event.Key, "open");
        return new Floor(@event.Key, plan, products[0], products[1], products[2],
            await app.ClientFor(Roles.Engineer, a.Key), chair, await app.ClientFor(Roles.Admin), app);
    }

    [Fact]
    public async Task A_result_keeps_its_attributes_on_its_revision_and_in_its_answer()
    {
        var floor = await OpenAsync();

        var logged = await floor.EngineerA.PostJson(floor.Results,
            floor.Result("CALL-1", floor.A, floor.B, "fail", new Dictionary<string, string> { ["video-codec"] = "vp8", ["transport"] = "tls" }))
            .ReadJson<ResultInfo>(HttpStatusCode.Created);
        Assert.Equal(new Dictionary<string, string> { ["transport"] = "tls", ["video-codec"] = "vp8" }, logged.Attributes);

        // A new revision without attributes stores none, and the one it replaced keeps its own.
        await floor.EngineerA.PostJson(floor.Results, floor.Result("CALL-1", floor.A, floor.B, "pass", null))
            .ReadJson<ResultInfo>(HttpStatusCode.Created);
        using var db = app.OpenDatabase();
        Assert.Null(db.QuerySingle<string?>("SELECT attributes FROM results WHERE id = @Id", new { logged.Id }));
        Assert.Equal("""{"transport":"tls","video-codec":"vp8"}""",
            db.QuerySingle<string>("SELECT attributes FROM result_revisions WHERE result_id = @Id", new { logged.Id }));
        var read = await floor.Chair.GetAsync($"{floor.Results}/{logged.Id}").ReadJson<ResultInfo>();
        Assert.Null(read.Attributes);
        var history = await floor.Chair.GetAsync($"{floor.Results}/{logged.Id}/history").ReadJson<ResultsApi.ResultHistory>();
        Assert.Equal([null, "tls"], history.Revisions.Select(r => r.Attributes?.GetValueOrDefault("transport")));
    }

    [Theory]
    [InlineData("colour", "red", "'colour' is not an attribute of plan")]
    [InlineData("transport", "sctp", "'sctp' is not a value of transport in plan")]
    public async Task An_unknown_attribute_or_value_is_refused_with_its_key_and_nothing_is_logged(string name, string value, string expected)
    {
        var floor = await OpenAsync();
        var before = floor.Counts();

        var problem = await Problem.ReadAsync(await floor.EngineerA.PostJson(floor.Results,
            floor.Result("CALL-1", floor.A, floor.B, "pass", new Dictionary<string, string> { [name] = value })), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(expected, Assert.Single(problem.Errors[$"attributes.{name}"]));
        Assert.Equal(before, floor.Counts());
    }

    [Fact]
    public async Task The_import_reads_attr_columns_and_names_the_row_of_a_bad_value_storing_nothing()
    {
        var floor = await OpenAsync();
        var csv = $"plan,case,initiator,responder,verdict,attr.transport,attr.video-codec\n" +
                  $"{floor.Plan},CALL-1,{floor.A.Key},{floor.B.Key},pass,tls,h264\n" +
                  $"{floor.Plan},CALL-1,{floor.B.Key},{floor.A.Key},fail,udp,\n" +
                  $"{floor.Plan},CALL-2,{floor.A.Key},{floor.C.Key},pass,,\n";
        (await floor.EngineerA.PostAsync($"{floor.Results}/import", TestFloor.Content(csv, "text/csv"))).EnsureSuccessStatusCode();

        using (var db = app.OpenDatabase())
            Assert.Equal(["""{"transport":"tls","video-codec":"h264"}""", """{"transport":"udp"}""", null],
                db.Query<string?>("SELECT attributes FROM results WHERE event_id = (SELECT id FROM events WHERE key = @Event) ORDER BY id",
                    new { floor.Event }));

        var before = floor.Counts();
        var bad = $"plan,case,initiator,responder,verdict,attr.transport\n" +
                  $"{floor.Plan},CALL-2,{floor.B.Key},{floor.C.Key},pass,tls\n" +
                  $"{floor.Plan},CALL-2,{floor.C.Key},{floor.B.Key},pass,quic\n";
        var problem = await Problem.ReadAsync(await floor.EngineerA.PostAsync($"{floor.Results}/import", TestFloor.Content(bad, "text/csv")),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("attributes.transport: 'quic' is not a value of transport", Assert.Single(problem.Errors["row 3"]));

        var json = JsonSerializer.Serialize(new[] { floor.Result("CALL-2", floor.B, floor.C, "pass", new { codec = "h264" }) }, JsonSerializerOptions.Web);
        var fromJson = await Problem.ReadAsync(await floor.EngineerA.PostAsync($"{floor.Results}/import", TestFloor.Content(json, "application/json")),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("attributes.codec: 'codec' is not an attribute", Assert.Single(fromJson.Errors["[0]"]));
        Assert.Equal(before, floor.Counts());
    }

    [Fact]
    public async Task Filters_count_what_a_hand_count_gives_and_the_summary_gives_each_value_its_share()
    {
        var floor = await OpenAsync();
        var (a, b, c) = (floor.A, floor.B, floor.C);
        // Logged: over tls a→b pass, b→a fail, a→c pass (CALL-1) and b→c fail (CALL-2); over udp c→a pass (CALL-1);
        // a→b CALL-2 blocked over tls (not executed); c→b CALL-2 pass with no attribute.
        (string Case, Product I, Product R, string Verdict, string? Transport)[] logged =
        [
            ("CALL-1", a, b, "pass", "tls"), ("CALL-1", b, a, "fail", "tls"), ("CALL-1", a, c, "pass", "tls"),
            ("CALL-2", b, c, "fail", "tls"), ("CALL-1", c, a, "pass", "udp"), ("CALL-2", a, b, "blocked", "tls"),
            ("CALL-2", c, b, "pass", null),
        ];
        foreach (var r in logged)
            await floor.Admin.PostJson(floor.Results, floor.Result(r.Case, r.I, r.R, r.Verdict,
                r.Transport is null ? null : new Dictionary<string, string> { ["transport"] = r.Transport })).ReadJson<ResultInfo>(HttpStatusCode.Created);

        var matrix = await floor.Chair.GetAsync($"/api/events/{floor.Event}/matrix?attr.transport=tls").ReadJson<MatrixApi.MatrixDto>();
        Assert.Equal((2L, 2L, 0L, 1L), (matrix.Total.Pass, matrix.Total.Fail, matrix.Total.Na, matrix.Total.Blocked));
        var ab = matrix.Cells.Single(cell => cell.Initiator == a.Key && cell.Responder == b.Key).Tally;
        Assert.Equal((1L, 0L, 1L), (ab.Pass, ab.Fail, ab.Blocked));
        var all = await floor.Chair.GetAsync($"/api/events/{floor.Event}/matrix").ReadJson<MatrixApi.MatrixDto>();
        Assert.Equal(4L, all.Total.Pass);

        var stats = await floor.Chair.GetAsync($"/api/events/{floor.Event}/test-case-stats?attr.transport=tls")
            .ReadJson<List<MatrixApi.CaseStatDto>>();
        var call1 = stats.Single(s => s.Case == "CALL-1");
        Assert.Equal((2L, 1L, 2L), (call1.Tally.Pass, call1.Tally.Fail, call1.PassingPairs));
        var call2 = stats.Single(s => s.Case == "CALL-2");
        Assert.Equal((0L, 1L, 1L), (call2.Tally.Pass, call2.Tally.Fail, call2.Tally.Blocked));

        var udp = await floor.Chair.GetAsync($"/api/events/{floor.Event}/summary?attr.transport=udp").ReadJson<MatrixApi.SummaryDto>();
        Assert.Equal((1L, 0L), (udp.Total.Pass, udp.Total.Fail));

        // Executed (pass or fail) results: 6, of which tls 4 and udp 1; the one with no transport leaves the shares short of one.
        var summary = await floor.Chair.GetAsync($"/api/events/{floor.Event}/summary").ReadJson<MatrixApi.SummaryDto>();
        var shares = summary.AttributeShares.Where(s => s.Plan == floor.Plan).ToList();
        Assert.Equal([("transport", "tls", 4L), ("transport", "udp", 1L)], shares.Select(s => (s.Attribute, s.Value, s.Results)));
        Assert.Equal([4 / 6.0, 1 / 6.0], shares.Select(s => s.Share));
        Assert.Equal([("SIP", "tls", 4L), ("SIP", "udp", 1L)],
            summary.AttributeShares.Where(s => s.Plan is null).Select(s => (s.Technology, s.Value, s.Results)));
    }

    [Fact]
    public async Task A_filter_on_an_attribute_or_value_no_plan_declares_is_a_bad_request_naming_it()
    {
        var floor = await OpenAsync();

        var name = await Problem.ReadAsync(await floor.Chair.GetAsync($"/api/events/{floor.Event}/matrix?attr.colour=red"),
            HttpStatusCode.BadRequest);
        Assert.Contains("declares the attribute 'colour'", Assert.Single(name.Errors["attr.colour"]));
        var value = await Problem.ReadAsync(await floor.Chair.GetAsync($"/api/events/{floor.Event}/summary?attr.transport=sctp"),
            HttpStatusCode.BadRequest);
        Assert.Contains("'sctp' is not a value of transport", Assert.Single(value.Errors["attr.transport"]));
        await Problem.ReadAsync(await floor.Chair.GetAsync($"/api/events/{floor.Event}/test-case-stats?attr.transport=sctp"),
            HttpStatusCode.BadRequest);
    }
}
