using System.Net;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Storage;

namespace InteropTracker.Tests.Events;

public class EventsApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 5);

    private async Task<(HttpClient Chair, PlanSpec Plan)> ChairWithPlan()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "CS-001", Requires = ["h264"] }, new CaseSpec { Id = "CS-002" }));
        return (chair, plan);
    }

    [Fact]
    public async Task A_chair_sets_up_an_event_in_draft_with_pinned_plans_and_no_secret_in_the_answer()
    {
        var (chair, plan) = await ChairWithPlan();
        var given = _build.Event() with { Plans = [new EventsApi.PlanPin { Plan = plan.Plan, Version = "1.0" }] };

        var response = await chair.PostJson("/api/events", given);
        var body = await response.Content.ReadAsStringAsync();
        var created = await response.ReadJson<EventInfo>(HttpStatusCode.Created);

        Assert.Equal($"/api/events/{given.Key}", response.Headers.Location?.OriginalString);
        Assert.Equal((given.Key, given.Name, given.Location, given.StartDate, given.EndDate, "draft", false, false, 0L),
            (created.Key, created.Name, created.Location, created.StartDate, created.EndDate, created.Status, created.Published,
             created.IncludeSameOrganization, created.Participants));
        var pinned = Assert.Single(created.Plans);
        Assert.Equal((plan.Plan, "1.0", "SIP", 2L), (pinned.Plan, pinned.Version, pinned.Technology, pinned.Cases));

        using var db = app.OpenDatabase();
        var secret = db.ExecuteScalar<string>("SELECT anonymization_secret FROM events WHERE key = @key", new { key = given.Key })!;
        Assert.Equal(64, secret.Length);
        var read = await (await chair.GetAsync($"/api/events/{given.Key}")).Content.ReadAsStringAsync();
        var list = await (await chair.GetAsync("/api/events")).Content.ReadAsStringAsync();
        foreach (var text in new[] { body, read, list })
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Each_event_gets_its_own_secret()
    {
        var (chair, plan) = await ChairWithPlan();
        var first = await chair.Create(_build.Event(plan.Plan));
        var second = await chair.Create(_build.Event(plan.Plan));
        using var db = app.OpenDatabase();
        var secrets = db.Query<string>($"SELECT anonymization_secret FROM events WHERE {Sql.In(db, "key", "@keys")}",
            new { keys = new[] { first.Key, second.Key } }).ToList();
        Assert.Equal(2, secrets.Distinct().Count());
    }

    [Fact]
    public async Task A_plan_pinned_without_version_pins_the_version_loaded_last()
    {
        var (chair, plan) = await ChairWithPlan();
        await chair.LoadPlan(plan with { Version = "1.1" });
        var created = await chair.Create(_build.Event(plan.Plan));
        Assert.Equal("1.1", Assert.Single(created.Plans).Version);
    }

    [Fact]
    public async Task Unknown_plans_and_versions_answer_422_naming_each_and_store_nothing()
    {
        var (chair, plan) = await ChairWithPlan();
        var given = _build.Event() with
        {
            Plans =
            [
                new EventsApi.PlanPin { Plan = plan.Plan, Version = "1.0" },
                new EventsApi.PlanPin { Plan = "no-such-plan" },
                new EventsApi.PlanPin { Plan = plan.Plan, Version = "9.9" },
                new EventsApi.PlanPin { Plan = plan.Plan },
            ],
        };

        var problem = await Problem.ReadAsync(await chair.PostJson("/api/events", given), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["plans[1]", "plans[2]", "plans[3]"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("no-such-plan", problem.Errors["plans[1]"][0]);
        Assert.Contains("9.9", problem.Errors["plans[2]"][0]);
        Assert.Contains("already pinned", problem.Errors["plans[3]"][0]);
        await Problem.ReadAsync(await chair.GetAsync($"/api/events/{given.Key}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_event_that_ends_before_it_starts_or_pins_nothing_answers_422()
    {
        var (chair, plan) = await ChairWithPlan();
        var backwards = _build.Event(plan.Plan) with { StartDate = "2026-05-04", EndDate = "2026-05-03" };
        var problem = await Problem.ReadAsync(await chair.PostJson("/api/events", backwards), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["endDate"], problem.Errors.Keys);

        var empty = await Problem.ReadAsync(await chair.PostJson("/api/events", _build.Event()), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["plans"], empty.Errors.Keys);
    }

    [Fact]
    public async Task Null_plans_and_null_products_are_refused_cleanly()
    {
        var (chair, plan) = await ChairWithPlan();
        var given = _build.Event(plan.Plan);
        var body = new { key = given.Key, name = given.Name, startDate = given.StartDate, endDate = given.EndDate, plans = (object?[]?)null };

        var none = await Problem.ReadAsync(await chair.PostJson("/api/events", body), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["plans"], none.Errors.Keys);
        var holes = await Problem.ReadAsync(
            await chair.PostJson("/api/events", body with { plans = new object?[] { new { plan = plan.Plan }, null } }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["plans[1]"], holes.Errors.Keys);

        var @event = await chair.Create(given);
        var products = await Problem.ReadAsync(
            await chair.PostJson($"/api/events/{@event.Key}/participants", new { products = new string?[] { null } }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["products[0]"], products.Errors.Keys);
    }

    [Fact]
    public async Task A_date_that_is_not_yyyy_MM_dd_answers_400()
    {
        var (chair, plan) = await ChairWithPlan();
        var given = _build.Event(plan.Plan) with { StartDate = "17/03/2026", EndDate = "2026-02-30" };
        var problem = await Problem.ReadAsync(await chair.PostJson("/api/events", given), HttpStatusCode.BadRequest);
        Assert.Equal(["endDate", "startDate"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("yyyy-MM-dd", problem.Errors["startDate"][0]);
    }

    [Fact]
    public async Task A_taken_event_key_answers_409()
    {
        var (chair, plan) = await ChairWithPlan();
        var created = await chair.Create(_build.Event(plan.Plan));
        await Problem.ReadAsync(await chair.PostJson("/api/events", _build.Event(plan.Plan) with { Key = created.Key }),
            HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.Chair, true)]
    [InlineData(Roles.Engineer, false)]
    [InlineData(Roles.Member, false)]
    [InlineData(null, false)]
    public async Task Only_admins_and_chairs_set_up_events_register_participants_and_change_status(string? role, bool allowed)
    {
        var (chair, plan) = await ChairWithPlan();
        var vendor = await chair.Register(_build.Organization());
        var product = await chair.Register(_build.Product(vendor.Key));
        var existing = await chair.Create(_build.Event(plan.Plan));
        var client = role switch
        {
            null => app.Anonymous(),
            Roles.Admin => app.Admin(),
            Roles.Engineer => await app.ClientFor(role, vendor.Key),
            _ => await app.ClientFor(role),
        };
        var refused = role is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;

        var create = await client.PostJson("/api/events", _build.Event(plan.Plan));
        var enter = await client.PostJson($"/api/events/{existing.Key}/participants", new { products = new[] { product.Key } });
        var open = await client.PostJson($"/api/events/{existing.Key}/status", new { status = "open" });

        if (allowed)
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
            Assert.Equal(HttpStatusCode.OK, enter.StatusCode);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }
        else
        {
            foreach (var response in new[] { create, enter, open }) await Problem.ReadAsync(response, refused);
            var after = await chair.GetAsync($"/api/events/{existing.Key}").ReadJson<EventInfo>();
            Assert.Equal(("draft", 0L), (after.Status, after.Participants));
        }
    }

    [Fact]
    public async Task Registering_participants_is_idempotent_and_lists_them_with_their_declarations()
    {
        var (chair, plan) = await ChairWithPlan();
        await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "SHARE-1", Requires = ["bfcp"] })); // a plan that uses bfcp, so a product may declare it
        var vendor = await chair.Register(_build.Organization());
        var first = await chair.Register(_build.Product(vendor.Key) with { Capabilities = ["h264", "bfcp"] });
        var second = await chair.Register(_build.Product(vendor.Key));
        var @event = await chair.Create(_build.Event(plan.Plan));

        var once = await chair.PostJson($"/api/events/{@event.Key}/participants", new { products = new[] { first.Key } })
            .ReadJson<EventsApi.ParticipantsAdded>();
        var twice = await chair.PostJson($"/api/events/{@event.Key}/participants", new { products = new[] { first.Key, second.Key } })
            .ReadJson<EventsApi.ParticipantsAdded>();

        Assert.Equal([first.Key], once.Added);
        Assert.Equal([second.Key], twice.Added);
        Assert.Equal([first.Key], twice.AlreadyRegistered);
        var listed = await (await app.ClientFor(Roles.Member)).GetAsync($"/api/events/{@event.Key}/participants")
            .ReadJson<List<ParticipantInfo>>();
        Assert.Equal(new[] { first.Key, second.Key }.Order(StringComparer.Ordinal), listed.Select(p => p.Product));
        var shown = listed.Single(p => p.Product == first.Key);
        Assert.Equal((first.Name, first.Version, first.Kind, vendor.Key, vendor.Name),
            (shown.Name, shown.Version, shown.Kind, shown.Organization, shown.OrganizationName));
        Assert.Equal(["bfcp", "h264"], shown.Capabilities);
        Assert.Equal(["SIP"], shown.Technologies);
        Assert.Equal(2, (await chair.GetAsync($"/api/events/{@event.Key}").ReadJson<EventInfo>()).Participants);
    }

    [Fact]
    public async Task An_unknown_product_answers_422_naming_it_and_registers_none()
    {
        var (chair, plan) = await ChairWithPlan();
        var vendor = await chair.Register(_build.Organization());
        var known = await chair.Register(_build.Product(vendor.Key));
        var @event = await chair.Create(_build.Event(plan.Plan));

        var response = await chair.PostJson($"/api/events/{@event.Key}/participants", new { products = new[] { known.Key, "ghost-phone" } });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["products[1]"], problem.Errors.Keys);
        Assert.Contains("ghost-phone", problem.Errors["products[1]"][0]);
        Assert.Empty(await chair.GetAsync($"/api/events/{@event.Key}/participants").ReadJson<List<ParticipantInfo>>());
    }

    [Fact]
    public async Task An_event_moves_draft_open_closed_and_is_published_only_once_closed()
    {
        var (chair, plan) = await ChairWithPlan();
        var @event = await chair.Create(_build.Event(plan.Plan));
        var key = @event.Key;

        var early = await Problem.ReadAsync(
            await chair.PostJson($"/api/events/{key}/status", new { status = "open", published = true }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["published"], early.Errors.Keys);

        Assert.Equal("open", (await chair.MoveTo(key, "open")).Status);
        Assert.Equal("open", (await chair.MoveTo(key, "open")).Status);
        var closed = await chair.MoveTo(key, "closed");
        Assert.Equal(("closed", false), (closed.Status, closed.Published));
        var published = await chair.MoveTo(key, "closed", published: true);
        Assert.Equal(("closed", true), (published.Status, published.Published));

        var reopen = await Problem.ReadAsync(
            await chair.PostJson($"/api/events/{key}/status", new { status = "open" }), HttpStatusCode.Forbidden);
        Assert.Contains("only an admin may reopen it", reopen.Detail);
        await Problem.ReadAsync(await chair.PostJson($"/api/events/{key}/status", new { status = "draft" }), HttpStatusCode.BadRequest);
        var after = await chair.GetAsync($"/api/events/{key}").ReadJson<EventInfo>();
        Assert.Equal(("closed", true), (after.Status, after.Published));
    }

    [Fact]
    public async Task A_closed_event_refuses_new_participants_with_409()
    {
        var (chair, plan) = await ChairWithPlan();
        var vendor = await chair.Register(_build.Organization());
        var product = await chair.Register(_build.Product(vendor.Key));
        var @event = await chair.Create(_build.Event(plan.Plan));
        await chair.MoveTo(@event.Key, "closed");

        var problem = await Problem.ReadAsync(
            await chair.PostJson($"/api/events/{@event.Key}/participants", new { products = new[] { product.Key } }), HttpStatusCode.Conflict);

        Assert.Contains($"Event {@event.Key} is closed", problem.Detail);
        Assert.Empty(await chair.GetAsync($"/api/events/{@event.Key}/participants").ReadJson<List<ParticipantInfo>>());
    }

    [Fact]
    public async Task An_engineer_sees_only_the_events_its_organization_takes_part_in()
    {
        var (chair, plan) = await ChairWithPlan();
        var inside = await chair.Register(_build.Organization());
        var outside = await chair.Register(_build.Organization());
        var product = await chair.Register(_build.Product(inside.Key));
        var @event = await chair.Create(_build.Event(plan.Plan));
        await chair.Enter(@event.Key, product.Key);
        var insider = await app.ClientFor(Roles.Engineer, inside.Key);
        var outsider = await app.ClientFor(Roles.Engineer, outside.Key);

        Assert.Contains(await insider.GetAsync("/api/events").ReadJson<List<EventInfo>>(), e => e.Key == @event.Key);
        Assert.Equal(@event.Name, (await insider.GetAsync($"/api/events/{@event.Key}").ReadJson<EventInfo>()).Name);
        Assert.Single(await insider.GetAsync($"/api/events/{@event.Key}/participants").ReadJson<List<ParticipantInfo>>());

        Assert.DoesNotContain(await outsider.GetAsync("/api/events").ReadJson<List<EventInfo>>(), e => e.Key == @event.Key);
        var hidden = await Problem.ReadAsync(await outsider.GetAsync($"/api/events/{@event.Key}"), HttpStatusCode.NotFound);
        var missing = await Problem.ReadAsync(await outsider.GetAsync("/api/events/no-such-event"), HttpStatusCode.NotFound);
        Assert.Equal(missing.Detail!.Replace("no-such-event", @event.Key), hidden.Detail);
        await Problem.ReadAsync(await outsider.GetAsync($"/api/events/{@event.Key}/participants"), HttpStatusCode.NotFound);

        foreach (var reader in new[] { await app.ClientFor(Roles.Member), chair, app.Admin() })
            Assert.Contains(await reader.GetAsync("/api/events").ReadJson<List<EventInfo>>(), e => e.Key == @event.Key);
    }

    [Fact]
    public async Task Every_event_write_records_who_and_when()
    {
        var (_, plan) = await ChairWithPlan();
        var chairToken = await app.NewToken(Roles.Chair);
        var chair = app.WithToken(chairToken);
        var vendor = await chair.Register(_build.Organization());
        var product = await chair.Register(_build.Product(vendor.Key));
        var @event = await chair.Create(_build.Event(plan.Plan));
        var admin = app.Admin();
        await admin.Enter(@event.Key, product.Key);
        await chair.MoveTo(@event.Key, "open");

        using var db = app.OpenDatabase();
        var chairId = db.ExecuteScalar<long>("SELECT id FROM tokens WHERE hash = @hash", new { hash = Tokens.Hash(chairToken) });
        var row = db.QuerySingle("SELECT id, created_by, updated_by, created_at, updated_at FROM events WHERE key = @key", new { key = @event.Key });
        Assert.Equal((chairId, chairId), ((long)row.created_by, (long)row.updated_by));
        Assert.True(string.CompareOrdinal((string)row.updated_at, (string)row.created_at) > 0);
        Assert.Equal(1L, db.ExecuteScalar<long>("SELECT added_by FROM participants WHERE event_id = @id", new { id = (long)row.id }));
        var audit = db.Query<(long Token, string Action)>(
            "SELECT token_id, action FROM audit_log WHERE subject LIKE @like ORDER BY id", new { like = @event.Key + "%" }).ToList();
        Assert.Equal([(chairId, "event.create"), (1L, "event.participants"), (chairId, "event.status")], audit);
    }

    [Fact]
    public async Task The_planning_loader_gives_the_pinned_cases_and_participants_with_their_declarations()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var sip = await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "CS-001", Title = "Basic call", Requires = ["h264"], Initiator = ["sips-uri"] },
            new CaseSpec { Id = "CS-002", Title = "DTMF", Directional = false, Priority = "optional", Responder = ["ivr"] }));
        var rtc = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "RTC-001" }) with { Technology = "WebRTC", Version = "2.0" });
        var vendor = await chair.Register(_build.Organization());
        var phone = await chair.Register(_build.Product(vendor.Key) with { Technologies = ["sip"], Capabilities = ["h264", "ivr"] });
        var @event = await chair.Create(_build.Event(sip.Plan, rtc.Plan) with { IncludeSameOrganization = true });
        await chair.Enter(@event.Key, phone.Key);

        using var db = app.OpenDatabase();
        var planning = (await EventStore.PlanningAsync(db, @event.Key))!;

        Assert.Equal((@event.Key, @event.Name, "draft", true, false), (planning.Event.Key, planning.Event.Name,
            planning.Event.Status, planning.Event.IncludeSameOrganization, planning.Event.Published));
        Assert.Equal(64, planning.Event.Secret.Length);
        Assert.Equal(new[] { sip.Plan, rtc.Plan }.Order(StringComparer.Ordinal), planning.Plans.Select(p => p.Plan));
        var basic = planning.FindCase(sip.Plan, "CS-001")!;
        Assert.Equal(("SIP", true), (basic.Technology, basic.Directional));
        Assert.Equal(["h264"], basic.Requires);
        Assert.Equal(["sips-uri"], basic.Initiator);
        var dtmf = planning.Details(planning.FindCase(sip.Plan, "CS-002")!.Id);
        Assert.Equal(("DTMF", "optional", "Basics", "1.0", false),
            (dtmf.Title, dtmf.Priority, dtmf.SectionTitle, dtmf.PlanVersion, dtmf.Case.Directional));
        Assert.Equal(["ivr"], dtmf.Case.Responder);
        Assert.Equal(("WebRTC", "2.0"), (planning.FindCase(rtc.Plan, "RTC-001")!.Technology, planning.Details(planning.FindCase(rtc.Plan, "RTC-001")!.Id).PlanVersion));
        Assert.Null(planning.FindCase(sip.Plan, "RTC-001"));

        var participant = Assert.Single(planning.Participants);
        Assert.Equal((phone.Key, phone.Name, vendor.Key, vendor.Name), (participant.Key, participant.Name, participant.OrganizationKey, participant.OrganizationName));
        Assert.True(participant.Technologies.Contains("SIP"));
        Assert.True(participant.Capabilities.SetEquals(["h264", "ivr"]));
        Assert.Equal(3, planning.ToNumbersSource().Cases.Count);
        Assert.Null(await EventStore.PlanningAsync(db, "no-such-event"));
    }

    [Fact]
    public async Task Reading_an_event_needs_a_token()
    {
        await Problem.ReadAsync(await app.Anonymous().GetAsync("/api/events"), HttpStatusCode.Unauthorized);
        var (chair, plan) = await ChairWithPlan();
        var @event = await chair.Create(_build.Event(plan.Plan));
        await Problem.ReadAsync(await app.Anonymous().GetAsync($"/api/events/{@event.Key}"), HttpStatusCode.Unauthorized);
        Assert.Equal(@event.Key, (await chair.GetAsync($"/api/events/{@event.Key}").ReadJson<JsonElement>()).GetProperty("key").GetString());
    }
}
