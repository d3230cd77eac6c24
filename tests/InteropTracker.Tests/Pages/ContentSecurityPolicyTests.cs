using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>The pages under the Content-Security-Policy in a real browser: nothing refused, the page script still works.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    /// <summary>Chromium reports every CSP refusal on the console ("Refused to execute inline script …", "… violates …").</summary>
    private static List<string> Violations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal) || message.Text.StartsWith("Refused to", StringComparison.Ordinal))
                lock (violations) violations.Add($"{page.Url}: {message.Text}");
        };
        return violations;
    }

    [Fact]
    public async Task The_main_pages_load_and_work_without_a_single_CSP_violation()
    {
        var floor = await TestFloor.OpenAsync(app, new Build(seed: 16));
        var page = await app.NewPageAsync();
        var violations = Violations(page);
        await BrowserFixture.SignInAsync(page, AppFixture.AdminToken);

        foreach (var url in new[]
                 {
                     "/", $"/events/{floor.Event}", $"/events/{floor.Event}?view=pair", "/test-plans", $"/test-plans/{floor.Sip}",
                     "/setup/organizations", "/setup/products", "/setup/events/new", $"/setup/events/{floor.Event}",
                 })
        {
            var answer = await page.GotoAsync(url);
            Assert.True(answer!.Ok, $"{url}: {answer.Status}");
            await page.Locator("h1").First.WaitForAsync();
        }

        // The progress bars' widths (style attributes) are applied.
        await page.GotoAsync($"/events/{floor.Event}");
        var bar = page.Locator(".bar__part--pass").First;
        Assert.Equal("0px", await bar.EvaluateAsync<string>("e => getComputedStyle(e).width"));

        // The page script posts a verdict in place.
        await page.GotoAsync($"/events/{floor.Event}/results?product={floor.A1.Key}&peer={floor.B1.Key}");
        var card = page.Locator("li.case").Filter(new() { HasText = TestFloor.Call }).Filter(new() { HasText = $"{floor.A1.Key} → {floor.B1.Key}" });
        await card.GetByRole(AriaRole.Button, new() { Name = "pass", Exact = false }).First.ClickAsync();
        await card.GetByText("Saved: pass").WaitForAsync();
        await page.GotoAsync($"/events/{floor.Event}");
        Assert.NotEqual("0px", await page.Locator(".bar__part--pass").First.EvaluateAsync<string>("e => getComputedStyle(e).width"));

        // A new token's secret is selected as it gets focus (the handler that used to be inline, now in site.js).
        await page.GotoAsync("/setup/tokens");
        await page.GetByLabel("Who it is for").FillAsync("CSP check");
        await page.GetByLabel("Role").SelectOptionAsync(Roles.Member);
        await page.GetByRole(AriaRole.Button, new() { Name = "Make the token" }).ClickAsync();
        await page.GetByLabel("Secret").FocusAsync();
        Assert.StartsWith("itk_", await page.EvaluateAsync<string>("() => String(window.getSelection())"));

        Assert.Empty(violations);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_inline_script_is_refused()
    {
        var page = await app.NewPageAsync();
        var violations = Violations(page);
        await page.GotoAsync("/signin");
        await page.EvaluateAsync("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.injected = true';
              document.body.append(script);
            }
            """);
        Assert.False(await page.EvaluateAsync<bool>("() => window.injected === true"));
        Assert.Contains(violations, v => v.Contains("script-src 'self'", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_API_reference_starts_under_its_own_nonce_and_loads_nothing_from_elsewhere()
    {
        var page = await app.NewPageAsync();
        var violations = Violations(page);
        var fromElsewhere = new List<string>();
        page.Request += (_, request) => { if (!request.Url.StartsWith(app.BaseUrl, StringComparison.Ordinal)) fromElsewhere.Add(request.Url); };
        await page.GotoAsync("/scalar");
        await page.GetByText("Liveness, and whether the database can be read and written").First.WaitForAsync();
        Assert.Empty(fromElsewhere);
        Assert.Empty(violations);
        await page.Context.CloseAsync();
    }
}
