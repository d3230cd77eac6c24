using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using InteropTracker.Core;
using InteropTracker.Tests.History;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>The history pages in a real browser: the diff of two events with its links into both, and a line's chart.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HistoryPageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 12);

    [Fact]
    public async Task A_member_compares_two_events_and_opens_the_regressed_pairing_at_each_event()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Member));

        await page.GotoAsync($"/history/diff?from={s.Earlier}&to={s.Later}");

        string[] counts = ["2", "1", "2", "1", "3", "1"];
        Assert.Equal(counts, await page.Locator(".change-count__number").AllInnerTextsAsync());
        await page.GetByText("1 test case changed between the plan versions").WaitForAsync();
        var regressed = page.Locator("section[aria-labelledby='regressed'] tbody tr");
        Assert.Equal(2, await regressed.CountAsync());
        Assert.Contains("CASE-1", await regressed.First.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = "/tmp/history-diff-1280.png", FullPage = true });
        await NoAccessibilityViolations(page);

        // The regression on purpose: its pass opens the earlier event's pairing, its failure the later one's.
        await regressed.First.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^pass at ") }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"{s.OldPhone.Key} → {s.OldBridge.Key}" }).WaitForAsync();
        Assert.Contains($"/events/{s.Earlier}/pairing", page.Url);
        await page.GoBackAsync();
        await page.Locator("section[aria-labelledby='regressed'] tbody tr").First
            .GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^fail at ") }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"{s.NewPhone.Key} → {s.NewBridge.Key}" }).WaitForAsync();
        Assert.Contains($"/events/{s.Later}/pairing", page.Url);

        // The form narrows it, on a phone's width too.
        var phone = await app.NewPageAsync(await app.NewToken(Roles.Member), width: 375, height: 800);
        await phone.GotoAsync($"/history/diff?from={s.Earlier}&to={s.Later}");
        await phone.GetByLabel("Product line").FillAsync(s.GatewayLine);
        await phone.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await phone.WaitForURLAsync(new Regex("line="));
        Assert.Equal(["1", "0", "1", "1", "2", "1"], await phone.Locator(".change-count__number").AllInnerTextsAsync());
        await phone.ScreenshotAsync(new() { Path = "/tmp/history-diff-375.png", FullPage = true });
    }

    [Fact]
    public async Task A_lines_page_draws_its_rate_as_a_chart_with_a_title_a_description_and_labelled_axes()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Chair));

        await page.GotoAsync($"/history/lines/{s.PhoneLine}");

        var chart = page.GetByRole(AriaRole.Img, new() { Name = $"Pass rate of line {s.PhoneLine} per event and technology" });
        await chart.WaitForAsync();
        var description = await chart.Locator("desc").TextContentAsync();
        Assert.Contains("SIP:", description);
        Assert.Contains("60% of 5 executed", description);
        Assert.Contains("66.7% of 6 executed", description);
        Assert.Equal(["Pass rate (pass / executed)", "Event (by start date)"],
            (await chart.Locator("text[font-weight='600']").AllTextContentsAsync()).ToArray());
        Assert.Equal(2, await chart.Locator("circle title").CountAsync()); // one point per event, each with its figure
        Assert.Equal(1, await page.Locator("script").CountAsync()); // the site's own script only: the chart needs none
        await page.ScreenshotAsync(new() { Path = "/tmp/history-line-1280.png", FullPage = true });
        await NoAccessibilityViolations(page);

        // The pairs' history: the bridge line at the later event opens that pairing.
        var bridge = page.Locator("tbody tr").Filter(new() { HasText = s.BridgeLine });
        Assert.Contains("66% (2/3)", await bridge.InnerTextAsync());
        await bridge.GetByRole(AriaRole.Link, new() { Name = "75% (3/4)" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"{s.NewPhone.Key} ⇄ {s.NewBridge.Key}" }).WaitForAsync();

        var phone = await app.NewPageAsync(await app.NewToken(Roles.Chair), width: 375, height: 800);
        await phone.GotoAsync($"/history/lines/{s.PhoneLine}");
        await phone.ScreenshotAsync(new() { Path = "/tmp/history-line-375.png", FullPage = true });
    }

    /// <summary>axe-core's rules (its defaults: WCAG A and AA and its best practices) over the whole page.</summary>
    private static async Task NoAccessibilityViolations(IPage page)
    {
        var result = await page.RunAxe();
        Assert.True(result.Violations.Length == 0, string.Join("\n", result.Violations.Select(v =>
            $"{v.Id}: {v.Help} — {string.Join("; ", v.Nodes.Select(n => string.Join(" ", n.Target)))}")));
    }
}
