using System.Net;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Tests.EventResults;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>The pairing page's result form offers the plan's result attributes, and what is chosen is stored.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AttributesPageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 1415);

    [Fact]
    public async Task An_engineer_logs_a_failure_over_tls_with_vp8_from_the_pairing_page()
    {
        var floor = await ResultAttributesTests.OpenAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.A.Organization));
        await page.GotoAsync($"/events/{floor.Event}/results?product={floor.A.Key}&peer={floor.B.Key}");

        var card = page.Locator("li.case").Filter(new() { HasText = "CALL-1" }).Filter(new() { HasText = $"{floor.A.Key} → {floor.B.Key}" });
        await card.Locator("summary.case__title").ClickAsync(); // the case's extra fields open in place
        await card.GetByLabel("transport").SelectOptionAsync("tls");
        await card.GetByLabel("video-codec").SelectOptionAsync("vp8");
        await card.GetByRole(AriaRole.Button, new() { Name = "fail", Exact = false }).First.ClickAsync();
        await card.GetByText("Saved: fail").WaitForAsync();

        var results = await floor.Chair.GetAsync($"{floor.Results}?initiator={floor.A.Key}&responder={floor.B.Key}").ReadJson<ResultPage>();
        Assert.Equal(new Dictionary<string, string> { ["transport"] = "tls", ["video-codec"] = "vp8" }, Assert.Single(results.Items).Attributes);
        // The card shown again keeps what was chosen.
        var fresh = page.Locator("li.case").Filter(new() { HasText = "CALL-1" }).Filter(new() { HasText = $"{floor.A.Key} → {floor.B.Key}" });
        if (!await fresh.GetByLabel("transport").IsVisibleAsync()) await fresh.Locator("summary.case__title").ClickAsync();
        Assert.Equal("tls", await fresh.GetByLabel("transport").InputValueAsync());

        foreach (var width in new[] { 1280, 375 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await fresh.ScreenshotAsync(new() { Path = $"/tmp/attributes-card-{width}.png" });
        }
    }
}
