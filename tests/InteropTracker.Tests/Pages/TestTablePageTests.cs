using System.Net;
using System.Text.RegularExpressions;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Tests.EventResults;
using InteropTracker.Vendors;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>An engineer at the test table, in Chromium: landing on their pairings, logging by mouse and keyboard, seeing the peer live.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TestTablePageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 17);

    private static ILocator Row(IPage page, string @case, Product initiator, Product responder, string arrow = "→") =>
        page.Locator("li.case").Filter(new() { HasText = @case }).Filter(new() { HasText = $"{initiator.Key} {arrow} {responder.Key}" });

    private static string ResultsUrl(TestFloor floor, Product mine, Product peer) =>
        $"/events/{floor.Event}/results?product={mine.Key}&peer={peer.Key}";

    private static Task<string> FocusedId(IPage page) => page.EvaluateAsync<string>("() => document.activeElement.id");

    private static async Task<IReadOnlyList<ResultInfo>> Results(TestFloor floor, Product product) =>
        (await floor.Member.GetAsync($"{floor.Results}?product={product.Key}").ReadJson<ResultPage>()).Items;

    /// <summary>Set on the page's window: still there afterwards, the page was never reloaded.</summary>
    private static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.notReloaded = true; }");

    private static async Task AssertNotReloadedAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");

    [Fact]
    public async Task An_engineer_lands_on_their_pairings_most_mandatory_first_and_logs_a_verdict_in_two_clicks()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.A1.Organization));
        Assert.EndsWith("/my-pairings", page.Url);

        // A1 ⇄ C1 leaves 5 mandatory cells, A1 ⇄ B1 4, A2 ⇄ C1 3, A2 ⇄ B1 2: in that order, peers named.
        var peers = await page.Locator(".my-pairing__peer").AllInnerTextsAsync();
        Assert.Equal(4, peers.Count);
        Assert.Contains(floor.C1.Name, peers[0]);
        Assert.Contains(floor.B1.Name, peers[1]);
        Assert.Equal(["5 mandatory left", "4 mandatory left", "3 mandatory left", "2 mandatory left"],
            await page.Locator(".my-pairing__mandatory").AllInnerTextsAsync());

        await page.Locator(".my-pairing__peer").First.ClickAsync();                                                   // click 1
        var first = page.Locator("li.case").First;
        await first.GetByRole(AriaRole.Button, new() { Name = "pass" }).ClickAsync();                                  // click 2
        await first.GetByText("Saved: pass").WaitForAsync();

        var logged = Assert.Single(await Results(floor, floor.A1));
        Assert.Equal(("pass", floor.C1.Key), (logged.Verdict, logged.Initiator == floor.A1.Key ? logged.Responder : logged.Initiator));

        // Other roles keep their landing page.
        var member = await app.NewPageAsync(await app.NewToken(Roles.Member));
        Assert.Equal(app.BaseUrl + "/", member.Url);
        await page.Context.CloseAsync();
        await member.Context.CloseAsync();
    }

    [Fact]
    public async Task The_keyboard_alone_sets_verdicts_moves_between_cases_and_opens_the_help()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.A1.Organization));
        await page.GotoAsync(ResultsUrl(floor, floor.A1, floor.C1));
        var rows = page.Locator("li.case");
        var ids = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)");
        Assert.Equal(7, ids.Length);

        await page.Keyboard.PressAsync("j");
        Assert.Equal(ids[0], await FocusedId(page));

        // p logs pass on the case with focus, and focus moves on to the next untested case.
        await page.Keyboard.PressAsync("p");
        await page.Locator($"#{ids[0]}.case--pass").WaitForAsync();
        await page.WaitForFunctionAsync($"() => document.activeElement.id === '{ids[1]}'");
        await page.Keyboard.PressAsync("f");
        await page.Locator($"#{ids[1]}.case--fail").WaitForAsync();
        await page.WaitForFunctionAsync($"() => document.activeElement.id === '{ids[2]}'");

        await page.Keyboard.PressAsync("k");
        Assert.Equal(ids[1], await FocusedId(page));
        await page.Keyboard.PressAsync("k");
        Assert.Equal(ids[0], await FocusedId(page));
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        Assert.Equal(ids[2], await FocusedId(page));

        // n and b, and the button that finds the next untested case.
        await page.Keyboard.PressAsync("n");
        await page.Locator($"#{ids[2]}.case--na").WaitForAsync();
        await page.WaitForFunctionAsync($"() => document.activeElement.id === '{ids[3]}'");
        await page.Keyboard.PressAsync("b");
        await page.Locator($"#{ids[3]}.case--blocked").WaitForAsync();
        await page.WaitForFunctionAsync($"() => document.activeElement.id === '{ids[4]}'");

        // The focused case is shown as such (an outline), not only known to the script.
        var outline = await page.Locator($"#{ids[4]}").EvaluateAsync<string>("el => getComputedStyle(el).outlineStyle");
        Assert.Equal("solid", outline);

        await page.Keyboard.PressAsync("?");
        var help = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard" });
        await help.WaitForAsync();
        Assert.Contains("next / previous case", await help.InnerTextAsync());
        await page.Keyboard.PressAsync("Escape");
        await help.WaitForAsync(new() { State = WaitForSelectorState.Hidden });

        var verdicts = (await Results(floor, floor.A1)).Select(r => r.Verdict).Order().ToList();
        Assert.Equal(["blocked", "fail", "na", "pass"], verdicts);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Counts_and_the_peer_list_change_in_place_after_a_verdict()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.A1.Organization));
        await page.GotoAsync(ResultsUrl(floor, floor.A1, floor.B1));
        await MarkAsync(page);
        var counts = page.Locator(".pairing__counts");
        Assert.Equal("0 of 4 logged · 4 untested (4 mandatory)", Squeeze(await counts.InnerTextAsync()));
        var option = page.Locator($"#peer option[value='{floor.B1.Key}']");
        Assert.Contains("4 of 4 untested", await option.TextContentAsync());

        await Row(page, TestFloor.Call, floor.A1, floor.B1).GetByRole(AriaRole.Button, new() { Name = "fail" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-count=logged]').textContent === '1'");
        Assert.Equal("1 of 4 logged · 3 untested (3 mandatory)", Squeeze(await counts.InnerTextAsync()));
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#peer option[value='{floor.B1.Key}']\").textContent.includes('3 of 4 untested')");

        // "Untested only" hides what has a verdict, in place, and keeps the choice in the address.
        await page.GetByLabel("Untested only").CheckAsync();
        Assert.Contains("untested=true", page.Url);
        Assert.Equal(3, await page.Locator("li.case:visible").CountAsync());
        // A row logged while the filter is on stays on show (with its "Saved"), until the filter is set again.
        await Row(page, TestFloor.SecureCall, floor.A1, floor.B1).GetByRole(AriaRole.Button, new() { Name = "pass" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-count=logged]').textContent === '2'");
        Assert.Equal(3, await page.Locator("li.case:visible").CountAsync());
        await page.GetByLabel("Untested only").UncheckAsync();
        await page.GetByLabel("Untested only").CheckAsync();
        Assert.Equal(2, await page.Locator("li.case:visible").CountAsync());
        await AssertNotReloadedAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_peers_entries_appear_live_and_a_cell_the_two_sides_logged_differently_is_flagged()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.A1.Organization));
        await page.GotoAsync(ResultsUrl(floor, floor.A1, floor.B1));
        await MarkAsync(page);

        // The peer logs at their end: the row and the counts change without a reload.
        await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.B1, floor.A1, verdict: "pass"));
        var theirs = Row(page, TestFloor.Call, floor.B1, floor.A1);
        await theirs.Locator(".verdict--pass").WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-count=logged]').textContent === '1'");
        Assert.Equal(0, await page.Locator(".case__differ").CountAsync());

        // This side logs pass, the peer then logs fail on the same cell: both sides see the disagreement.
        var ours = Row(page, TestFloor.Call, floor.A1, floor.B1);
        await ours.GetByRole(AriaRole.Button, new() { Name = "pass" }).ClickAsync();
        await ours.GetByText("Saved: pass").WaitForAsync();
        await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.A1, floor.B1, verdict: "fail"));
        await ours.Locator(".verdict--fail").WaitForAsync();
        var warning = ours.Locator(".case__differ");
        await warning.WaitForAsync();
        Assert.Contains("logged this cell differently", await warning.InnerTextAsync());
        Assert.Matches($"{Regex.Escape(floor.A1.OrganizationName)} \\(.*\\) logged pass; {Regex.Escape(floor.B1.OrganizationName)} \\(.*\\) logged fail",
            await warning.InnerTextAsync());
        await page.Locator("[data-differ-note]:visible").WaitForAsync();
        Assert.Equal("1", await page.Locator("[data-count=disagreements]").InnerTextAsync());
        await AssertNotReloadedAsync(page);

        // The peer's page shows the same warning from its side.
        var peer = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.B1.Organization));
        await peer.GotoAsync(ResultsUrl(floor, floor.B1, floor.A1));
        await Row(peer, TestFloor.Call, floor.A1, floor.B1).Locator(".case__differ").WaitForAsync();

        // The live answer is small: counts and one signature per cell, no rendered rows.
        var live = await page.APIRequest.GetAsync($"{ResultsUrl(floor, floor.A1, floor.B1)}&handler=Live");
        Assert.Equal((int)HttpStatusCode.OK, live.Status);
        Assert.StartsWith("application/json", live.Headers["content-type"]);
        Assert.DoesNotContain("<li", await live.TextAsync());
        await page.Context.CloseAsync();
        await peer.Context.CloseAsync();
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
