using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>Browser tests run one class at a time: each class starts a Kestrel server and one Chromium.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>
/// The real app on a real Kestrel port on 127.0.0.1 over its own SQLite file, and Debian's Chromium driven by
/// Playwright (never a downloaded browser). One per test class; each test opens its own browser context.
/// </summary>
public class BrowserFixture : AppFixture, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>CI is a shared 2-core machine: waits are generous, and every wait is on something visible.</summary>
    public const float Timeout = 30_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public BrowserFixture() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    public async Task InitializeAsync()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseUrl = addresses.Addresses.Single().TrimEnd('/');
        ClientOptions.BaseAddress = new Uri(BaseUrl);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = Timeout,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>A fresh browser (own cookies) of the given width, already signed in with the token when one is given.</summary>
    public async Task<IPage> NewPageAsync(string? token = null, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(Timeout);
        context.SetDefaultNavigationTimeout(Timeout);
        var page = await context.NewPageAsync();
        if (token is not null) await SignInAsync(page, token);
        return page;
    }

    public static async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
