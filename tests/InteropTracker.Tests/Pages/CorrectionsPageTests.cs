using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using InteropTracker.Vendors;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>A chair's corrections in a real browser: a product's declarations, a withdrawal, and the audit log that shows them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CorrectionsPageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 1011);

    private static (Product, Product) Stored(Product a, Product b) => string.CompareOrdinal(a.Key, b.Key) <= 0 ? (a, b) : (b, a);

    [Fact]
    public async Task A_chair_corrects_a_products_capabilities_sees_the_results_it_would_retire_then_retires_them_and_finds_it_in_the_audit_log()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var (first, second) = Stored(floor.A1, floor.B1);
        var dtmf = await floor.Log(app.Admin(), floor.Result(TestFloor.Dtmf, first, second, "fail"));
        var page = await app.NewPageAsync(await app.NewToken(Roles.Chair));

        await page.GotoAsync("/setup/products");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Correct {floor.B1.Key}" }).ClickAsync();
        await page.GetByLabel("Capability tags").FillAsync("h264");
        await page.GetByLabel("Version").FillAsync("7.3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the correction" }).ClickAsync();

        // Refused: the result is listed with why, and nothing changed yet.
        var outside = page.Locator("#outside");
        await outside.GetByText("1 logged result would fall outside the plan").WaitForAsync();
        await outside.GetByText($"#{dtmf.Id}").WaitForAsync();
        await outside.GetByText("dtmf.rfc4733").WaitForAsync();
        Assert.Equal("h264", await page.GetByLabel("Capability tags").InputValueAsync());
        Assert.Contains("dtmf.rfc4733", (await app.Admin().GetAsync($"/api/products/{floor.B1.Key}").ReadJson<Product>()).Capabilities);
        await page.ScreenshotAsync(new() { Path = "/tmp/corrections-product-1280.png", FullPage = true });
        await page.SetViewportSizeAsync(375, 800);
        await page.ScreenshotAsync(new() { Path = "/tmp/corrections-product-375.png", FullPage = true });
        await page.SetViewportSizeAsync(1280, 900);

        await page.GetByRole(AriaRole.Button, new() { Name = "Retire them and apply" }).ClickAsync();
        await page.GetByText("Saved. 1 result was retired.").WaitForAsync();
        var product = await app.Admin().GetAsync($"/api/products/{floor.B1.Key}").ReadJson<Product>();
        Assert.Equal(["h264"], product.Capabilities);
        Assert.Equal("7.3", product.Version);

        await page.GotoAsync($"/events/{floor.Event}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("What").SelectOptionAsync("product");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var row = page.Locator("tbody tr").Filter(new() { HasText = "product.update" });
        await row.GetByText("version: 7.3").WaitForAsync();
        await row.GetByText("capabilities: h264", new() { Exact = true }).WaitForAsync();
        await page.GetByLabel("What").SelectOptionAsync("results.retire");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.Locator("tbody tr").Filter(new() { HasText = "1 result retired" }).WaitForAsync();
        await page.ScreenshotAsync(new() { Path = "/tmp/corrections-audit-1280.png", FullPage = true });
    }

    [Fact]
    public async Task A_chair_withdraws_a_participant_after_confirming_and_retiring_its_results()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var call = await floor.Log(app.Admin(), floor.Result(TestFloor.Call, floor.A1, floor.C1));
        var page = await app.NewPageAsync(await app.NewToken(Roles.Chair));

        await page.GotoAsync($"/setup/events/{floor.Event}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Correct the event or withdraw a participant" }).ClickAsync();
        var c1 = page.Locator("tbody tr").Filter(new() { HasText = floor.C1.Key });
        await c1.GetByRole(AriaRole.Link, new() { Name = "Withdraw…" }).ClickAsync();

        // First a question; then, the product having results, the list of them and the choice to retire them.
        var confirm = page.Locator("#withdraw");
        await confirm.GetByText($"Withdraw {floor.C1.Name}").First.WaitForAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = $"Withdraw {floor.C1.Key}" }).ClickAsync();
        await page.Locator("#outside").GetByText($"#{call.Id}").WaitForAsync();
        Assert.Equal(4, (await app.Admin().GetAsync($"/api/events/{floor.Event}/participants").ReadJson<List<object>>()).Count);
        var @event = await app.Admin().GetAsync($"/api/events/{floor.Event}").ReadJson<InteropTracker.Events.EventInfo>();
        Assert.Equal(@event.Name, await page.GetByLabel("Name").InputValueAsync());
        await page.ScreenshotAsync(new() { Path = "/tmp/corrections-withdraw-1280.png", FullPage = true });
        await page.SetViewportSizeAsync(375, 800);
        await page.ScreenshotAsync(new() { Path = "/tmp/corrections-withdraw-375.png", FullPage = true });
        await page.SetViewportSizeAsync(1280, 900);

        await page.GetByRole(AriaRole.Button, new() { Name = "Retire them and withdraw" }).ClickAsync();
        await page.GetByText($"{floor.C1.Key} was withdrawn; 1 result was retired.").WaitForAsync();
        Assert.Equal(0, await page.Locator("tbody tr").Filter(new() { HasText = floor.C1.Key }).CountAsync());
        var retired = await app.Admin().GetAsync($"{floor.Results}?retired=true").ReadJson<InteropTracker.EventResults.ResultPage>();
        Assert.Equal(call.Id, Assert.Single(retired.Items).Id);
    }
}
