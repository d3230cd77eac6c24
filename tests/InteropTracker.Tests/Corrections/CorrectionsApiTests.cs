using System.Net;
using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Corrections;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Tests.EventResults;
using InteropTracker.Tests.Performance;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.Corrections;

/// <summary>
/// The corrections of DESIGN.md "Corrections and the event's life" through the API: PATCH of organizations, products and
/// events, withdrawals, re-pinned plans; what they refuse (and that a refusal changes nothing), what they retire, and the
/// audit log that records them.
/// </summary>
public sealed class CorrectionsApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 1010);

    private static HttpRequestMessage Patch(string url, object body) =>
        new(HttpMethod.Patch, url) { Content = TestFloor.Content(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), "application/json") };

    private static Task<HttpResponseMessage> Send(HttpClient client, string url, object body) => client.SendAsync(Patch(url, body));

    /// <summary>The non-directional order a result is stored in: the smaller product key first.</summary>
    private static (Product, Product) Stored(Product a, Product b) => string.CompareOrdinal(a.Key, b.Key) <= 0 ? (a, b) : (b, a);

    /// <summary>What a refusal must leave as it was: the event's results and revisions, its retirements, tallies and participants.</summary>
    private string Fingerprint(TestFloor f)
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<string>("""
            SELECT (SELECT string_agg(id || verdict || case_id || coalesce(retired_at, '-'), ',' ORDER BY id) FROM results WHERE event_id = e.id) || '/' ||
                   (SELECT count(*) FROM participants WHERE event_id = e.id) || '/' ||
                   (SELECT string_agg(CAST(plan_id AS TEXT), ',' ORDER BY plan_id) FROM event_plans WHERE event_id = e.id) || '/' ||
                   e.name || e.location || e.start_date || e.end_date || e.include_same_organization || e.updated_at || '/' ||
                   (SELECT string_agg(technologies || capabilities || name || version || kind || line, ',' ORDER BY id) FROM products) || '/' ||
                   (SELECT string_agg(name, ',' ORDER BY id) FROM organizations) || '/' ||
                   (SELECT count(*) FROM audit_log) || '/' ||
                   (SELECT coalesce(sum(pass + fail + na + blocked), 0) FROM pair_tallies WHERE event_id = e.id)
            FROM events e WHERE e.key = @key
            """, new { key = f.Event });
    }

    private static async Task<long> Counted(TestFloor f) =>
        (await f.Chair.GetAsync($"/api/events/{f.Event}/summary").ReadJson<MatrixApi.SummaryDto>()).Total switch
        {
            var t => t.Pass + t.Fail + t.Na + t.Blocked,
        };

    private static Task<ResultPage> Listed(TestFloor f, bool retired = false) =>
        f.Chair.GetAsync($"{f.Results}?retired={(retired ? "true" : "false")}").ReadJson<ResultPage>();

    private static async Task<JsonElement> Conflict(HttpResponseMessage response, string detailPart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"Expected 409, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Contains(detailPart, json.GetProperty("detail").GetString());
        return json;
    }

    [Fact]
    public async Task Renaming_an_organization_shows_in_its_events_and_is_audited_with_before_and_after()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var participants = await f.Chair.GetAsync($"/api/events/{f.Event}/participants").ReadJson<List<ParticipantInfo>>();
        var before = participants.First(p => p.Product == f.B1.Key).OrganizationName;

        var renamed = await Send(f.Chair, $"/api/organizations/{f.B1.Organization}", new { name = "  Globex Renamed  " }).ReadJson<Organization>();

        Assert.Equal("Globex Renamed", renamed.Name);
        participants = await f.Chair.GetAsync($"/api/events/{f.Event}/participants").ReadJson<List<ParticipantInfo>>();
        Assert.Equal("Globex Renamed", participants.First(p => p.Product == f.B1.Key).OrganizationName);
        var audit = await f.Chair.GetAsync($"/api/events/{f.Event}/audit?what=organization").ReadJson<AuditLog.Page>();
        var entry = Assert.Single(audit.Items);
        Assert.Equal("organization.update", entry.Action);
        Assert.Equal(before, entry.Before!.Value.GetProperty("name").GetString());
        Assert.Equal("Globex Renamed", entry.After!.Value.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Unknown_keys_answer_404_and_change_nothing()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var before = Fingerprint(f);

        var answers = new[]
        {
            (await Send(f.Chair, "/api/organizations/no-such-vendor", new { name = "X" }), "no organization with key 'no-such-vendor'"),
            (await Send(f.Chair, "/api/products/no-such-product", new { name = "X" }), "no product with key 'no-such-product'"),
            (await Send(f.Chair, "/api/events/no-such-event", new { name = "X" }), "no event 'no-such-event'"),
            (await f.Chair.DeleteAsync($"/api/events/{f.Event}/participants/no-such-product"), "'no-such-product' does not take part"),
            (await f.Chair.DeleteAsync($"/api/events/{f.Event}/participants/{f.Outsider.Key}"), $"'{f.Outsider.Key}' does not take part"),
            (await f.Chair.DeleteAsync($"/api/events/no-such-event/participants/{f.A1.Key}"), "no event 'no-such-event'"),
            (await f.Chair.GetAsync("/api/events/no-such-event/audit"), "no event 'no-such-event'"),
        };

        foreach (var (response, detail) in answers)
            Assert.Contains(detail, (await Problem.ReadAsync(response, HttpStatusCode.NotFound)).Detail);
        Assert.Equal(before, Fingerprint(f));
    }

    [Fact]
    public async Task Mistaken_bodies_are_refused_naming_the_field_and_change_nothing()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var other = await f.Chair.LoadPlan(Build.Plan(new CaseSpec { Id = "X-1" }));
        var before = Fingerprint(f);

        var misspelt = await Problem.ReadAsync(await Send(f.Chair, $"/api/products/{f.B1.Key}", new { capabilites = new[] { "h264" } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("'capabilites' is not a field of a product", misspelt.Errors["capabilites"][0]);
        var empty = await Problem.ReadAsync(await Send(f.Chair, $"/api/organizations/{f.B1.Organization}", new { }), HttpStatusCode.BadRequest);
        Assert.Contains("Nothing to change", empty.Detail);
        var kind = await Problem.ReadAsync(await Send(f.Chair, $"/api/products/{f.B1.Key}", new { kind = "phone" }), HttpStatusCode.BadRequest);
        Assert.Contains("'phone' is not a product kind", kind.Errors["kind"][0]);
        var tag = await Problem.ReadAsync(await Send(f.Chair, $"/api/products/{f.B1.Key}", new { capabilities = new[] { "h264", "H 246" } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("capabilities[1]", tag.Errors.Keys);
        var blank = await Problem.ReadAsync(await Send(f.Chair, $"/api/products/{f.B1.Key}", new { name = " " }), HttpStatusCode.BadRequest);
        Assert.Contains("name", blank.Errors.Keys);
        var date = await Problem.ReadAsync(await Send(f.Chair, $"/api/events/{f.Event}", new { startDate = "17/03/2026" }), HttpStatusCode.BadRequest);
        Assert.Contains("yyyy-MM-dd", date.Errors["startDate"][0]);
        var backwards = await Problem.ReadAsync(await Send(f.Chair, $"/api/events/{f.Event}", new { endDate = "1999-01-01" }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("before it starts", backwards.Errors["endDate"][0]);
        var version = await Problem.ReadAsync(await Send(f.Chair, $"/api/events/{f.Event}",
            new { name = "Renamed", plans = new object[] { new { plan = f.Sip, version = "9.9" }, new { plan = other.Plan } } }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"no version '9.9' of test plan '{f.Sip}'", version.Errors["plans[0]"][0]);
        var plan = await Problem.ReadAsync(await Send(f.Chair, $"/api/events/{f.Event}", new { plans = new[] { new { plan = "no-such-plan", version = "1.0" } } }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("There is no test plan 'no-such-plan'", plan.Errors["plans[0]"][0]);
        var retire = await Problem.ReadAsync(await f.Chair.DeleteAsync($"/api/events/{f.Event}/participants/{f.B1.Key}?retire=yes"),
            HttpStatusCode.BadRequest);
        Assert.Contains("'yes' is not true or false", retire.Errors["retire"][0]);
        await Problem.ReadAsync(await Send(f.EngineerA, $"/api/products/{f.A1.Key}", new { name = "Mine" }), HttpStatusCode.Forbidden);

        Assert.Equal(before, Fingerprint(f));
    }

    [Fact]
    public async Task A_product_that_stops_declaring_a_capability_is_refused_with_the_results_it_would_leave_then_retires_them_on_request()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var admin = app.Admin();
        var (first, second) = Stored(f.A1, f.B1);
        var dtmf = await f.Log(admin, f.Result(TestFloor.Dtmf, first, second, "fail"));
        var call = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.B1));
        var counted = await Counted(f);
        var before = Fingerprint(f);

        var refused = await Conflict(await Send(f.Chair, $"/api/products/{f.B1.Key}", new { capabilities = new[] { "h264" } }),
            "would leave 1 logged result outside the plan");
        Assert.Contains("?retire=true", refused.GetProperty("detail").GetString());
        Assert.Equal(1, refused.GetProperty("count").GetInt32());
        var listed = Assert.Single(refused.GetProperty("results").EnumerateArray());
        Assert.Equal(dtmf.Id, listed.GetProperty("id").GetInt64());
        Assert.Equal((f.Event, f.Sip, TestFloor.Dtmf, first.Key, second.Key, "fail"), (listed.GetProperty("event").GetString(),
            listed.GetProperty("plan").GetString(), listed.GetProperty("case").GetString(), listed.GetProperty("initiator").GetString(),
            listed.GetProperty("responder").GetString(), listed.GetProperty("verdict").GetString()));
        Assert.Contains("dtmf.rfc4733", listed.GetProperty("why").GetString());
        Assert.Equal(before, Fingerprint(f));

        var corrected = await Send(f.Chair, $"/api/products/{f.B1.Key}?retire=true", new { capabilities = new[] { "h264" }, version = "2.1" })
            .ReadJson<CatalogueCorrections.ProductCorrected>();

        Assert.Equal(1, corrected.Retired);
        Assert.Equal(["h264"], corrected.Product.Capabilities);
        Assert.Equal("2.1", corrected.Product.Version);
        Assert.Equal(counted - 1, await Counted(f));
        Assert.Equal([call.Id], (await Listed(f)).Items.Select(r => r.Id));
        var retired = Assert.Single((await Listed(f, retired: true)).Items);
        Assert.Equal(dtmf.Id, retired.Id);
        Assert.NotNull(retired.RetiredAt);
        var history = await f.Chair.GetAsync($"{f.Results}/{dtmf.Id}/history").ReadJson<ResultsApi.ResultHistory>();
        Assert.Equal("fail", Assert.Single(history.Revisions).Verdict);
        var review = await Problem.ReadAsync(await f.EngineerB.PostJson($"{f.Results}/{dtmf.Id}/confirm", new { }), HttpStatusCode.Conflict);
        Assert.Contains($"Result {dtmf.Id} of event {f.Event} was retired by a correction", review.Detail);
        var matrix = await f.Chair.GetAsync($"/api/events/{f.Event}/matrix?plan={f.Sip}").ReadJson<MatrixApi.MatrixDto>();
        Assert.Equal(0, matrix.Total.Fail);
        // The report's Results sheet lists the current result, not the retired one.
        using (var book = new XLWorkbook(new MemoryStream(await f.Chair.GetByteArrayAsync($"/api/events/{f.Event}/report.xlsx"))))
        {
            var results = book.Worksheet("Results");
            Assert.Equal(2, results.LastRowUsed()!.RowNumber());
            Assert.Equal(TestFloor.Call, results.Row(2).Cells().Select(c => c.GetString()).First(v => v.StartsWith("CALL", StringComparison.Ordinal)));
        }

        var audit = await f.Chair.GetAsync($"/api/events/{f.Event}/audit").ReadJson<AuditLog.Page>();
        var update = audit.Items.Single(e => e.Action == "product.update");
        Assert.Equal(f.B1.Capabilities.Order(),
            update.Before!.Value.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()!).Order());
        Assert.Equal("2.1", update.After!.Value.GetProperty("version").GetString());
        var retirement = audit.Items.Single(e => e.Action == "results.retire");
        Assert.Equal(dtmf.Id, retirement.Before!.Value.GetProperty("results")[0].GetProperty("id").GetInt64());
        using (var db = app.OpenDatabase()) TallyRecount.AssertTalliesMatchResults(db);
    }

    [Fact]
    public async Task A_withdrawn_participant_takes_its_results_out_of_every_figure_and_a_new_verdict_on_its_cell_brings_it_back()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var admin = app.Admin();
        var kept = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.B1));
        var gone = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.C1, "fail"));
        await f.Log(admin, f.Result(TestFloor.Sharing, f.C1, f.A1, "blocked"));
        var before = Fingerprint(f);

        var refused = await Conflict(await f.Chair.DeleteAsync($"/api/events/{f.Event}/participants/{f.C1.Key}"),
            $"Withdrawing '{f.C1.Key}' from event {f.Event} would leave 2 logged results outside the plan");
        Assert.Equal(2, refused.GetProperty("count").GetInt32());
        Assert.All(refused.GetProperty("results").EnumerateArray(), r => Assert.Contains("no longer takes part", r.GetProperty("why").GetString()));
        Assert.Equal(before, Fingerprint(f));

        var withdrawn = await f.Chair.DeleteAsync($"/api/events/{f.Event}/participants/{f.C1.Key}?retire=true")
            .ReadJson<EventCorrections.Withdrawn>();

        Assert.Equal(2, withdrawn.Retired);
        Assert.DoesNotContain(withdrawn.Participants, p => p.Product == f.C1.Key);
        Assert.Equal(1, await Counted(f));
        Assert.Equal([kept.Id], (await Listed(f)).Items.Select(r => r.Id));
        Assert.Equal(2, (await Listed(f, retired: true)).Total);
        var stats = await f.Chair.GetAsync($"/api/events/{f.Event}/test-case-stats").ReadJson<List<JsonElement>>();
        Assert.Equal(0, stats.Sum(s => s.GetProperty("tally").GetProperty("fail").GetInt64()));
        var logged = await Problem.ReadAsync(await admin.PostJson(f.Results, f.Result(TestFloor.Call, f.A1, f.C1)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains(f.C1.Key, logged.Text);

        await f.Chair.Enter(f.Event, f.C1.Key);
        var back = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.C1));
        Assert.Equal((gone.Id, 2L), (back.Id, back.Revision));
        Assert.Null(back.RetiredAt);
        Assert.Equal(2, await Counted(f));
        Assert.Equal(1, (await Listed(f, retired: true)).Total);
        using (var db = app.OpenDatabase()) TallyRecount.AssertTalliesMatchResults(db);
        var audit = await f.Chair.GetAsync($"/api/events/{f.Event}/audit?what=event.withdraw").ReadJson<AuditLog.Page>();
        Assert.Equal(f.C1.Key, Assert.Single(audit.Items).Before!.Value.GetProperty("participant").GetString());
    }

    [Fact]
    public async Task Turning_same_organization_pairs_off_lists_their_results_and_retires_them_on_request()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var admin = app.Admin();
        var on = await Send(f.Chair, $"/api/events/{f.Event}", new { includeSameOrganization = true }).ReadJson<EventCorrections.EventCorrected>();
        Assert.True(on.Event.IncludeSameOrganization);
        var same = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.A2));
        await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.B1));
        var before = Fingerprint(f);

        var refused = await Conflict(await Send(f.Chair, $"/api/events/{f.Event}", new { includeSameOrganization = false, name = "Renamed" }),
            "would leave 1 logged result outside the plan");
        Assert.Equal(same.Id, refused.GetProperty("results")[0].GetProperty("id").GetInt64());
        Assert.Contains("same organization", refused.GetProperty("results")[0].GetProperty("why").GetString());
        Assert.Equal(before, Fingerprint(f));

        var off = await Send(f.Chair, $"/api/events/{f.Event}?retire=true", new { includeSameOrganization = false, name = "Renamed" })
            .ReadJson<EventCorrections.EventCorrected>();
        Assert.Equal((1, 0, 1), (off.Kept, off.Moved, off.Retired));
        Assert.Equal("Renamed", off.Event.Name);
        Assert.False(off.Event.IncludeSameOrganization);
        Assert.Equal(1, await Counted(f));
        var audit = await f.Chair.GetAsync($"/api/events/{f.Event}/audit?what=event.update").ReadJson<AuditLog.Page>();
        Assert.Equal(2, audit.Total);
        Assert.False(audit.Items[0].After!.Value.GetProperty("includeSameOrganization").GetBoolean());
        Assert.True(audit.Items[0].Before!.Value.GetProperty("includeSameOrganization").GetBoolean());
    }

    [Fact]
    public async Task Re_pinning_a_plan_keeps_the_results_of_unchanged_cases_and_retires_the_others()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var admin = app.Admin();
        await f.Chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = TestFloor.Call, Title = "Audio and video call", Requires = ["h264"] },
            new CaseSpec { Id = TestFloor.SecureCall, Title = "Call to a sips URI over TLS", Requires = ["h264"], Initiator = ["sips-uri"] },
            new CaseSpec { Id = TestFloor.Sharing, Title = "Content sharing", Priority = "recommended", Requires = ["bfcp"] },
            new CaseSpec { Id = "CALL-009", Title = "A new case" }) with { Plan = f.Sip, Version = "1.1" });
        var call = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.B1, "fail"));
        var sharing = await f.Log(admin, f.Result(TestFloor.Sharing, f.A1, f.C1));
        var secure = await f.Log(admin, f.Result(TestFloor.SecureCall, f.A1, f.B1));
        var (first, second) = Stored(f.A1, f.B1);
        var dtmf = await f.Log(admin, f.Result(TestFloor.Dtmf, first, second));
        var before = Fingerprint(f);

        var refused = await Conflict(await Send(f.Chair, $"/api/events/{f.Event}", new { plans = new[] { new { plan = f.Sip, version = "1.1" } } }),
            "would leave 2 logged results outside the plan");
        var why = refused.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetInt64(), r => r.GetProperty("why").GetString());
        Assert.Equal([secure.Id, dtmf.Id], why.Keys.Order());
        Assert.Contains($"case {TestFloor.SecureCall} changed in {f.Sip} version 1.1 (title, purpose)", why[secure.Id]);
        Assert.Contains($"case {TestFloor.Dtmf} is not in {f.Sip} version 1.1", why[dtmf.Id]);
        Assert.Equal(before, Fingerprint(f));

        var repinned = await Send(f.Chair, $"/api/events/{f.Event}?retire=true", new { plans = new[] { new { plan = f.Sip, version = "1.1" } } })
            .ReadJson<EventCorrections.EventCorrected>();

        Assert.Equal((2, 2, 2), (repinned.Kept, repinned.Moved, repinned.Retired));
        Assert.Equal("1.1", repinned.Event.Plans.Single(p => p.Plan == f.Sip).Version);
        var current = await Listed(f);
        Assert.Equal([call.Id, sharing.Id], current.Items.Select(r => r.Id));
        Assert.All(current.Items, r => Assert.Equal("1.1", r.PlanVersion));
        Assert.Equal([secure.Id, dtmf.Id], (await Listed(f, retired: true)).Items.Select(r => r.Id));
        var summary = await f.Chair.GetAsync($"/api/events/{f.Event}/summary").ReadJson<MatrixApi.SummaryDto>();
        Assert.Equal((1L, 1L), (summary.Total.Pass, summary.Total.Fail));
        var relogged = await f.Log(admin, f.Result(TestFloor.Call, f.A1, f.B1));
        Assert.Equal((call.Id, 2L), (relogged.Id, relogged.Revision));

        // Back to 1.0: the kept results move back; DTMF's retired result stays retired (its case is back, its result is not).
        var back = await Send(f.Chair, $"/api/events/{f.Event}", new { plans = new[] { new { plan = f.Sip, version = "1.0" } } })
            .ReadJson<EventCorrections.EventCorrected>();
        Assert.Equal((2, 2, 0), (back.Kept, back.Moved, back.Retired));
        Assert.All((await Listed(f)).Items, r => Assert.Equal("1.0", r.PlanVersion));
        using (var db = app.OpenDatabase()) TallyRecount.AssertTalliesMatchResults(db);
    }

    [Fact]
    public async Task A_closed_event_refuses_corrections_saying_who_may_reopen_it()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        await f.Log(app.Admin(), f.Result(TestFloor.Call, f.A1, f.B1));
        await f.Chair.MoveTo(f.Event, "closed");
        var before = Fingerprint(f);

        var change = await Problem.ReadAsync(await Send(f.Chair, $"/api/events/{f.Event}?retire=true", new { name = "Later" }), HttpStatusCode.Conflict);
        var withdraw = await Problem.ReadAsync(await f.Chair.DeleteAsync($"/api/events/{f.Event}/participants/{f.B1.Key}?retire=true"),
            HttpStatusCode.Conflict);
        var product = await Problem.ReadAsync(await Send(f.Chair, $"/api/products/{f.B1.Key}?retire=true", new { capabilities = new[] { "bfcp" } }),
            HttpStatusCode.Conflict);

        Assert.All(new[] { change, withdraw, product }, p => Assert.Contains($"Event {f.Event} is closed", p.Detail));
        Assert.All(new[] { change, withdraw, product }, p => Assert.Contains("An admin may reopen the event", p.Detail));
        Assert.Equal(before, Fingerprint(f));
        // A name is not part of what the event planned: it may still be corrected.
        var renamed = await Send(f.Chair, $"/api/products/{f.B1.Key}", new { name = "Corrected name" }).ReadJson<CatalogueCorrections.ProductCorrected>();
        Assert.Equal(0, renamed.Retired);
    }

    [Fact]
    public async Task The_audit_log_is_for_chairs_and_admins_lists_every_write_and_filters_by_who_and_what()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var first = await f.Log(f.EngineerB, f.Result(TestFloor.Call, f.A1, f.B1, "fail", notes: "no video"));
        await f.Log(f.EngineerB, f.Result(TestFloor.Call, f.A1, f.B1, "pass"));
        await f.EngineerA.PostJson($"{f.Results}/{first.Id}/confirm", new { });
        var audit = $"/api/events/{f.Event}/audit";

        await Problem.ReadAsync(await f.EngineerA.GetAsync(audit), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await f.Member.GetAsync(audit), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await app.Anonymous().GetAsync(audit), HttpStatusCode.Unauthorized);

        var all = await app.Admin().GetAsync(audit).ReadJson<AuditLog.Page>();
        Assert.Equal(["result.confirm", "result.log", "result.log", "event.status", "event.participants", "event.create"],
            all.Items.Select(e => e.Action));
        var revised = all.Items[1];
        Assert.Equal("fail", revised.Before!.Value.GetProperty("verdict").GetString());
        Assert.Equal("no video", revised.Before!.Value.GetProperty("notes").GetString());
        Assert.Equal("pass", revised.After!.Value.GetProperty("verdict").GetString());
        Assert.Null(all.Items[2].Before);
        Assert.Equal(f.B1.Organization, revised.WhoOrganization);

        var results = await f.Chair.GetAsync($"{audit}?what=result.log").ReadJson<AuditLog.Page>();
        Assert.Equal(2, results.Total);
        var byEngineerA = await f.Chair.GetAsync($"{audit}?who={Uri.EscapeDataString(f.A1.Organization.ToUpperInvariant())}").ReadJson<AuditLog.Page>();
        Assert.Equal("result.confirm", Assert.Single(byEngineerA.Items).Action);
        var paged = await f.Chair.GetAsync($"{audit}?pageSize=2&page=2").ReadJson<AuditLog.Page>();
        Assert.Equal((6L, 2), (paged.Total, paged.Items.Count));
        Assert.Equal("result.log", paged.Items[0].Action);
        var bad = await Problem.ReadAsync(await f.Chair.GetAsync($"{audit}?pageSize=0"), HttpStatusCode.BadRequest);
        Assert.Contains("pageSize", bad.Errors.Keys);
    }
}
