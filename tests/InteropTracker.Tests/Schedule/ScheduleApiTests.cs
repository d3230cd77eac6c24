using System.Net;
using System.Text.Json;
using Dapper;
using Ical.Net;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;

namespace InteropTracker.Tests.Schedule;

/// <summary>The /schedule routes as a chair, engineers and members meet them, over the test floor's event.</summary>
public sealed class ScheduleApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 12);

    private static readonly DateTimeOffset Tomorrow = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);

    private static object[] Hours(DateTimeOffset first, int count) =>
        Enumerable.Range(0, count).Select(i => (object)new { start = first.AddHours(i), end = first.AddHours(i + 1) }).ToArray();

    private static string Url(TestFloor f) => $"/api/events/{f.Event}/schedule";

    private static void AssertRules(Timetable t, int tables)
    {
        foreach (var slot in t.Sessions.GroupBy(s => s.Slot))
        {
            Assert.True(slot.Count() <= tables, $"slot {slot.Key} holds {slot.Count()} sessions at {tables} tables");
            var products = slot.SelectMany(s => new[] { s.A, s.B }).ToList();
            Assert.Equal(products.Count, products.Distinct().Count());
            Assert.Equal(slot.Count(), slot.Select(s => s.Table).Distinct().Count());
        }
        foreach (var s in t.Sessions)
        {
            Assert.True(string.CompareOrdinal(s.A, s.B) < 0);
            Assert.All(s.Cells, c => Assert.True((c.Initiator == s.A && c.Responder == s.B) || (c.Initiator == s.B && c.Responder == s.A)));
            var ranks = s.Cells.Select(c => c.Priority == "mandatory" ? 0 : 1).ToList();
            Assert.Equal(ranks.Order(), ranks); // mandatory first
        }
    }

    private long Stored(string @event)
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<long>("SELECT count(*) FROM schedules s JOIN events e ON e.id = s.event_id WHERE e.key = @key", new { key = @event });
    }

    [Fact]
    public async Task A_chair_builds_a_timetable_of_every_planned_untested_pairing_and_everyone_reads_it()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        await f.Log(f.EngineerA, f.Result(TestFloor.Call, f.A1, f.B1));

        var t = await f.Chair.PostJson(Url(f), new { slots = Hours(Tomorrow.AddHours(9), 4), tables = new[] { "Red", "Blue" } }).ReadJson<Timetable>();

        AssertRules(t, 2);
        Assert.Equal(["Red", "Blue"], t.Tables);
        Assert.Equal(4, t.Slots.Count);
        // A1 and A2 are of one organization: the other five pairs meet, each once (no session length given).
        var pairs = new[] { (f.A1, f.B1), (f.A1, f.C1), (f.A2, f.B1), (f.A2, f.C1), (f.B1, f.C1) }
            .Select(p => string.CompareOrdinal(p.Item1.Key, p.Item2.Key) < 0 ? (p.Item1.Key, p.Item2.Key) : (p.Item2.Key, p.Item1.Key))
            .Order().ToList();
        Assert.Equal(pairs, t.Sessions.Select(s => (s.A, s.B)).Order().ToList());
        Assert.Empty(t.Unscheduled);
        // The logged cell is not run again; the other direction of the call is.
        var a1b1 = t.Sessions.Single(s => s.Involves(f.A1.Key) && s.Involves(f.B1.Key));
        Assert.DoesNotContain(a1b1.Cells, c => c.Case == TestFloor.Call && c.Initiator == f.A1.Key);
        Assert.Contains(a1b1.Cells, c => c.Case == TestFloor.Call && c.Initiator == f.B1.Key);
        // Four products, at most two sessions a slot, A1 and A2 meet two partners each, B1 and C1 three: three slots.
        Assert.Equal(3, t.Figures.LowerBound);
        Assert.Equal(3, t.Figures.SlotsUsed);

        var read = await f.Member.GetAsync(Url(f)).ReadJson<Timetable>();
        Assert.Equal(JsonSerializer.Serialize(t), JsonSerializer.Serialize(read));
        var ofA = await f.EngineerA.GetAsync(Url(f)).ReadJson<Timetable>();
        Assert.Equal(4, ofA.Sessions.Count);
        Assert.All(ofA.Sessions, s => Assert.True(s.Involves(f.A1.Key) || s.Involves(f.A2.Key)));
        Assert.Equal(1, Stored(f.Event));
    }

    [Fact]
    public async Task Long_pairings_run_in_sessions_of_the_length_asked_mandatory_cells_in_the_first()
    {
        var f = await TestFloor.OpenAsync(app, _build);

        var t = await f.Chair.PostJson(Url(f), new { slots = Hours(Tomorrow.AddHours(9), 12), tables = 2, sessionCells = 2 }).ReadJson<Timetable>();

        AssertRules(t, 2);
        Assert.Equal(2, t.SessionCells);
        Assert.All(t.Sessions, s => Assert.InRange(s.Cells.Count, 1, 2));
        var a1c1 = t.Sessions.Where(s => s.Involves(f.A1.Key) && s.Involves(f.C1.Key)).OrderBy(s => s.Part).ToList();
        Assert.Equal(Enumerable.Range(1, a1c1[0].Parts), a1c1.Select(s => s.Part));
        Assert.True(a1c1.Select(s => s.Start).SequenceEqual(a1c1.Select(s => s.Start).Order()));
        Assert.Equal("mandatory", a1c1[0].Cells[0].Priority);
        Assert.Equal("recommended", a1c1[^1].Cells[^1].Priority);
    }

    [Fact]
    public async Task Who_arrives_late_or_leaves_early_is_met_only_while_there_and_what_does_not_fit_is_listed()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var start = Tomorrow.AddHours(9);

        var t = await f.Chair.PostJson(Url(f), new
        {
            slots = Hours(start, 3), tables = 2,
            availability = new object[]
            {
                new { product = f.C1.Key, from = start.AddHours(1) },
                new { product = f.B1.Key, until = start.AddHours(2) },
            },
        }).ReadJson<Timetable>();

        AssertRules(t, 2);
        Assert.DoesNotContain(t.Sessions, s => s.Involves(f.C1.Key) && s.Start < start.AddHours(1));
        Assert.DoesNotContain(t.Sessions, s => s.Involves(f.B1.Key) && s.End > start.AddHours(2));
        // B1 and C1 are there together for one slot only, and C1 has three partners for its two slots: something is left.
        Assert.Equal(5, t.Sessions.Count + t.Unscheduled.Count);
        Assert.NotEmpty(t.Unscheduled);
    }

    [Fact]
    public async Task A_re_plan_keeps_the_sessions_already_over_and_plans_what_is_still_untested()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var earlier = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(9), TimeSpan.Zero);
        object[] slots = [.. Hours(earlier, 2), .. Hours(Tomorrow.AddHours(9), 4)];
        var first = await f.Chair.PostJson(Url(f), new { slots, tables = 2 }).ReadJson<Timetable>();
        var past = first.Sessions.Where(s => s.End <= DateTimeOffset.UtcNow).ToList();
        Assert.Equal(4, past.Count);

        // What was run in the first past session is logged; the rest of the past sessions' cells stay untested.
        var done = past[0];
        foreach (var c in done.Cells)
            await f.Log(app.Admin(), new
            {
                plan = c.Plan, @case = c.Case, initiator = c.Initiator, responder = c.Responder, verdict = "pass",
            });

        var again = await f.Chair.PostJson(Url(f), new { slots, tables = new[] { "T1", "T2", "T3" } }).ReadJson<Timetable>();

        Assert.Equal(JsonSerializer.Serialize(past), JsonSerializer.Serialize(again.Sessions.Where(s => s.End <= DateTimeOffset.UtcNow)));
        var upcoming = again.Sessions.Where(s => s.Start >= Tomorrow).ToList();
        AssertRules(again with { Sessions = upcoming }, 3);
        Assert.DoesNotContain(upcoming, s => s.A == done.A && s.B == done.B);
        Assert.Equal(4, upcoming.Count);
        Assert.Equal(6, again.Slots.Count);

        // A slot that overlaps one that is over, other than it was, is refused: the past stays as it was.
        var moved = new { start = earlier.AddMinutes(30), end = earlier.AddMinutes(90) };
        var problem = await Problem.ReadAsync(await f.Chair.PostJson(Url(f), new { slots = new object[] { moved }, tables = 2 }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("slots[0]", problem.Detail);
        Assert.Contains("over", problem.Errors["slots[0]"][0]);
        Assert.Equal(JsonSerializer.Serialize(again), JsonSerializer.Serialize(await f.Chair.GetAsync(Url(f)).ReadJson<Timetable>()));
    }

    public static TheoryData<string, string, string> BadRequests => new()
    {
        { """{"slots": [{"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"}, {"start": "2030-01-01T11:00:00Z", "end": "2030-01-01T12:00:00Z"}, {"start": "2030-01-01T09:30:00Z", "end": "2030-01-01T10:30:00Z"}], "tables": 2}""", "slots[2]", "overlap" },
        { """{"slots": [{"start": "2030-01-01T10:00:00Z", "end": "2030-01-01T09:00:00Z"}], "tables": 2}""", "slots[0]", "before it starts" },
        { """{"slots": [{"start": "2030-01-01T09:00:00Z"}], "tables": 2}""", "slots[0]", "a start and an end" },
        { """{"slots": [], "tables": 2}""", "slots", "at least one slot" },
        { """{"slots": [{"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"}], "tables": 0}""", "tables", "at least one table" },
        { """{"slots": [{"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"}]}""", "tables", "Say which tables" },
        { """{"slots": [{"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"}], "tables": ["A", "A"]}""", "tables[1]", "named twice" },
        { """{"slots": [{"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"}], "tables": 2, "availability": [{"product": "no-such-product"}]}""", "availability[0]", "not a participant" },
        { """{"slots": [{"start": "2030-01-01T09:00:00Z", "end": "2030-01-01T10:00:00Z"}], "tables": 2, "sessionCells": 0}""", "sessionCells", "at least one cell" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_naming_what_is_wrong_and_where_and_stores_nothing(string body, string where, string what)
    {
        var f = await TestFloor.OpenAsync(app, _build);

        var problem = await Problem.ReadAsync(await f.Chair.PostAsync(Url(f), TestFloor.Content(body, "application/json")),
            HttpStatusCode.UnprocessableEntity);

        Assert.Contains(where, problem.Errors.Keys);
        Assert.Contains(what, problem.Errors[where][0]);
        Assert.StartsWith($"The timetable was not built, nothing was stored: {where}:", problem.Detail);
        Assert.Equal(0, Stored(f.Event));
        await Problem.ReadAsync(await f.Chair.GetAsync(Url(f)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_closed_event_gets_no_timetable_and_keeps_the_one_it_had()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var body = new { slots = Hours(Tomorrow.AddHours(9), 3), tables = 2 };
        var built = await f.Chair.PostJson(Url(f), body).ReadJson<Timetable>();
        await f.Chair.MoveTo(f.Event, "closed");

        var problem = await Problem.ReadAsync(await f.Chair.PostJson(Url(f), body with { tables = 3 }), HttpStatusCode.Conflict);

        Assert.Contains("closed", problem.Detail);
        Assert.Equal(JsonSerializer.Serialize(built), JsonSerializer.Serialize(await f.Member.GetAsync(Url(f)).ReadJson<Timetable>()));
    }

    [Fact]
    public async Task Only_chairs_build_and_engineers_read_only_their_own_products()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var body = new { slots = Hours(Tomorrow.AddHours(9), 3), tables = 2 };

        foreach (var refused in new[] { f.EngineerA, f.Member })
            await Problem.ReadAsync(await refused.PostJson(Url(f), body), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await app.Anonymous().PostJson(Url(f), body), HttpStatusCode.Unauthorized);
        Assert.Equal(0, Stored(f.Event));

        await f.Chair.PostJson(Url(f), body).ReadJson<Timetable>();
        // The outsider's organization takes no part: the event is not there for it.
        await Problem.ReadAsync(await f.EngineerD.GetAsync(Url(f)), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await f.EngineerD.GetAsync($"{Url(f)}.ics?product={f.A1.Key}"), HttpStatusCode.NotFound);
        // An engineer reads its own products' calendar, not another organization's.
        Assert.Equal(HttpStatusCode.OK, (await f.EngineerB.GetAsync($"{Url(f)}.ics?product={f.B1.Key}")).StatusCode);
        var other = await Problem.ReadAsync(await f.EngineerB.GetAsync($"{Url(f)}.ics?product={f.A1.Key}"), HttpStatusCode.NotFound);
        Assert.Contains(f.A1.Key, other.Detail);
        Assert.Equal(HttpStatusCode.OK, (await f.Member.GetAsync($"{Url(f)}.ics?product={f.A1.Key}")).StatusCode);
        await Problem.ReadAsync(await f.Member.GetAsync($"{Url(f)}.ics?product=nobody"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_products_calendar_reads_back_with_one_event_per_session_in_utc()
    {
        var f = await TestFloor.OpenAsync(app, _build);
        var t = await f.Chair.PostJson(Url(f), new { slots = Hours(Tomorrow.AddHours(9), 3), tables = 2 }).ReadJson<Timetable>();
        var mine = t.Sessions.Where(s => s.Involves(f.C1.Key)).ToList();

        var response = await f.EngineerC.GetAsync($"{Url(f)}.ics?product={f.C1.Key}");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var calendar = Calendar.Load(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(mine.Count, calendar.Events.Count);
        foreach (var (session, e) in mine.Zip(calendar.Events.OrderBy(e => e.Start!.AsUtc)))
        {
            Assert.Equal(session.Start.UtcDateTime, e.Start!.AsUtc);
            Assert.Equal(session.End.UtcDateTime, e.End!.AsUtc);
            Assert.Equal(session.Table, e.Location);
            var partner = session.Partner(f.C1.Key);
            Assert.Contains(partner == f.A1.Key ? f.A1.Name : partner == f.A2.Key ? f.A2.Name : f.B1.Name, e.Summary);
            Assert.Contains(session.Cells[0].Case, e.Description);
        }
    }
}
