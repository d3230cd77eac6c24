using InteropTracker.Core;
using InteropTracker.Demo;
using InteropTracker.Tests.TestPlans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Tests.Schedule;

/// <summary>What issue 12 is checked by: a chair's two-day timetable for the demo event, against the rules and the bound.</summary>
public sealed class DemoTimetableTests(ShippedTestCasesFixture app) : IClassFixture<ShippedTestCasesFixture>
{
    [Fact]
    public async Task A_two_day_timetable_of_the_demo_event_keeps_every_rule_and_covers_the_mandatory_cells_within_the_bound()
    {
        await DemoEvent.SeedAsync(app.Admin(), organization => app.ClientFor(Roles.Engineer, organization), NullLogger.Instance);
        var chair = await app.ClientFor(Roles.Chair);
        var planning = (await app.Services.GetRequiredService<InteropTracker.Events.PlanningCache>()
            .GetAsync(await app.Database.OpenAsync(), DemoEvent.Key))!;
        // Two days, 09:00 to 18:00 with an hour's lunch, in 30-minute sessions of up to 20 cells, at 10 tables.
        var day1 = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
        var slots = new[] { day1, day1.AddDays(1) }
            .SelectMany(day => Enumerable.Range(0, 16).Select(i => day.AddHours(9).AddMinutes(30 * i + (i >= 6 ? 60 : 0))))
            .Select(start => new { start, end = start.AddMinutes(30) })
            .ToArray();
        var productKeys = planning.Participants.Select(p => p.Key).ToList();
        var lateComer = productKeys[3];

        var t = await chair.PostJson($"/api/events/{DemoEvent.Key}/schedule", new
        {
            slots, tables = 10, sessionCells = 20,
            availability = new[] { new { product = lateComer, from = day1.AddHours(13) } },
        }).ReadJson<Timetable>();

        // The rules, checked here from the answer alone.
        Assert.Equal(32, t.Slots.Count);
        foreach (var slot in t.Sessions.GroupBy(s => s.Slot))
        {
            Assert.True(slot.Count() <= 10);
            var products = slot.SelectMany(s => new[] { s.A, s.B }).ToList();
            Assert.Equal(products.Count, products.Distinct().Count());
        }
        Assert.DoesNotContain(t.Sessions, s => s.Involves(lateComer) && s.Start < day1.AddHours(13));
        // Only planned cells without a verdict, each once, of the two products of its session, mandatory first.
        var cells = t.Sessions.SelectMany(s => s.Cells.Select(c => (s, c))).ToList();
        Assert.Equal(cells.Count, cells.Select(x => (x.c.Plan, x.c.Case, x.c.Initiator, x.c.Responder)).Distinct().Count());
        foreach (var (s, c) in cells)
        {
            Assert.True(s.Involves(c.Initiator) && s.Involves(c.Responder));
            var @case = planning.FindCase(c.Plan, c.Case)!;
            Assert.Null(Planning.WhyNotCell(@case, planning.FindParticipant(c.Initiator)!, planning.FindParticipant(c.Responder)!, false));
        }
        Assert.All(t.Sessions, s => Assert.Equal(s.Cells.Select(c => c.Priority == "mandatory" ? 0 : 1).Order(),
            s.Cells.Select(c => c.Priority == "mandatory" ? 0 : 1)));

        // Every mandatory cell has its place, in no more slots than 1.15 times the busiest product's mandatory sessions.
        Assert.All(t.Unscheduled, u => Assert.Equal(0, u.Mandatory));
        var mandatorySessions = t.Sessions.Where(s => s.Cells.Any(c => c.Priority == "mandatory")).ToList();
        var busiest = productKeys.Max(p => mandatorySessions.Count(s => s.Involves(p)));
        var lastMandatorySlot = mandatorySessions.Max(s => s.Slot);
        Assert.True(busiest <= t.Figures.MandatoryLowerBound, $"busiest {busiest}, bound {t.Figures.MandatoryLowerBound}");
        Assert.Equal(lastMandatorySlot, t.Figures.SlotsForMandatory);
        Assert.True(lastMandatorySlot <= 1.15 * t.Figures.MandatoryLowerBound,
            $"{lastMandatorySlot} slots for the mandatory cells against a bound of {t.Figures.MandatoryLowerBound}; figures {t.Figures}");
    }
}
