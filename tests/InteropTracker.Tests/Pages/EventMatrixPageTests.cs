using System.Net;
using System.Text.Json;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.Access;
using InteropTracker.Tests.EventResults;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>The event page's matrix, its cell page and the public page, in Chromium on the demo event, as a member reads them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EventMatrixPageTests(DemoBrowserFixture app) : IClassFixture<DemoBrowserFixture>
{
    private readonly Build _build = new(seed: 17);

    private static async Task<IPage> MatrixAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        return page;
    }

    private async Task<JsonElement> ApiMatrixAsync(string @event, string technology) =>
        await app.Admin().GetAsync($"/api/events/{@event}/matrix?technology={technology}").ReadJson<JsonElement>();

    [Fact]
    public async Task The_matrix_names_products_prints_each_rate_tells_each_cell_and_opens_a_letter_per_case()
    {
        var demo = await app.DemoAsync();
        var page = await MatrixAsync(await app.NewPageAsync(await app.NewToken(Roles.Member)), $"/events/{demo}?technology=SIP");

        // Headers are product names (as the API labels them), not keys.
        var labels = (await ApiMatrixAsync(demo, "SIP")).GetProperty("products").EnumerateArray()
            .Select(p => p.GetProperty("label").GetString()!).ToList();
        var headers = await page.Locator("[data-matrix] thead th.col-head span").AllInnerTextsAsync();
        Assert.Equal([.. labels, "All"], headers);

        // Downloads sit on the first screen, above the matrix; the page itself never scrolls sideways at 1280.
        var downloads = (await page.Locator("nav.downloads").BoundingBoxAsync())!;
        Assert.True(downloads.Y < 400, $"downloads at y={downloads.Y}");
        Assert.True(downloads.Y < (await page.Locator("[data-matrix]").BoundingBoxAsync())!.Y);
        Assert.Equal(1280, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));

        // The legend has every step of the scale; 80 % and 98 % are steps apart.
        Assert.Equal(10, await page.Locator("ol.scale li").CountAsync());
        var steps = (await page.Locator("ol.scale li").AllInnerTextsAsync()).ToList();
        Assert.True(steps.IndexOf("98–99 %") - steps.IndexOf("80–84 %") >= 3, string.Join(" | ", steps));

        // A cell tells its figures when pointed at, and the same line is announced for keyboard users.
        var cell = page.Locator("[data-matrix] tbody td[class^='rate-']:not(.rate-void):not(.rate-self):not(.total)").First;
        await cell.HoverAsync();
        var title = await cell.GetAttributeAsync("title");
        Assert.Matches(@"^.+ → .+: \d+ of \d+ executed passed \(\d+ %\), \d+ failed, \d+ not applicable, \d+ blocked, \d+ of \d+ untested$", title);
        Assert.StartsWith(title!, await page.Locator("#matrix-detail").InnerTextAsync());

        // Keyboard: the cell is focusable, arrows move, Enter opens the cell's page.
        await cell.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal("TD", await page.EvaluateAsync<string>("document.activeElement.tagName"));
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/cell?**");
        var letters = await page.Locator("ul.letters a").AllInnerTextsAsync();
        Assert.NotEmpty(letters);
        Assert.All(letters, l => Assert.Contains(l, new[] { "P", "F", "N", "B", "·" }));
        Assert.Equal(5, await page.Locator("ul.letter-legend li").CountAsync());
        var first = page.Locator("ul.letters a").First;
        Assert.Matches(@"^\S+ .+: (pass|fail|n/a|blocked|untested)", await first.GetAttributeAsync("aria-label"));
        await page.ScreenshotAsync(new() { Path = "/tmp/matrixui-cell-1280.png", FullPage = true });
    }

    [Fact]
    public async Task On_a_phone_the_matrix_scrolls_in_its_own_box_under_sticky_headers_and_the_page_does_not()
    {
        var demo = await app.DemoAsync();
        var page = await MatrixAsync(await app.NewPageAsync(await app.NewToken(Roles.Member), width: 375, height: 800),
            $"/events/{demo}?technology=SIP");

        Assert.Equal(375, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        Assert.True(await page.EvaluateAsync<bool>("(() => { const w = document.querySelector('.matrix-wrap'); return w.scrollWidth > w.clientWidth; })()"));
        Assert.Equal("sticky", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('[data-matrix] thead th')).position"));
        Assert.Equal("sticky", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('[data-matrix] tbody th')).position"));
        await page.ScreenshotAsync(new() { Path = "/tmp/matrixui-event-375.png", FullPage = true });

        var wide = await MatrixAsync(await app.NewPageAsync(await app.NewToken(Roles.Member)), $"/events/{demo}?technology=SIP");
        await wide.ScreenshotAsync(new() { Path = "/tmp/matrixui-event-1280.png", FullPage = true });
    }

    [Fact]
    public async Task Filters_narrow_the_matrix_to_a_plan_and_section_the_search_to_a_product_and_the_failed_and_disputed_results_are_listed()
    {
        var demo = await app.DemoAsync();
        var page = await MatrixAsync(await app.NewPageAsync(await app.NewToken(Roles.Member)), $"/events/{demo}?technology=SIP");
        var whole = (await ApiMatrixAsync(demo, "SIP")).GetProperty("total").GetProperty("executed").GetInt64();

        // Choosing a filter applies it at once (the page script submits the form).
        var planChosen = page.WaitForURLAsync("**plan=sip-video-basic**", new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByLabel("Plan", new() { Exact = true }).SelectOptionAsync("sip-video-basic");
        await planChosen;
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var section = (await page.GetByLabel("Section", new() { Exact = true }).Locator("option").AllAsync())[1];
        var sectionKey = (await section.GetAttributeAsync("value"))!;
        var sectionChosen = page.WaitForURLAsync($"**section={sectionKey}**", new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByLabel("Section", new() { Exact = true }).SelectOptionAsync(sectionKey);
        await sectionChosen;
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var narrowed = await app.Admin().GetAsync($"/api/events/{demo}/matrix?technology=SIP&plan=sip-video-basic&section={sectionKey}")
            .ReadJson<JsonElement>();
        var total = narrowed.GetProperty("total");
        Assert.True(total.GetProperty("executed").GetInt64() < whole);
        var shown = await page.Locator("[data-matrix] tbody tr:last-child td:last-child").InnerTextAsync();
        Assert.Equal(((int)Math.Floor(100.0 * total.GetProperty("pass").GetInt64() / total.GetProperty("executed").GetInt64())).ToString(), shown);

        var name = (await page.Locator("[data-matrix] tbody th").First.InnerTextAsync()).Trim();
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(name);
        await Assertions.Expect(page.Locator("[data-matrix] tbody tr")).ToHaveCountAsync(2); // the product and the totals row
        await Assertions.Expect(page.Locator("[data-matrix] thead th.col-head")).ToHaveCountAsync(2);

        var failed = page.Locator("#problems [data-problems-loaded]");
        await failed.WaitForAsync();
        Assert.Contains("Failed (", await failed.InnerTextAsync());
        Assert.Contains("Disputed (", await failed.InnerTextAsync());
    }

    [Fact]
    public async Task The_page_asks_for_the_cells_changed_since_its_version_gets_nothing_when_none_did_and_draws_a_new_verdict()
    {
        var demo = await app.DemoAsync();
        // The browser fixture's server is a real Kestrel port: a plain client that neither follows redirects nor keeps cookies.
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(app.BaseUrl),
        };
        var cookie = await client.SignInAsync(await app.NewToken(Roles.Member));
        async Task<HttpResponseMessage> GridAsync(string query)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/events/{demo}?handler=Grid&technology=SIP{query}");
            request.Headers.Add("Cookie", cookie);
            return await client.SendAsync(request);
        }
        var whole = await (await GridAsync("")).ReadJson<JsonElement>();
        var (version, stamp) = (whole.GetProperty("version").GetInt64(), whole.GetProperty("stamp").GetString()!);
        var since = $"&since={version}&stamp={Uri.EscapeDataString(stamp)}";
        Assert.Equal(HttpStatusCode.NoContent, (await GridAsync(since)).StatusCode);

        var page = await MatrixAsync(await app.NewPageAsync(await app.NewToken(Roles.Member)), $"/events/{demo}?technology=SIP");
        var passed = (await app.Admin().GetAsync($"/api/events/{demo}/results?verdict=pass&pageSize=200").ReadJson<JsonElement>())
            .GetProperty("items").EnumerateArray().First(r => r.GetProperty("technology").GetString() == "SIP");
        (await app.Admin().PostJson($"/api/events/{demo}/results", new
        {
            plan = passed.GetProperty("plan").GetString(), @case = passed.GetProperty("case").GetString(),
            initiator = passed.GetProperty("initiator").GetString(), responder = passed.GetProperty("responder").GetString(),
            verdict = "fail",
        })).EnsureSuccessStatusCode();

        var changed = await (await GridAsync(since)).ReadJson<JsonElement>();
        Assert.False(changed.TryGetProperty("products", out _));
        var changes = changed.GetProperty("changes").EnumerateArray().Select(c => c.GetInt64()).ToList();
        Assert.Equal(6, changes.Count); // one cell: its index and five numbers

        // The page draws it within its refresh period, without reloading itself.
        var products = whole.GetProperty("products").EnumerateArray().Select(p => p[0].GetString()).ToList();
        var (i, j) = ((int)changes[0] / products.Count, (int)changes[0] % products.Count);
        Assert.Equal(passed.GetProperty("initiator").GetString(), products[i]);
        var td = page.Locator($"[data-matrix] tbody tr:nth-child({i + 1}) td:nth-child({j + 2})");
        var expected = ((int)Math.Floor(100.0 * changes[2] / (changes[2] + changes[3]))).ToString();
        await Assertions.Expect(td).ToHaveTextAsync(expected, new() { Timeout = 25_000 });
    }

    [Fact]
    public async Task The_public_page_of_a_published_event_shows_its_anonymised_matrix_to_anyone_and_names_no_product()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.C1, "fail", notes: "no video", issue: "BUG-7"));
        await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.B1, floor.A2));
        var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/public/{floor.Event}")).StatusCode); // open: not public yet
        await floor.Chair.MoveTo(floor.Event, "closed");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/public/{floor.Event}")).StatusCode); // closed, unpublished
        await floor.Chair.MoveTo(floor.Event, "closed", published: true);

        var html = await anonymous.GetStringAsync($"/public/{floor.Event}");
        var products = new[] { floor.A1, floor.A2, floor.B1, floor.C1 };
        foreach (var text in products.SelectMany(p => new[] { p.Key, p.Name, p.Organization }).Append("no video").Append("BUG-7"))
            Assert.DoesNotContain(text, html);

        var page = await app.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Results page of {(await EventNameAsync(floor.Event))}" }).ClickAsync();
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var headers = await page.Locator("[data-matrix] thead th.col-head span").AllInnerTextsAsync();
        Assert.All(headers.SkipLast(1), h => Assert.Matches(@"^Vendor [A-Z]+ · \d+$", h));
        await page.Locator("[data-matrix] tbody td.rate-8, [data-matrix] tbody td.rate-0").First.HoverAsync();
        Assert.DoesNotContain("untested", await page.Locator("#matrix-detail").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = "/tmp/matrixui-public-1280.png", FullPage = true });
        var phone = await app.NewPageAsync(width: 375, height: 800);
        await phone.GotoAsync($"/public/{floor.Event}");
        await phone.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal(375, await phone.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        await phone.ScreenshotAsync(new() { Path = "/tmp/matrixui-public-375.png", FullPage = true });
    }

    [Fact]
    public async Task A_matrix_of_a_hundred_products_draws_the_rows_in_view_and_draws_others_as_they_are_scrolled_or_moved_to()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "BIG-001", Title = "Call" }));
        var keys = new List<string>();
        for (var o = 0; o < 10; o++)
        {
            var organization = await chair.Register(_build.Organization());
            for (var p = 0; p < 10; p++)
                keys.Add((await chair.Register(_build.Product(organization.Key) with { Technologies = ["SIP"], Capabilities = [] })).Key);
        }
        var @event = await chair.Create(_build.Event(plan.Plan));
        await chair.Enter(@event.Key, [.. keys]);
        await chair.MoveTo(@event.Key, "open");

        var page = await MatrixAsync(await app.NewPageAsync(await app.NewToken(Roles.Member)), $"/events/{@event.Key}");
        Assert.Equal("102", await page.Locator("[data-matrix]").GetAttributeAsync("aria-rowcount")); // header, 100 products, totals
        var drawn = await page.Locator("[data-matrix] tbody tr[data-r]").CountAsync();
        Assert.InRange(drawn, 10, 60);

        // Down the first column by keyboard, past the drawn rows: each row is drawn as focus reaches it.
        await page.Locator("[data-matrix] tbody tr[data-r='0'] td").First.FocusAsync();
        for (var r = 1; r <= 70; r++) await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("70", await page.EvaluateAsync<string>("document.activeElement.parentElement.dataset.r"));
        Assert.Contains("→", await page.Locator("#matrix-detail").InnerTextAsync());

        // Scrolled to the bottom, the last rows and the totals row are drawn.
        await page.EvaluateAsync("(() => { const w = document.querySelector('.matrix-wrap'); w.scrollTop = w.scrollHeight; })()");
        await Assertions.Expect(page.Locator("[data-matrix] tbody tr[data-r='all']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-matrix] tbody tr[data-r='99']")).ToHaveCountAsync(1);
    }

    private async Task<string> EventNameAsync(string @event) =>
        (await app.Admin().GetAsync($"/api/events/{@event}").ReadJson<JsonElement>()).GetProperty("name").GetString()!;
}
