using System.Net;
using System.Text;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.TestPlans;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

[Collection(BrowserCollection.Name)]
public sealed class TestPlanPageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static string WriteFile(string name, string content)
    {
        var folder = Path.Combine(Path.GetTempPath(), "interop-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content, Encoding.UTF8);
        return path;
    }

    [Fact]
    public async Task A_visitor_is_sent_to_sign_in_an_unknown_token_is_refused_and_a_good_one_returns_to_the_page()
    {
        var token = await app.NewToken(Roles.Member);
        var page = await app.NewPageAsync();

        await page.GotoAsync("/test-plans");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        Assert.Contains("/signin?returnUrl=%2Ftest-plans", page.Url);

        await page.GetByLabel("Token").FillAsync("itk_not-a-real-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByText("This token is unknown or has been revoked").WaitForAsync();
        Assert.Empty(await page.Context.CookiesAsync([app.BaseUrl]) is var cookies
            ? cookies.Where(c => c.Name == TokenAuthentication.CookieName) : []);

        await page.GetByLabel("Token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Test plans", Level = 1 }).WaitForAsync();
        Assert.EndsWith("/test-plans", page.Url);

        var cookie = (await page.Context.CookiesAsync([app.BaseUrl])).Single(c => c.Name == TokenAuthentication.CookieName);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }).WaitForAsync();
        Assert.DoesNotContain(await page.Context.CookiesAsync([app.BaseUrl]), c => c.Name == TokenAuthentication.CookieName);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_chair_uploads_a_yaml_plan_and_sees_the_located_error_of_a_broken_one()
    {
        var page = await app.NewPageAsync(await app.NewToken(Roles.Chair));
        await page.GotoAsync("/test-plans");

        var broken = SamplePlans.Yaml(plan: "page-broken").Replace("priority: recommended", "priority: urgent");
        await page.GetByLabel("Test-plan file").SetInputFilesAsync(WriteFile("broken.yaml", broken));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and load" }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Nothing was loaded" });
        await alert.WaitForAsync();
        var text = await alert.InnerTextAsync();
        Assert.Contains("broken.yaml", text);
        Assert.Contains("urgent", text);
        Assert.Matches(@"line \d+|cases\[1\]\.priority", text);

        await page.GetByLabel("Test-plan file").SetInputFilesAsync(WriteFile("good.yaml", SamplePlans.Yaml(plan: "page-good")));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and load" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Loaded version 1.0" }).WaitForAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Call setup" }).WaitForAsync();
        await page.GetByText("DTMF per RFC 4733").WaitForAsync();

        var revised = SamplePlans.Yaml(plan: "page-good", version: "1.1").Replace("title: Call over TLS", "title: Call over TLS 1.3");
        await page.GotoAsync("/test-plans");
        await page.GetByLabel("Test-plan file").SetInputFilesAsync(WriteFile("revised.yaml", revised));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and load" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Loaded version 1.1" }).WaitForAsync();
        await page.GetByLabel("From").SelectOptionAsync("1.0");
        await page.GetByLabel("To").SelectOptionAsync("1.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show changes" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Changed cases (1)" }).WaitForAsync();
        Assert.Contains("Call over TLS 1.3", await page.Locator(".diff-changed").InnerTextAsync());

        await page.GotoAsync("/test-plans");
        await page.Locator("a[href='/test-plans/page-good']").WaitForAsync();
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "page-broken" }).CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_sees_no_upload_form_and_a_forged_post_is_refused()
    {
        var page = await app.NewPageAsync(await app.NewToken(Roles.Member));
        await page.GotoAsync("/test-plans");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Loaded plans" }).WaitForAsync();
        Assert.Equal(0, await page.GetByLabel("Test-plan file").CountAsync());

        // A post without the antiforgery token is refused before the page runs, whoever sends it.
        var chair = await app.NewPageAsync(await app.NewToken(Roles.Chair));
        var forged = await chair.APIRequest.PostAsync("/test-plans", new()
        {
            Multipart = chair.APIRequest.CreateFormData().Set("Upload", new FilePayload
            {
                Name = "forged.yaml", MimeType = "application/yaml", Buffer = Encoding.UTF8.GetBytes(SamplePlans.Yaml(plan: "forged")),
            }),
            MaxRedirects = 0,
        });
        Assert.Equal((int)HttpStatusCode.BadRequest, forged.Status);

        // The sign-in cookie alone does not authorize an API write: that takes the Authorization header.
        var viaCookie = await chair.APIRequest.PostAsync("/api/test-plans", new()
        {
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/yaml" },
            DataString = SamplePlans.Yaml(plan: "forged"),
        });
        Assert.Equal((int)HttpStatusCode.Unauthorized, viaCookie.Status);

        // A member's post with a valid antiforgery token still meets the server's own role check.
        await page.EvaluateAsync("""
            () => {
              const form = document.createElement('form');
              form.method = 'post'; form.action = '/test-plans'; form.enctype = 'multipart/form-data';
              const token = document.querySelector('input[name=__RequestVerificationToken]');
              if (token) form.append(token.cloneNode());
              document.body.append(form);
              form.submit();
            }
            """);
        await page.GetByRole(AriaRole.Heading, new() { Name = "Not for your role" }).WaitForAsync();

        var plans = await chair.APIRequest.GetAsync("/api/test-plans");
        Assert.DoesNotContain("forged", await plans.TextAsync());
        await page.Context.CloseAsync();
        await chair.Context.CloseAsync();
    }

    [Fact]
    public async Task A_chair_registers_vendors_and_products_sets_up_an_event_registers_participants_and_opens_it()
    {
        var chairToken = await app.NewToken(Roles.Chair);
        using (var api = app.WithToken(chairToken))
            (await api.PostAsync("/api/test-plans", new StringContent(SamplePlans.Yaml(plan: "setup-plan"), Encoding.UTF8, "application/yaml")))
                .EnsureSuccessStatusCode();
        var page = await app.NewPageAsync(chairToken);
        var suffix = Guid.NewGuid().ToString("N")[..6];

        foreach (var vendor in new[] { "north", "south" })
        {
            await page.GotoAsync("/setup/organizations");
            await page.GetByLabel("Name").FillAsync($"{vendor} {suffix}");
            await page.GetByLabel("Key").FillAsync($"{vendor}-{suffix}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
            await page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"{vendor}-{suffix}" }).WaitForAsync();
        }
        // The API's own refusal, in its words, beside the form.
        await page.GetByLabel("Name").FillAsync("again");
        await page.GetByLabel("Key").FillAsync($"north-{suffix}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "already exists" }).WaitForAsync();

        foreach (var vendor in new[] { "north", "south" })
        {
            await page.GotoAsync("/setup/products");
            await page.GetByLabel("Organization").SelectOptionAsync(new SelectOptionValue { Label = $"{vendor} {suffix}" });
            await page.GetByLabel("Name").FillAsync("Phone");
            await page.GetByLabel("Version").FillAsync("1.0");
            await page.GetByLabel("Key").FillAsync($"{vendor}-phone-{suffix}");
            await page.GetByLabel("SIP", new() { Exact = true }).CheckAsync();
            await page.GetByLabel("Capability tags").FillAsync("h264, sip.tls sips-uri");
            await page.GetByRole(AriaRole.Button, new() { Name = "Register product" }).ClickAsync();
            await page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"{vendor}-phone-{suffix}" }).WaitForAsync();
        }

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "New event" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync($"Plugfest {suffix}");
        await page.GetByLabel("Key").FillAsync($"plugfest-{suffix}");
        await page.GetByLabel("First day").FillAsync("2026-12-01");
        await page.GetByLabel("Last day").FillAsync("2026-11-30");
        await page.Locator("#pin-setup-plan").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the event" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "before it starts" }).WaitForAsync();
        await page.GetByLabel("Last day").FillAsync("2026-12-03");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the event" }).ClickAsync();

        await page.GetByRole(AriaRole.Heading, new() { Name = $"Manage Plugfest {suffix}" }).WaitForAsync();
        await page.GetByLabel("Phone 1.0", new() { Exact = false }).First.CheckAsync();
        await page.GetByLabel("Phone 1.0", new() { Exact = false }).Last.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Register the chosen products" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Registered 2 products." }).WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the event" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The event is open." }).WaitForAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Open the event page" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "SIP matrix" }).WaitForAsync();
        await page.Locator("[data-matrix][data-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal(2, await page.Locator("[data-matrix] thead th.col-head span").Filter(new() { HasText = "Phone 1.0" }).CountAsync());
        await page.Context.CloseAsync();
    }
}
