using System.Text;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Tests.Access;
using InteropTracker.Tests.EventResults;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>The chair's setup pages in Chromium: the product form's tag chips, errors and proposed keys; registering from a file; closing and publishing with a confirmation.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RegistrationPageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 77);

    private static string WriteFile(string name, string content)
    {
        var folder = Path.Combine(Path.GetTempPath(), "interop-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content, Encoding.UTF8);
        return path;
    }

    private static async Task Screenshot(IPage page, string name)
    {
        foreach (var width in new[] { 1280, 375 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.ScreenshotAsync(new() { Path = $"/tmp/registration-{name}-{width}.png", FullPage = true });
        }
        await page.SetViewportSizeAsync(1280, 900);
    }

    private async Task<(HttpClient Chair, string Token, string Organization)> ChairWithPlanAsync()
    {
        var token = await app.NewToken(Roles.Chair);
        var chair = app.WithToken(token);
        await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "CALL-1", Requires = ["h264"] },
            new CaseSpec { Id = "SHARE-1", Requires = ["bfcp"], Initiator = ["sip.tls"] }));
        var organization = await chair.Register(_build.Organization());
        return (chair, token, organization.Key);
    }

    [Fact]
    public async Task The_product_form_toggles_tags_from_the_chips_proposes_the_key_and_shows_every_error_at_once()
    {
        var (chair, token, _) = await ChairWithPlanAsync();
        var page = await app.NewPageAsync(token);
        await page.GotoAsync("/setup/products");

        await page.GetByLabel("Name").FillAsync("Acme Room Kit 7");
        Assert.Equal("acme-room-kit-7", await page.GetByLabel("Key").InputValueAsync());

        var tags = page.GetByLabel("Capability tags");
        var bfcp = page.GetByRole(AriaRole.Button, new() { Name = "bfcp", Exact = true });
        var h264 = page.GetByRole(AriaRole.Button, new() { Name = "h264", Exact = true });
        await bfcp.ClickAsync();
        await h264.ClickAsync();
        Assert.Equal("bfcp h264", await tags.InputValueAsync());
        Assert.Equal("true", await bfcp.GetAttributeAsync("aria-pressed"));
        await bfcp.ClickAsync();
        Assert.Equal("h264", await tags.InputValueAsync());
        Assert.Equal("false", await bfcp.GetAttributeAsync("aria-pressed"));

        // A key typed by hand is the chair's: the name no longer changes it.
        await page.GetByLabel("Key").FillAsync("acme-kit");
        await page.GetByLabel("Name").FillAsync("Acme Room Kit 8");
        Assert.Equal("acme-kit", await page.GetByLabel("Key").InputValueAsync());

        await tags.FillAsync("h264 bfcpp h246");
        await page.GetByLabel("Version").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register product" }).ClickAsync();
        var summary = page.Locator(".error-summary, .validation-summary-errors").First;
        await summary.WaitForAsync();
        var text = await summary.InnerTextAsync();
        Assert.Contains("did you mean 'bfcp'?", text);
        Assert.Contains("did you mean 'h264'?", text);
        Assert.Contains("Version", text);
        Assert.Equal("h264 bfcpp h246", await tags.InputValueAsync());
        await Screenshot(page, "product-errors");

        await tags.FillAsync("h264 bfcp");
        await page.GetByLabel("Version").FillAsync("8.0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register product" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Registered acme-kit" }).WaitForAsync();
        var product = await chair.GetAsync("/api/products/acme-kit").ReadJson<InteropTracker.Vendors.Product>();
        Assert.Equal(["h264", "bfcp"], product.Capabilities);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_script_a_key_left_empty_is_proposed_from_the_name_for_the_next_post()
    {
        var (_, token, _) = await ChairWithPlanAsync();
        var context = await app.Browser.NewContextAsync(new() { BaseURL = app.BaseUrl, JavaScriptEnabled = false });
        context.SetDefaultTimeout(BrowserFixture.Timeout);
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, token);
        await page.GotoAsync("/setup/organizations");
        await page.GetByLabel("Name").FillAsync("Zeta Vision GmbH");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await page.GetByText("'zeta-vision-gmbh', made from its name, is filled in").First.WaitForAsync();
        Assert.Equal("zeta-vision-gmbh", await page.GetByLabel("Key").InputValueAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Registered zeta-vision-gmbh" }).WaitForAsync();
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_chair_uploads_a_registration_file_sees_each_mistake_at_its_row_then_registers_it()
    {
        var (chair, token, organization) = await ChairWithPlanAsync();
        var @event = await chair.Create(_build.Event((await chair.GetAsync("/api/test-plans").ReadJson<List<System.Text.Json.JsonElement>>())[0].GetProperty("plan").GetString()!));
        var page = await app.NewPageAsync(token);
        await page.GotoAsync("/setup/products");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register many from a file" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Register from a file", Level = 1 }).WaitForAsync();
        Assert.Equal("/api/registrations/template.xlsx", await page.GetByRole(AriaRole.Link, new() { Name = "Excel template" }).GetAttributeAsync("href"));

        const string header = "organization,organization_name,product,product_name,version,kind,technologies,capabilities,event";
        var broken = $"{header}\n{organization},,{organization}-room,Room,1.0,endpoint,SIP,h264;bfcpp,{@event.Key}\n" +
                     $"{organization},,{organization}-edge,Edge,1.0,phone,SIP,h264,{@event.Key}\n";
        await page.GetByLabel("Registration file (.csv or .xlsx)").SetInputFilesAsync(WriteFile("products.csv", broken));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and register" }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Nothing was registered" });
        await alert.WaitForAsync();
        var text = await alert.InnerTextAsync();
        Assert.Contains("2 problems in products.csv", text);
        Assert.Contains("row 2, column capabilities: 'bfcpp' is not a tag any loaded test plan uses; did you mean 'bfcp'?", text);
        Assert.Contains("row 3, column kind", text);
        await Screenshot(page, "upload-errors");

        await page.GetByLabel("Registration file (.csv or .xlsx)").SetInputFilesAsync(WriteFile("products.csv", broken.Replace("bfcpp", "bfcp").Replace("phone", "endpoint")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and register" }).ClickAsync();
        var done = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "2 rows registered" });
        await done.WaitForAsync();
        Assert.Contains("Products: 2 created, 0 updated.", await done.InnerTextAsync());
        Assert.Contains("Registered in events: 2.", await done.InnerTextAsync());
        await Screenshot(page, "upload-done");
        Assert.Equal(2, (await chair.GetAsync($"/api/events/{@event.Key}/participants").ReadJson<List<ParticipantInfo>>()).Count);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Closing_and_publishing_ask_for_confirmation_and_the_event_says_provisional_until_published()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        var token = await app.NewToken(Roles.Chair);
        var page = await app.NewPageAsync(token);

        await page.GotoAsync($"/events/{floor.Event}");
        await page.GetByText("Provisional: these figures may still change").WaitForAsync();

        await page.GotoAsync($"/setup/events/{floor.Event}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Close the event (final)…" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Close the event?" }).WaitForAsync();
        await Screenshot(page, "confirm-close");
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Close the event (final)…" }).WaitForAsync();
        Assert.Equal("open", (await floor.Member.GetAsync($"/api/events/{floor.Event}").ReadJson<EventInfo>()).Status);

        await page.GetByRole(AriaRole.Link, new() { Name = "Close the event (final)…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, close the event" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The event is closed." }).WaitForAsync();
        Assert.Contains("Only an admin may reopen", await page.ContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Take a snapshot" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Snapshot 1 is taken" }).WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Publish snapshot 1…" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Publish snapshot 1?" }).WaitForAsync();
        await Screenshot(page, "confirm-publish");
        Assert.False((await floor.Member.GetAsync($"/api/events/{floor.Event}").ReadJson<EventInfo>()).Published);
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, publish it" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "published (snapshot 1)" }).WaitForAsync();
        await Screenshot(page, "published");

        var info = await floor.Member.GetAsync($"/api/events/{floor.Event}").ReadJson<EventInfo>();
        Assert.Equal(("closed", true, 1L), (info.Status, info.Published, info.PublishedSnapshot));
        await page.GotoAsync($"/events/{floor.Event}");
        await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).WaitForAsync();
        Assert.DoesNotContain("Provisional", await page.ContentAsync());
        await page.Context.CloseAsync();
    }
}
