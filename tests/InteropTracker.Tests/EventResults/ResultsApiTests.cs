using System.Net;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.EventResults;

public class ResultsApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 11);

    private Task<TestFloor> Floor() => TestFloor.OpenAsync(app, _build);

    [Fact]
    public async Task An_engineer_logs_a_verdict_for_its_pairing_and_gets_the_result_with_its_revision()
    {
        var floor = await Floor();

        var response = await floor.EngineerA.PostJson(floor.Results,
            floor.Result(TestFloor.Call, floor.A1, floor.B1, "fail", notes: "No video after answer", issue: "ACME-12"));
        var result = await response.ReadJson<ResultInfo>(HttpStatusCode.Created);

        Assert.Equal($"{floor.Results}/{result.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((floor.Sip, "1.0", "SIP", TestFloor.Call, "Audio and video call", floor.A1.Key, floor.A1.Organization,
                floor.B1.Key, floor.B1.Organization, "fail", "No video after answer", "ACME-12", 1L, "reported", floor.A1.Organization),
            (result.Plan, result.PlanVersion, result.Technology, result.Case, result.CaseTitle, result.Initiator,
                result.InitiatorOrganization, result.Responder, result.ResponderOrganization, result.Verdict, result.Notes, result.Issue,
                result.Revision, result.Status, result.RecordedByOrganization));
        Assert.False(string.IsNullOrEmpty(result.RecordedBy));
        var read = await floor.Member.GetAsync($"{floor.Results}/{result.Id}").ReadJson<ResultInfo>();
        Assert.Equal(result, read);
    }

    public static TheoryData<string> Writers => new() { "admin", "own", "other", "outside", Roles.Chair, Roles.Member, "anonymous" };

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Only_admins_and_engineers_of_the_pairing_log_a_result(string who)
    {
        var floor = await Floor();
        var client = who switch
        {
            "admin" => app.Admin(),
            "own" => floor.EngineerB,
            "other" => floor.EngineerC,
            "outside" => floor.EngineerD,
            "anonymous" => app.Anonymous(),
            _ => await app.ClientFor(who),
        };
        var before = floor.Counts();

        var response = await client.PostJson(floor.Results, floor.Result(TestFloor.Call, floor.A1, floor.B1));

        if (who is "admin" or "own")
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal((before.Results + 1, before.Revisions + 1), floor.Counts());
            return;
        }
        var expected = who switch
        {
            "anonymous" => HttpStatusCode.Unauthorized,
            "outside" => HttpStatusCode.NotFound,
            _ => HttpStatusCode.Forbidden,
        };
        var problem = await Problem.ReadAsync(response, expected);
        if (who == "other") Assert.Contains($"{floor.A1.Key} ({floor.A1.Organization}) → {floor.B1.Key} ({floor.B1.Organization})", problem.Detail);
        Assert.Equal(before, floor.Counts());
    }

    public static TheoryData<string, string, string> NotPlanned => new()
    {
        { "capability missing", "case", "does not declare the capability 'bfcp'" },
        { "initiator capability missing", "case", "does not declare the capability 'sips-uri' that case CALL-002 needs of the initiator" },
        { "same organization", "case", "belong to the same organization" },
        { "technology not declared", "case", "does not declare the technology WebRTC" },
        { "not a participant", "responder", "is not a participant of event" },
        { "case not in the plan", "case", "has no case 'RTC-001'" },
        { "plan not pinned", "plan", "is not pinned in event" },
        { "unknown verdict", "verdict", "'maybe' is not a verdict; use pass, fail, na, blocked" },
    };

    [Theory]
    [MemberData(nameof(NotPlanned))]
    public async Task A_result_for_a_cell_that_is_not_planned_answers_422_saying_why(string reason, string field, string message)
    {
        var floor = await Floor();
        var body = reason switch
        {
            "capability missing" => floor.Result(TestFloor.Sharing, floor.A1, floor.B1),
            "initiator capability missing" => floor.Result(TestFloor.SecureCall, floor.B1, floor.A1),
            "same organization" => floor.Result(TestFloor.Call, floor.A1, floor.A2),
            "technology not declared" => floor.Result(TestFloor.Rtc, floor.C1, floor.A1, plan: floor.WebRtc),
            "not a participant" => floor.Result(TestFloor.Call, floor.A1, floor.Outsider),
            "case not in the plan" => floor.Result(TestFloor.Rtc, floor.A1, floor.C1),
            "plan not pinned" => floor.Result(TestFloor.Call, floor.A1, floor.C1, plan: "some-other-plan"),
            _ => floor.Result(TestFloor.Call, floor.A1, floor.C1, verdict: "maybe"),
        };
        var before = floor.Counts();

        var problem = await Problem.ReadAsync(await app.Admin().PostJson(floor.Results, body), HttpStatusCode.UnprocessableEntity);

        Assert.Equal([field], problem.Errors.Keys);
        Assert.Contains(message, problem.Errors[field][0]);
        Assert.Equal(before, floor.Counts());
    }

    [Fact]
    public async Task A_result_without_its_fields_answers_400()
    {
        var floor = await Floor();
        var problem = await Problem.ReadAsync(
            await floor.EngineerA.PostJson(floor.Results, new { plan = floor.Sip, @case = TestFloor.Call }), HttpStatusCode.BadRequest);
        Assert.Equal(3, problem.Errors.Count);
    }

    [Fact]
    public async Task A_non_directional_case_given_in_reverse_order_is_stored_once_with_the_smaller_key_first()
    {
        var floor = await Floor();
        var (low, high) = string.CompareOrdinal(floor.A1.Key, floor.B1.Key) < 0 ? (floor.A1, floor.B1) : (floor.B1, floor.A1);

        var reversed = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Dtmf, high, low, "fail"));
        var forward = await floor.Log(floor.EngineerB, floor.Result(TestFloor.Dtmf, low, high, "pass"));

        Assert.Equal((low.Key, high.Key, 1L), (reversed.Initiator, reversed.Responder, reversed.Revision));
        Assert.Equal((reversed.Id, low.Key, high.Key, 2L, "pass"), (forward.Id, forward.Initiator, forward.Responder, forward.Revision, forward.Verdict));
        var page = await floor.Member.GetAsync($"{floor.Results}?case={TestFloor.Dtmf}").ReadJson<ResultPage>();
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task Every_write_is_a_revision_and_the_history_lists_them_newest_first_with_who_and_when()
    {
        var floor = await Floor();
        var first = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.C1, "fail", "one-way audio", "A-1"));
        await floor.Log(floor.EngineerC, floor.Result(TestFloor.Call, floor.A1, floor.C1, "blocked", "network down"));
        var third = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.C1, "pass"));

        Assert.Equal((first.Id, 3L, "pass", null, null), (third.Id, third.Revision, third.Verdict, third.Notes, third.Issue));
        var history = await floor.Member.GetAsync($"{floor.Results}/{first.Id}/history").ReadJson<ResultsApi.ResultHistory>();
        Assert.Equal(third, history.Result);
        Assert.Equal([3L, 2L, 1L], history.Revisions.Select(r => r.Revision));
        Assert.Equal(["pass", "blocked", "fail"], history.Revisions.Select(r => r.Verdict));
        Assert.Equal([null, "network down", "one-way audio"], history.Revisions.Select(r => r.Notes));
        Assert.Equal([null, null, "A-1"], history.Revisions.Select(r => r.Issue));
        Assert.Equal([floor.A1.Organization, floor.C1.Organization, floor.A1.Organization],
            history.Revisions.Select(r => r.RecordedByOrganization));
        Assert.All(history.Revisions, r => Assert.False(string.IsNullOrEmpty(r.RecordedBy)));
        Assert.Equal(history.Revisions.Select(r => r.RecordedAt).OrderDescending(StringComparer.Ordinal), history.Revisions.Select(r => r.RecordedAt));
    }

    [Fact]
    public async Task The_other_side_confirms_and_the_logging_side_cannot()
    {
        var floor = await Floor();
        var logged = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        var url = $"{floor.Results}/{logged.Id}";

        var own = await Problem.ReadAsync(await floor.EngineerA.PostJson($"{url}/confirm", new { }), HttpStatusCode.Forbidden);
        Assert.Contains("logged revision 1", own.Detail);
        var sameVendor = await Problem.ReadAsync(
            await (await app.ClientFor(Roles.Engineer, floor.A1.Organization)).PostJson($"{url}/confirm", new { }), HttpStatusCode.Forbidden);
        Assert.Contains($"an engineer of {floor.B1.Organization} confirms", sameVendor.Detail);
        var bystander = await Problem.ReadAsync(await floor.EngineerC.PostJson($"{url}/confirm", new { }), HttpStatusCode.Forbidden);
        Assert.Contains("not part of this pairing", bystander.Detail);
        await Problem.ReadAsync(await floor.Chair.PostJson($"{url}/confirm", new { }), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await floor.Member.PostJson($"{url}/confirm", new { }), HttpStatusCode.Forbidden);
        Assert.Equal("reported", (await floor.Member.GetAsync(url).ReadJson<ResultInfo>()).Status);

        var confirmed = await floor.EngineerB.PostAsync($"{url}/confirm", null).ReadJson<ResultInfo>();
        Assert.Equal(("confirmed", null), (confirmed.Status, confirmed.StatusReason));
        Assert.False(string.IsNullOrEmpty(confirmed.StatusBy));
        Assert.False(string.IsNullOrEmpty(confirmed.StatusAt));
    }

    [Fact]
    public async Task A_dispute_needs_a_reason_and_a_new_revision_resets_the_review_to_reported()
    {
        var floor = await Floor();
        var logged = await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.A1, floor.B1, "pass"));
        var url = $"{floor.Results}/{logged.Id}";

        var bare = await Problem.ReadAsync(await floor.EngineerA.PostJson($"{url}/dispute", new { reason = "" }), HttpStatusCode.BadRequest);
        Assert.Single(bare.Errors);
        var disputed = await floor.EngineerA.PostJson($"{url}/dispute", new { reason = "Video froze after 10 s on our side" })
            .ReadJson<ResultInfo>();
        Assert.Equal(("disputed", "Video froze after 10 s on our side"), (disputed.Status, disputed.StatusReason));

        var revised = await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.A1, floor.B1, "fail", "froze after 10 s"));
        Assert.Equal((2L, "reported", null, null), (revised.Revision, revised.Status, revised.StatusReason, revised.StatusBy));

        var stale = await Problem.ReadAsync(await floor.EngineerA.PostJson($"{url}/confirm", new { revision = 1 }), HttpStatusCode.Conflict);
        Assert.Contains("revision 2 was logged since", stale.Detail);
        Assert.Equal("confirmed", (await floor.EngineerA.PostJson($"{url}/confirm", new { revision = 2 }).ReadJson<ResultInfo>()).Status);
    }

    [Fact]
    public async Task An_admin_reviews_what_others_logged_but_not_its_own_revision_and_then_either_side_may()
    {
        var floor = await Floor();
        var byEngineer = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.C1));
        Assert.Equal("confirmed", (await app.Admin().PostJson($"{floor.Results}/{byEngineer.Id}/confirm", new { }).ReadJson<ResultInfo>()).Status);

        var byAdmin = await floor.Log(app.Admin(), floor.Result(TestFloor.Call, floor.C1, floor.A1));
        var own = await Problem.ReadAsync(await app.Admin().PostJson($"{floor.Results}/{byAdmin.Id}/confirm", new { }), HttpStatusCode.Forbidden);
        Assert.Contains("yourself", own.Detail);
        Assert.Equal("confirmed", (await floor.EngineerA.PostJson($"{floor.Results}/{byAdmin.Id}/confirm", new { }).ReadJson<ResultInfo>()).Status);
        Assert.Equal("disputed", (await floor.EngineerC.PostJson($"{floor.Results}/{byAdmin.Id}/dispute", new { reason = "Not run yet" })
            .ReadJson<ResultInfo>()).Status);
    }

    [Fact]
    public async Task A_review_is_recorded_with_who_and_when()
    {
        var floor = await Floor();
        var logged = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        await floor.EngineerB.PostJson($"{floor.Results}/{logged.Id}/dispute", new { reason = "no audio" }).ReadJson<ResultInfo>();

        using var db = app.OpenDatabase();
        var row = db.QuerySingle("SELECT status_by, status_at, updated_by FROM results WHERE id = @id", new { id = logged.Id });
        Assert.NotEqual((long)row.updated_by, (long)row.status_by);
        Assert.Equal(1L, db.ExecuteScalar<long>(
            "SELECT count(*) FROM audit_log WHERE action = 'result.dispute' AND token_id = @by AND subject = @subject",
            new { by = (long)row.status_by, subject = $"{floor.Event}: result {logged.Id} revision 1" }));
    }

    [Fact]
    public async Task A_closed_event_refuses_every_result_write_and_a_draft_one_refuses_logging()
    {
        var floor = await Floor();
        var logged = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        await floor.Chair.MoveTo(floor.Event, "closed");
        var before = floor.Counts();

        var writes = new[]
        {
            await floor.EngineerA.PostJson(floor.Results, floor.Result(TestFloor.Call, floor.A1, floor.B1, "fail")),
            await floor.EngineerB.PostJson($"{floor.Results}/{logged.Id}/confirm", new { }),
            await floor.EngineerB.PostJson($"{floor.Results}/{logged.Id}/dispute", new { reason = "late" }),
            await floor.Import(app.Admin(), $"plan,case,initiator,responder,verdict\n{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},fail\n"),
        };
        foreach (var response in writes)
            Assert.Contains($"Event {floor.Event} is closed", (await Problem.ReadAsync(response, HttpStatusCode.Conflict)).Detail);
        Assert.Equal(before, floor.Counts());
        Assert.Equal("reported", (await floor.Member.GetAsync($"{floor.Results}/{logged.Id}").ReadJson<ResultInfo>()).Status);

        var chair = await app.ClientFor(Roles.Chair);
        var draft = await chair.Create(_build.Event(floor.Sip));
        await chair.Enter(draft.Key, floor.A1.Key, floor.B1.Key);
        var early = await Problem.ReadAsync(await floor.EngineerA.PostJson($"/api/events/{draft.Key}/results",
            floor.Result(TestFloor.Call, floor.A1, floor.B1)), HttpStatusCode.Conflict);
        Assert.Contains("not open yet", early.Detail);
    }

    [Fact]
    public async Task Results_are_filtered_and_paged_with_the_total()
    {
        var floor = await Floor();
        var admin = app.Admin();
        await floor.Log(admin, floor.Result(TestFloor.Call, floor.A1, floor.B1, "pass"));
        await floor.Log(admin, floor.Result(TestFloor.Call, floor.B1, floor.A1, "fail"));
        await floor.Log(admin, floor.Result(TestFloor.Call, floor.A1, floor.C1, "fail"));
        await floor.Log(admin, floor.Result(TestFloor.Call, floor.B1, floor.C1, "na"));
        await floor.Log(admin, floor.Result(TestFloor.SecureCall, floor.C1, floor.A2, "blocked"));
        var confirmed = await floor.Log(admin, floor.Result(TestFloor.Sharing, floor.C1, floor.A1, "pass"));
        await floor.EngineerA.PostJson($"{floor.Results}/{confirmed.Id}/confirm", new { }).ReadJson<ResultInfo>();

        async Task<ResultPage> Page(string query) => await floor.Member.GetAsync($"{floor.Results}?{query}").ReadJson<ResultPage>();

        Assert.Equal(6, (await Page("")).Total);
        Assert.Equal(4, (await Page($"product={floor.A1.Key}")).Total);
        Assert.Equal(2, (await Page($"initiator={floor.B1.Key}")).Total);
        Assert.Equal(2, (await Page($"responder={floor.C1.Key}")).Total);
        Assert.Equal(2, (await Page("verdict=fail")).Total);
        Assert.Equal(4, (await Page($"plan={floor.Sip}&case={TestFloor.Call}")).Total);
        Assert.Equal(0, (await Page($"plan={floor.WebRtc}")).Total);
        var status = await Page("status=confirmed");
        Assert.Equal(confirmed.Id, Assert.Single(status.Items).Id);

        var first = await Page("pageSize=4");
        var second = await Page("pageSize=4&page=2");
        Assert.Equal((6L, 1, 4, 4), (first.Total, first.Page, first.PageSize, first.Items.Count));
        Assert.Equal((6L, 2, 2), (second.Total, second.Page, second.Items.Count));
        Assert.Empty(first.Items.Select(r => r.Id).Intersect(second.Items.Select(r => r.Id)));

        var bad = await Problem.ReadAsync(await floor.Member.GetAsync($"{floor.Results}?pageSize=501&verdict=good&page=0"),
            HttpStatusCode.BadRequest);
        Assert.Equal(["page", "pageSize", "verdict"], bad.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_engineer_reads_the_results_of_its_events_only()
    {
        var floor = await Floor();
        var logged = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));

        Assert.Equal(1, (await floor.EngineerC.GetAsync(floor.Results).ReadJson<ResultPage>()).Total);
        await Problem.ReadAsync(await floor.EngineerD.GetAsync(floor.Results), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await floor.EngineerD.GetAsync($"{floor.Results}/{logged.Id}/history"), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await floor.EngineerD.PostJson($"{floor.Results}/{logged.Id}/confirm", new { }), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await floor.Member.GetAsync($"{floor.Results}/999999"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Twenty_writes_of_one_cell_at_once_all_land_as_revisions_and_the_newest_is_current()
    {
        var floor = await Floor();
        var sides = new[] { floor.EngineerA, floor.EngineerB };
        const int writes = 20;

        var responses = await Task.WhenAll(Enumerable.Range(0, writes).Select(i => Task.Run(() =>
            sides[i % 2].PostJson(floor.Results, floor.Result(TestFloor.Call, floor.A1, floor.B1, i % 2 == 0 ? "pass" : "fail", $"write {i}")))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        using var db = app.OpenDatabase();
        var id = db.ExecuteScalar<long>("SELECT id FROM results WHERE event_id = (SELECT id FROM events WHERE key = @key)", new { key = floor.Event });
        var revisions = db.Query<(long Revision, string Verdict, string Notes)>(
            $"SELECT revision, verdict, notes FROM {ResultStore.AllRevisions} AS v WHERE result_id = @id ORDER BY revision", new { id }).ToList();
        Assert.Equal(Enumerable.Range(1, writes).Select(n => (long)n), revisions.Select(r => r.Revision));
        Assert.Equal(Enumerable.Range(0, writes).Select(i => $"write {i}").Order(), revisions.Select(r => r.Notes).Order());
        var current = db.QuerySingle<(long Revision, string Verdict, string Notes)>("SELECT revision, verdict, notes FROM results WHERE id = @id", new { id });
        Assert.Equal(revisions[^1], current);
    }
}
