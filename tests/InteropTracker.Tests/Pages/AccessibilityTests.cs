using System.Text.Json;
using Deque.AxeCore.Playwright;
using InteropTracker.Core;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>
/// Every page of the app, as each role reaches it, scanned by axe-core in Chromium: no serious or critical violation
/// anywhere. Pages a role may not open are left to the access tests; the rest are listed with what fails on them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(DemoBrowserFixture app) : IClassFixture<DemoBrowserFixture>
{
    [Fact]
    public async Task Every_page_has_no_serious_or_critical_accessibility_violation_for_any_role()
    {
        var demo = await app.DemoAsync();
        var admin = app.Admin();
                var matrix = await admin.GetAsync($"/api/events/{demo}/matrix?technology=SIP").ReadJson<JsonElement>();
        var cell = matrix.GetProperty("cells")[0];
        var (a, b) = (cell.GetProperty("initiator").GetString(), cell.GetProperty("responder").GetString());
        var published = await PublishedEventAsync(admin, a!, b!);
        var organization = (await admin.GetAsync($"/api/products/{a}").ReadJson<JsonElement>()).GetProperty("organization").GetString();

        string[] pages =
        [
            "/", $"/events/{demo}", $"/events/{demo}?technology=WebRTC&view=pair", $"/events/{demo}/cell?a={a}&b={b}&technology=SIP",
            $"/events/{demo}/results", $"/events/{demo}/pairing?a={a}&b={b}", "/test-plans", "/test-plans/sip-video-basic",
            "/test-plans/sip-video-basic/diff?from=1.0&to=1.0", "/setup/organizations", "/setup/products", "/setup/tokens",
            "/setup/events/new", $"/setup/events/{demo}", $"/public/{published}", "/signin",
        ];
        var roles = new (string Name, string? Token)[]
        {
            ("anonymous", null), ("member", await app.NewToken(Roles.Member)), ("engineer", await app.NewToken(Roles.Engineer, organization)),
            ("chair", await app.NewToken(Roles.Chair)), ("admin", AppFixture.AdminToken),
        };

        var found = new List<string>();
        var scanned = 0;
        foreach (var (role, token) in roles)
        {
            var page = await app.NewPageAsync(token);
            foreach (var path in token is null ? [$"/public/{published}", "/signin"] : pages)
            {
                var response = await page.GotoAsync(path);
                if (response is null || response.Status is 403 or 404 || page.Url.Contains("/signin?")) continue;
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                var result = await page.RunAxe();
                scanned++;
                found.AddRange(result.Violations
                    .Where(v => v.Impact is "serious" or "critical")
                    .Select(v => $"{role} {path}: {v.Impact} {v.Id} ({v.Help}) at " +
                                 string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))));
            }
            await page.Context.CloseAsync();
        }
        Assert.True(scanned >= 40, $"only {scanned} pages scanned");
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public async Task Focus_is_visible_and_the_matrix_is_reached_and_left_by_keyboard_alone()
    {
        var demo = await app.DemoAsync();
        var page = await app.NewPageAsync(await app.NewToken(Roles.Member));
        await page.GotoAsync($"/events/{demo}?technology=SIP");
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        // Tab from the search field reaches the Apply button, the view switch, then one cell of the matrix (one tab stop).
        await page.GetByLabel("Search", new() { Exact = true }).FocusAsync();
        string? reached = null;
        for (var k = 0; k < 8 && reached != "TD"; k++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<string>("document.activeElement.tagName");
            var outline = await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle");
            var shadow = await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).boxShadow");
            Assert.True(outline != "none" || shadow != "none", $"no visible focus on {reached}");
        }
        Assert.Equal("TD", reached);
        await page.Keyboard.PressAsync("Tab");
        Assert.NotEqual("TD", await page.EvaluateAsync<string>("document.activeElement.tagName"));
    }

    private static async Task<string> PublishedEventAsync(HttpClient admin, params string[] products)
    {
        var key = Build.UniqueKey("published");
        // The shipped plan's version as loaded: the documents in testcases/ move on.
        var version = (await admin.GetAsync("/api/test-plans/sip-video-basic").ReadJson<JsonElement>()).GetProperty("version").GetString();
        await admin.PostJson("/api/events", new
        {
            key, name = "Published plugfest", location = "Berlin", startDate = "2026-10-01", endDate = "2026-10-03",
            plans = new[] { new { plan = "sip-video-basic", version } },
        }).ReadJson<InteropTracker.Events.EventInfo>(System.Net.HttpStatusCode.Created);
        await admin.PostJson($"/api/events/{key}/participants", new { products }).ReadJson<InteropTracker.Events.EventsApi.ParticipantsAdded>();
        (await admin.PostJson($"/api/events/{key}/status", new { status = "open" })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{key}/status", new { status = "closed" })).EnsureSuccessStatusCode();
        // Publishing names a snapshot of the closed event.
        (await admin.PostJson($"/api/events/{key}/snapshots", new { })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{key}/status", new { status = "closed", published = true })).EnsureSuccessStatusCode();
        return key;
    }
}
