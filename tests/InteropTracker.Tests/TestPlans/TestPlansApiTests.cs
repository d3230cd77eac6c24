using System.Net;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;

namespace InteropTracker.Tests.TestPlans;

public class TestPlansApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task A_chair_loads_a_yaml_plan_and_gets_201_with_its_location_and_summary()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var response = await chair.PostYaml(SamplePlans.Yaml(plan: "created-plan"));

        var summary = await response.ReadJson<JsonElement>(HttpStatusCode.Created);
        Assert.Equal("/api/test-plans/created-plan/versions/1.0", response.Headers.Location?.OriginalString);
        Assert.Equal("created-plan", summary.GetProperty("plan").GetString());
        Assert.Equal("1.0", summary.GetProperty("version").GetString());
        Assert.Equal("Sample video interoperability", summary.GetProperty("title").GetString());
        Assert.Equal("SIP", summary.GetProperty("technology").GetString());
        Assert.Equal(2, summary.GetProperty("sections").GetInt32());
        Assert.Equal(3, summary.GetProperty("cases").GetInt32());
        Assert.Equal(64, summary.GetProperty("contentHash").GetString()!.Length);
    }

    [Fact]
    public async Task A_loaded_version_is_stored_with_its_cases_who_loaded_it_and_when()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(SamplePlans.Yaml(plan: "stored-plan"));

        using var db = app.OpenDatabase();
        var plan = db.QuerySingle("SELECT id, title, technology, source, created_by, created_at, document FROM test_plans WHERE plan = 'stored-plan'");
        Assert.Equal("SIP", (string)plan.technology);
        Assert.Equal("SIP video profile best practice, section 4", (string)plan.source);
        Assert.NotNull(plan.created_by);
        var chairName = db.QuerySingle<string>("SELECT role FROM tokens WHERE id = @id", new { id = (long)plan.created_by });
        Assert.Equal(Roles.Chair, chairName);
        Assert.False(string.IsNullOrEmpty((string)plan.created_at));
        Assert.StartsWith("{\"plan\":\"stored-plan\"", (string)plan.document);

        var cases = db.Query("SELECT ordinal, section, section_title, case_key, priority, directional, requires, initiator, responder FROM test_cases WHERE plan_id = @id ORDER BY ordinal",
            new { id = (long)plan.id }).ToList();
        Assert.Equal(["CS-001", "CS-002", "MD-001"], cases.Select(c => (string)c.case_key));
        Assert.Equal([1L, 2L, 3L], cases.Select(c => (long)c.ordinal));
        Assert.Equal("media", (string)cases[2].section);
        Assert.Equal("Media", (string)cases[2].section_title);
        Assert.Equal("optional", (string)cases[2].priority);
        Assert.Equal(0L, (long)cases[2].directional);
        Assert.Equal(1L, (long)cases[1].directional); // directional defaults to true
        Assert.Equal("[\"sip.tls\",\"h264\"]", (string)cases[1].requires);
        Assert.Equal("[\"sips-uri\"]", (string)cases[1].initiator);
        Assert.Equal("[\"ivr\"]", (string)cases[2].responder);
    }

    [Fact]
    public async Task Loading_the_same_content_again_answers_200_with_the_existing_version_and_stores_nothing_new()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var first = await chair.LoadPlan(SamplePlans.Yaml(plan: "reloaded-plan"));
        var (plans, cases) = Counts();

        var again = await chair.PostYaml(SamplePlans.Yaml(plan: "reloaded-plan")).ReadJson<JsonElement>(HttpStatusCode.OK);

        Assert.Equal(first.GetProperty("contentHash").GetString(), again.GetProperty("contentHash").GetString());
        Assert.Equal(first.GetProperty("loadedAt").GetString(), again.GetProperty("loadedAt").GetString());
        Assert.Equal((plans, cases), Counts());
    }

    [Fact]
    public async Task Loading_other_content_under_a_loaded_plan_and_version_is_a_409_naming_both()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(SamplePlans.Yaml(plan: "frozen-plan"));
        var (plans, cases) = Counts();

        var response = await chair.PostYaml(SamplePlans.Yaml(plan: "frozen-plan", title: "A revised title"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("'frozen-plan'", problem.Detail);
        Assert.Contains("'1.0'", problem.Detail);
        Assert.Equal((plans, cases), Counts());
        var stored = await chair.GetAsync("/api/test-plans/frozen-plan").ReadJson<JsonElement>();
        Assert.Equal("Sample video interoperability", stored.GetProperty("document").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Get_a_version_answers_the_whole_document_in_canonical_form()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var summary = await chair.LoadPlan(SamplePlans.Yaml(plan: "whole-plan"));

        var version = await chair.GetAsync("/api/test-plans/whole-plan/versions/1.0").ReadJson<JsonElement>();

        Assert.Equal("whole-plan", version.GetProperty("plan").GetString());
        Assert.Equal("1.0", version.GetProperty("version").GetString());
        Assert.Equal(summary.GetProperty("contentHash").GetString(), version.GetProperty("contentHash").GetString());
        var document = version.GetProperty("document");
        Assert.Equal("SIP video profile best practice, section 4", document.GetProperty("source").GetString());
        var dtmf = document.GetProperty("sections")[1].GetProperty("cases")[0];
        Assert.Equal("MD-001", dtmf.GetProperty("id").GetString());
        Assert.Equal("Digits reach the other side\nas telephone-events.", dtmf.GetProperty("purpose").GetString());
        Assert.Equal("RFC 4733 §2.3", dtmf.GetProperty("references")[0].GetString());
        Assert.False(dtmf.GetProperty("directional").GetBoolean());
        Assert.Equal(JsonValueKind.Array, dtmf.GetProperty("preconditions").ValueKind);
        Assert.Equal(0, dtmf.GetProperty("preconditions").GetArrayLength());
    }

    [Fact]
    public async Task Get_a_plan_answers_the_version_loaded_last_and_the_list_shows_every_version()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(SamplePlans.Yaml(plan: "listed-plan", version: "2.0"));
        await chair.LoadPlan(SamplePlans.Yaml(plan: "listed-plan", version: "2.1", title: "Revised title"));

        var latest = await chair.GetAsync("/api/test-plans/listed-plan").ReadJson<JsonElement>();
        Assert.Equal("2.1", latest.GetProperty("version").GetString());
        Assert.Equal("Revised title", latest.GetProperty("document").GetProperty("title").GetString());

        var list = await chair.GetAsync("/api/test-plans").ReadJson<JsonElement>();
        var listed = list.EnumerateArray().Single(p => p.GetProperty("plan").GetString() == "listed-plan");
        Assert.Equal("2.1", listed.GetProperty("latestVersion").GetString());
        Assert.Equal("Revised title", listed.GetProperty("title").GetString());
        Assert.Equal("SIP", listed.GetProperty("technology").GetString());
        Assert.Equal(3, listed.GetProperty("cases").GetInt32());
        Assert.Equal(["2.0", "2.1"], listed.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.All(listed.GetProperty("versions").EnumerateArray(), v => Assert.Equal(3, v.GetProperty("cases").GetInt32()));
    }

    [Fact]
    public async Task An_unknown_plan_or_version_is_a_404_problem()
    {
        var member = await app.ClientFor(Roles.Member);
        await (await app.ClientFor(Roles.Chair)).LoadPlan(SamplePlans.Yaml(plan: "known-plan"));

        var plan = await Problem.ReadAsync(await member.GetAsync("/api/test-plans/no-such-plan"), HttpStatusCode.NotFound);
        Assert.Contains("'no-such-plan'", plan.Detail);
        var version = await Problem.ReadAsync(await member.GetAsync("/api/test-plans/known-plan/versions/9.9"), HttpStatusCode.NotFound);
        Assert.Contains("'9.9'", version.Detail);
    }

    [Fact]
    public async Task Loading_needs_a_token_and_the_chair_role_while_a_member_may_read()
    {
        var yaml = SamplePlans.Yaml(plan: "guarded-plan");
        await Problem.ReadAsync(await app.Anonymous().PostYaml(yaml), HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(await app.Anonymous().GetAsync("/api/test-plans"), HttpStatusCode.Unauthorized);

        using (var db = app.OpenDatabase())
            db.Execute("INSERT INTO organizations (key, name, created_at) VALUES ('plan-readers', 'Plan Readers', '2026-01-01T00:00:00Z')");
        var engineer = await app.ClientFor(Roles.Engineer, "plan-readers");
        await Problem.ReadAsync(await engineer.PostYaml(yaml), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await (await app.ClientFor(Roles.Member)).PostYaml(yaml), HttpStatusCode.Forbidden);
        using (var db = app.OpenDatabase())
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM test_plans WHERE plan = 'guarded-plan'"));

        await (await app.ClientFor(Roles.Chair)).LoadPlan(yaml);
        var member = await app.ClientFor(Roles.Member);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/test-plans")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/test-plans/guarded-plan")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/test-plans/guarded-plan/versions/1.0")).StatusCode);
    }

    [Fact]
    public async Task The_diff_of_two_versions_lists_cases_added_removed_and_changed_with_old_and_new_values()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(SamplePlans.Yaml(plan: "diffed-plan", version: "1.0"));
        await chair.LoadPlan("""
            plan: diffed-plan
            title: Sample video interoperability, revised
            version: "1.1"
            technology: SIP
            source: SIP video profile best practice, section 4
            sections:
              - id: call-setup
                title: Call setup
                cases:
                  - id: CS-001
                    title: Audio and video call over UDP
                    purpose: Both sides establish a two-way audio and H.264 video call.
                    preconditions: [Both products registered to their own SIP registrar]
                    steps: [Initiator dials the responder's SIP URI, Responder answers within 5 s]
                    expected: [Two-way audio within 2 s of answer, 'Two-way video, "no freeze", at least 15 fps']
                    references: ["RFC 3261 §13", "RFC 6184"]
                    priority: recommended
                    requires: [h264]
              - id: media
                title: Media
                cases:
                  - id: MD-001
                    title: DTMF per RFC 4733
                    purpose: |
                      Digits reach the other side
                      as telephone-events.
                    steps: [Initiator sends 1 2 3]
                    expected: [Responder reports 1 2 3]
                    references: ["RFC 4733 §2.3"]
                    priority: optional
                    directional: false
                    requires: [dtmf.rfc4733]
                    responder: [ivr]
                  - id: MD-002
                    title: Content sharing with BFCP
                    purpose: The initiator shares a slide deck as a second video stream.
                    steps: [Initiator starts sharing]
                    expected: [Responder shows the content]
                    priority: recommended
                    requires: [bfcp]
            """);

        var diff = await (await app.ClientFor(Roles.Member))
            .GetAsync("/api/test-plans/diffed-plan/diff?from=1.0&to=1.1").ReadJson<JsonElement>();

        Assert.Equal("1.0", diff.GetProperty("from").GetString());
        Assert.Equal("1.1", diff.GetProperty("to").GetString());
        var planChange = Assert.Single(diff.GetProperty("planChanges").EnumerateArray());
        Assert.Equal("title", planChange.GetProperty("field").GetString());
        Assert.Equal("Sample video interoperability, revised", planChange.GetProperty("to").GetString());
        var added = Assert.Single(diff.GetProperty("added").EnumerateArray());
        Assert.Equal(("MD-002", "media"), (added.GetProperty("id").GetString(), added.GetProperty("section").GetString()));
        var removed = Assert.Single(diff.GetProperty("removed").EnumerateArray());
        Assert.Equal("CS-002", removed.GetProperty("id").GetString());
        var changed = Assert.Single(diff.GetProperty("changed").EnumerateArray());
        Assert.Equal("CS-001", changed.GetProperty("id").GetString());
        var changes = changed.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!);
        Assert.Equal(["steps", "priority"], changes.Keys);
        Assert.Equal("mandatory", changes["priority"].GetProperty("from").GetString());
        Assert.Equal("recommended", changes["priority"].GetProperty("to").GetString());
        Assert.Equal("Responder answers", changes["steps"].GetProperty("from")[1].GetString());
        Assert.Equal("Responder answers within 5 s", changes["steps"].GetProperty("to")[1].GetString());
        Assert.Equal(1, diff.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task A_diff_needs_both_versions_and_names_the_one_that_is_unknown()
    {
        var member = await app.ClientFor(Roles.Member);
        await (await app.ClientFor(Roles.Chair)).LoadPlan(SamplePlans.Yaml(plan: "half-diffed"));

        var missing = await Problem.ReadAsync(await member.GetAsync("/api/test-plans/half-diffed/diff?from=1.0"), HttpStatusCode.BadRequest);
        Assert.Equal(["to"], missing.Errors.Keys);
        var unknown = await Problem.ReadAsync(await member.GetAsync("/api/test-plans/half-diffed/diff?from=1.0&to=7"), HttpStatusCode.NotFound);
        Assert.Contains("no version '7'", unknown.Detail);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_accepted_form_of_a_plan_upload()
    {
        var openapi = await app.Anonymous().GetAsync("/openapi/v1.json").ReadJson<JsonElement>();

        var load = openapi.GetProperty("paths").GetProperty("/api/test-plans").GetProperty("post");
        var forms = load.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(p => p.Name);
        Assert.Equal(
            ["application/yaml", "text/yaml", "application/x-yaml", "application/json", "text/csv",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "multipart/form-data"],
            forms);
        Assert.Equal(["200", "201", "400", "409", "413", "415", "422", "429"],
            load.GetProperty("responses").EnumerateObject().Select(r => r.Name).Where(r => r is not ("401" or "403")).Order());
    }

    private (long Plans, long Cases) Counts()
    {
        using var db = app.OpenDatabase();
        return (db.ExecuteScalar<long>("SELECT count(*) FROM test_plans"), db.ExecuteScalar<long>("SELECT count(*) FROM test_cases"));
    }
}
