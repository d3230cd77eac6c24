using System.Net;
using System.Text.RegularExpressions;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using InteropTracker.Vendors;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>The test floor in a real browser: log, see the matrix change, confirm, download, and be refused.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ResultsPageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 5);

    private static ILocator Card(IPage page, string @case, Product initiator, Product responder) =>
        page.Locator("li.case").Filter(new() { HasText = @case }).Filter(new() { HasText = $"{initiator.Key} → {responder.Key}" });

    private static ILocator VerdictButton(ILocator card, string verdict) =>
        card.GetByRole(AriaRole.Button, new() { Name = verdict, Exact = false }).First;

    private string ResultsUrl(TestFloor floor, Product mine, Product peer) =>
        $"/events/{floor.Event}/results?product={mine.Key}&peer={peer.Key}";

    [Fact]
    public async Task An_engineer_logs_three_verdicts_for_a_pairing_sees_them_in_the_matrix_and_the_other_side_confirms_one()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var engineer = await app.NewToken(Roles.Engineer, floor.A1.Organization);
        var page = await app.NewPageAsync(engineer);

        await page.GotoAsync($"/events/{floor.Event}/results");
        await page.GetByLabel("Your product").SelectOptionAsync(floor.A1.Key);
        await page.GetByLabel("Peer").SelectOptionAsync(floor.B1.Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show cases" }).ClickAsync();

        // One click (the page script posts in place) ...
        var call = Card(page, TestFloor.Call, floor.A1, floor.B1);
        await VerdictButton(call, "pass").ClickAsync();
        await call.GetByText("Saved: pass").WaitForAsync();

        // ... the keyboard alone, with a note ...
        var secure = Card(page, TestFloor.SecureCall, floor.A1, floor.B1);
        await secure.Locator("summary.case__title").ClickAsync(); // notes and issue open in place, only when wanted
        await secure.GetByLabel("Notes").FillAsync("488 on sips: URI");
        await secure.GetByLabel("Issue").FillAsync("ACME-42");
        await VerdictButton(secure, "fail").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await secure.GetByText("Saved: fail").WaitForAsync();
        await secure.Locator("summary.case__title").ClickAsync();
        Assert.Equal("488 on sips: URI", await secure.GetByLabel("Notes").InputValueAsync());

        // ... and a browser without the script: a plain form post that comes back to the same pairing.
        var plain = await app.Browser.NewContextAsync(new() { BaseURL = app.BaseUrl, JavaScriptEnabled = false });
        plain.SetDefaultTimeout(BrowserFixture.Timeout);
        var noScript = await plain.NewPageAsync();
        await BrowserFixture.SignInAsync(noScript, engineer);
        await noScript.GotoAsync(ResultsUrl(floor, floor.A1, floor.B1));
        var dtmf = noScript.Locator("li.case").Filter(new() { HasText = TestFloor.Dtmf });
        await VerdictButton(dtmf, "n/a").ClickAsync();
        await noScript.Locator("li.case.case--na").Filter(new() { HasText = TestFloor.Dtmf }).WaitForAsync();
        await plain.CloseAsync();

        // The pair view's cell sums both directions: 4 planned, one each of pass, fail and n/a.
        await page.GotoAsync($"/events/{floor.Event}?view=pair");
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var (low, high) = string.CompareOrdinal(floor.A1.Key, floor.B1.Key) < 0 ? (floor.A1, floor.B1) : (floor.B1, floor.A1);
        static string Label(Product p) => $"{p.Name} {p.Version}".Trim();
        var column = (await page.Locator("[data-matrix] thead th.col-head span").AllInnerTextsAsync()).ToList().IndexOf(Label(high));
        var cell = page.Locator("[data-matrix] tbody tr").Filter(new() { Has = page.Locator("th", new() { HasText = Label(low) }) })
            .Locator("td").Nth(column);
        await cell.HoverAsync();
        Assert.Equal("1 of 2 executed passed (50 %), 1 failed, 1 not applicable, 0 blocked, 1 of 4 untested",
            (await cell.GetAttributeAsync("title"))!.Split(": ", 2)[1]);
        Assert.Contains("rate-1", await cell.GetAttributeAsync("class"));

        // The cell opens a letter per case, and from there the results behind it, with their history.
        await cell.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Log results for this pairing" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"{low.Key} ⇄ {high.Key}" }).WaitForAsync();
        await page.GetByText("488 on sips: URI").First.WaitForAsync();
        Assert.Equal(3, await page.Locator("ol.history li").CountAsync());

        // The other side's engineer confirms the pass.
        var other = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.B1.Organization));
        await other.GotoAsync(ResultsUrl(floor, floor.B1, floor.A1));
        var theirs = Card(other, TestFloor.Call, floor.A1, floor.B1);
        await theirs.Locator("summary.case__title").ClickAsync();
        await theirs.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await theirs.GetByText("Confirmed.").WaitForAsync();
        await theirs.Locator(".badge--confirmed").WaitForAsync();
        // A verdict one's own organization logged is not confirmed by it.
        Assert.Equal(0, await Card(page, TestFloor.Call, floor.A1, floor.B1).GetByRole(AriaRole.Button, new() { Name = "Confirm" }).CountAsync());

        var confirmed = await floor.Member.GetStringAsync($"{floor.Results}?status=confirmed");
        Assert.Contains(TestFloor.Call, confirmed);
        await page.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    [Fact]
    public async Task An_engineer_finds_no_write_control_for_two_other_vendors_and_a_forged_post_is_refused()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.C1.Organization));

        await page.GotoAsync($"/events/{floor.Event}/pairing?a={floor.A1.Key}&b={floor.B1.Key}&view=pair");
        await page.GetByRole(AriaRole.Heading, new() { Name = $"{floor.A1.Key} ⇄ {floor.B1.Key}" }).WaitForAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Log results for this pairing" }).CountAsync());

        await page.GotoAsync(ResultsUrl(floor, floor.A1, floor.B1));
        await page.GetByText("You log only pairings your organization takes part in").WaitForAsync();
        Assert.Equal(0, await page.Locator("li.case button, li.case textarea, li.case input").CountAsync());
        Assert.True(await page.Locator("li.case").CountAsync() > 0);

        var before = floor.Counts();
        var post = new Dictionary<string, string>
        {
            ["plan"] = floor.Sip, ["case"] = TestFloor.Call, ["initiator"] = floor.A1.Key, ["responder"] = floor.B1.Key,
            ["verdict"] = "fail",
        };
        var action = $"/events/{floor.Event}/results?handler=Verdict&product={floor.A1.Key}&peer={floor.B1.Key}";

        // No antiforgery token: refused before any page code runs.
        var noToken = await page.APIRequest.PostAsync(action, new() { Form = Form(page, post), MaxRedirects = 0 });
        Assert.Equal((int)HttpStatusCode.BadRequest, noToken.Status);

        // A valid token (from this page's own sign-out form) for another vendors' pairing: the server's own check refuses it.
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.InputValueAsync();
        var forged = await page.APIRequest.PostAsync(action, new()
        {
            Form = Form(page, new Dictionary<string, string>(post) { ["__RequestVerificationToken"] = token }),
            MaxRedirects = 0,
        });
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        Assert.Matches(new Regex($"You log only pairings your organization takes part in; {floor.A1.Key} \\({floor.A1.Organization}\\) → " +
                                 $"{floor.B1.Key} \\({floor.B1.Organization}\\) is not one of them."), WebUtility.HtmlDecode(await forged.TextAsync()));

        Assert.Equal(before, floor.Counts());
        await page.Context.CloseAsync();
    }

    private static IFormData Form(IPage page, IReadOnlyDictionary<string, string> fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }

    [Fact]
    public async Task A_member_watches_the_open_event_refresh_itself_and_downloads_the_full_and_the_anonymised_report()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1, notes: "secret note"));
        var page = await app.NewPageAsync(await app.NewToken(Roles.Member));
        await page.GotoAsync($"/events/{floor.Event}");
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Log results" }).CountAsync());
        var sip = page.Locator(".progress").Filter(new() { HasText = "SIP" });
        await sip.GetByText("logged 1 ").WaitForAsync();

        // Another engineer logs at the next table: the page shows it without a reload.
        await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.B1, floor.A1, verdict: "fail"));
        await sip.GetByText("logged 2 ").WaitForAsync();
        await page.GetByText("last ").First.WaitForAsync();

        foreach (var (link, file) in new[]
                 {
                     ("Full report (Excel)", $"{floor.Event}-interop-report.xlsx"),
                     ("Anonymised report (PDF)", $"{floor.Event}-interop-report-anonymised.pdf"),
                     ("Full report (PDF)", $"{floor.Event}-interop-report.pdf"),
                     ("Anonymised report (Excel)", $"{floor.Event}-interop-report-anonymised.xlsx"),
                 })
        {
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = link }).ClickAsync());
            Assert.Equal(file, download.SuggestedFilename);
            var path = await download.PathAsync();
            Assert.True(new FileInfo(path!).Length > 1000, $"{file} is {new FileInfo(path!).Length} bytes");
        }
        await page.Context.CloseAsync();

        // Once the event is closed and published, the public gets the anonymised report from the sign-in page, and nothing else.
        await floor.Chair.MoveTo(floor.Event, "closed", published: true);
        var visitor = await app.NewPageAsync();
        await visitor.GotoAsync($"/events/{floor.Event}");
        await visitor.GetByRole(AriaRole.Heading, new() { Name = "Published reports" }).WaitForAsync();
        var pdf = await visitor.RunAndWaitForDownloadAsync(() =>
            visitor.Locator($"a[href='/api/events/{floor.Event}/report.pdf?anonymize=true']").ClickAsync());
        Assert.Equal($"{floor.Event}-interop-report-anonymised.pdf", pdf.SuggestedFilename);
        var full = await visitor.APIRequest.GetAsync($"/api/events/{floor.Event}/report.pdf");
        Assert.Equal((int)HttpStatusCode.Unauthorized, full.Status);
        await visitor.Context.CloseAsync();
    }
}
