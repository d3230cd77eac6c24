using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using InteropTracker.Core;
using InteropTracker.Demo;
using InteropTracker.Tests.TestPlans;
using InteropTracker.Vendors;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace InteropTracker.Tests.Pages;

/// <summary>
/// The demo event's pairing of 149 cases (as the issue measured it) at a laptop's and a phone's width: how many screens it takes, what an
/// accessibility scan finds, and screenshots under /tmp to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoTestTablePageTests(DemoBrowserFixture app, ITestOutputHelper output) : IClassFixture<DemoBrowserFixture>
{
    private sealed record Pair(Product Mine, Product Peer);

    /// <summary>A pair of the demo with this many planned cells (both directions), from the pair view of the matrix.</summary>
    private async Task<Pair> PairingAsync(long planned)
    {
        await app.DemoAsync();
        var admin = app.Admin();
        var matrix = await admin.GetAsync($"/api/events/{DemoEvent.Key}/matrix?view=pair").ReadJson<JsonElement>();
        var cell = matrix.GetProperty("cells").EnumerateArray()
            .First(c => c.GetProperty("tally").GetProperty("planned").GetInt64() == planned);
        var products = await admin.GetAsync("/api/products").ReadJson<List<Product>>();
        Product Find(string key) => products.Single(p => p.Key == key);
        return new Pair(Find(cell.GetProperty("initiator").GetString()!), Find(cell.GetProperty("responder").GetString()!));
    }

    private static Task<double> ScreensAsync(IPage page) =>
        page.EvaluateAsync<double>("() => document.documentElement.scrollHeight / window.innerHeight");

    private static async Task AssertNoSeriousViolationsAsync(IPage page, string where)
    {
        var result = await page.RunAxe();
        var serious = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target.ToString()))}")
            .ToList();
        Assert.True(serious.Count == 0, $"{where}: {string.Join("; ", serious)}");
    }

    [Theory]
    [InlineData(1280, 800, 8)]
    [InlineData(375, 667, 25)]
    public async Task The_149_case_demo_pairing_fits_the_screens_target_and_scans_clean(int width, int height, int mostScreens)
    {
        // The pairing the issue measured: 149 cases.
        var pairing = await PairingAsync(149);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, pairing.Mine.Organization), width, height);

        Assert.EndsWith("/my-pairings", page.Url);
        await page.Locator(".my-pairing__peer").First.WaitForAsync();
        await page.ScreenshotAsync(new() { Path = $"/tmp/testtable-my-pairings-{width}.png", FullPage = true });
        await AssertNoSeriousViolationsAsync(page, $"My pairings at {width} px");

        var started = DateTime.UtcNow;
        await page.GotoAsync($"/events/{DemoEvent.Key}/results?product={pairing.Mine.Key}&peer={pairing.Peer.Key}");
        output.WriteLine($"the pairing loaded in {(DateTime.UtcNow - started).TotalMilliseconds:0} ms");
        Assert.Equal(149, await page.Locator("li.case").CountAsync());
        var screens = await ScreensAsync(page);
        output.WriteLine($"149 cases: {screens:0.00} screens at {width}×{height}");
        Assert.True(screens <= mostScreens, $"{screens:0.0} screens at {width}×{height}");
        await page.ScreenshotAsync(new() { Path = $"/tmp/testtable-pairing-{width}.png" });
        await page.Locator(".case-list").First.ScreenshotAsync(new() { Path = $"/tmp/testtable-pairing-rows-{width}.png" });
        await AssertNoSeriousViolationsAsync(page, $"the pairing at {width} px");

        // Opened in place: the case's steps and the fields for notes and issue, and the keyboard help.
        await page.Locator("li.case summary").First.ClickAsync();
        await page.Locator("li.case").First.GetByText("Steps").WaitForAsync();
        await page.Locator("li.case").First.GetByLabel("Notes").WaitForAsync();
        await page.ScreenshotAsync(new() { Path = $"/tmp/testtable-pairing-open-{width}.png" });
        await AssertNoSeriousViolationsAsync(page, $"an opened case at {width} px");
        await page.Keyboard.PressAsync("?");
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard" }).WaitForAsync();
        await AssertNoSeriousViolationsAsync(page, $"the keyboard help at {width} px");
        await page.Context.CloseAsync();
    }
}
