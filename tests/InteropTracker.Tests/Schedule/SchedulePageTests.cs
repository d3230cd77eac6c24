using System.Net;
using Deque.AxeCore.Playwright;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using InteropTracker.Tests.Pages;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Schedule;

/// <summary>The chair's grid and an engineer's "my next session", in Chromium, at a desk and on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SchedulePageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static async Task AssertAccessible(IPage page)
    {
        var axe = await page.RunAxe();
        Assert.True(axe.Violations.Length == 0,
            string.Join("\n", axe.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}")));
    }

    private static InteropTracker.Vendors.Product Of(TestFloor f, string key) => new[] { f.A1, f.A2, f.B1, f.C1 }.Single(p => p.Key == key);

    [Fact]
    public async Task The_chair_sees_the_grid_and_an_engineer_finds_the_next_session_of_its_product_with_the_cells_in_order()
    {
        var f = await TestFloor.OpenAsync(app, new Build(seed: 1212));
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1).AddHours(9), TimeSpan.Zero);
        var t = await f.Chair.PostJson($"/api/events/{f.Event}/schedule", new
        {
            slots = Enumerable.Range(0, 8).Select(i => new { start = start.AddMinutes(30 * i), end = start.AddMinutes(30 * i + 30) }),
            tables = new[] { "Red", "Blue" }, sessionCells = 2,
        }).ReadJson<Timetable>();

        var chair = await app.NewPageAsync(await app.NewToken(Roles.Chair));
        await chair.GotoAsync($"/events/{f.Event}");
        await chair.GetByRole(AriaRole.Link, new() { Name = "Timetable" }).ClickAsync();
        await chair.GetByRole(AriaRole.Heading, new() { Name = "Timetable", Level = 1 }).WaitForAsync();
        var grid = chair.Locator("table.timetable");
        Assert.Equal(["Slot", "Red", "Blue"], await grid.Locator("thead th").AllInnerTextsAsync());
        Assert.Equal(t.Sessions.Count, await grid.Locator("td.session").CountAsync());
        var first = t.Sessions[0];
        var cell = grid.Locator("tbody tr").Filter(new() { HasText = "09:00–09:30" }).Locator("td").Nth(first.Table == "Red" ? 0 : 1);
        Assert.Contains(Of(f, first.A).Name, await cell.InnerTextAsync());
        Assert.Contains(Of(f, first.B).Name, await cell.InnerTextAsync());
        await AssertAccessible(chair);
        await chair.ScreenshotAsync(new() { Path = "/tmp/schedule-grid-1280.png", FullPage = true });
        await chair.SetViewportSizeAsync(375, 800);
        await chair.ScreenshotAsync(new() { Path = "/tmp/schedule-grid-375.png", FullPage = true });

        // An engineer of A picks among its organization's products only, and opens its next session.
        var engineer = await app.NewPageAsync(await app.NewToken(Roles.Engineer, f.A1.Organization));
        await engineer.GotoAsync($"/events/{f.Event}/schedule");
        Assert.Equal(new[] { f.A1.Key, f.A2.Key }.Order(), (await engineer.Locator("#product option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)")).Order());
        Assert.All(await engineer.Locator("td.session").AllInnerTextsAsync(),
            text => Assert.True(text.Contains(f.A1.Name) || text.Contains(f.A2.Name), text));
        await engineer.Locator("#product").SelectOptionAsync(f.A1.Key);
        await engineer.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await engineer.GetByText("Next session").WaitForAsync();

        var next = t.Sessions.First(s => s.Involves(f.A1.Key));
        var card = engineer.Locator(".next-card");
        Assert.Contains(next.Table, await card.Locator(".next-card__table").InnerTextAsync());
        Assert.Contains(Of(f, next.Partner(f.A1.Key)).Name, await card.InnerTextAsync());
        Assert.Equal(next.Cells.Select(c => c.Case), (await card.Locator(".run-order__case").AllInnerTextsAsync()));
        await AssertAccessible(engineer);
        await engineer.ScreenshotAsync(new() { Path = "/tmp/schedule-next-1280.png", FullPage = true });
        await engineer.SetViewportSizeAsync(375, 800);
        await engineer.ScreenshotAsync(new() { Path = "/tmp/schedule-next-375.png", FullPage = true });

        // Another organization's product is not there for this engineer.
        var other = await engineer.GotoAsync($"/events/{f.Event}/schedule/next?product={f.B1.Key}");
        Assert.Equal((int)HttpStatusCode.NotFound, other!.Status);
    }
}
