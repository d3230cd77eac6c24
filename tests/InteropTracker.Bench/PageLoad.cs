using System.Diagnostics;
using Microsoft.Playwright;

namespace InteropTracker.Bench;

/// <summary>
/// The event page as a member opens it in Chromium (Debian's, never a downloaded one): its bytes over the wire (the
/// document, its script and styles, and what the script fetches until the network is idle) and the time from navigation
/// to the matrix drawn, on the largest technology's matrix of the main event.
/// </summary>
public static class PageLoad
{
    private const string Chromium = "/usr/bin/chromium";
    private const int Runs = 3;

    public static async Task<IReadOnlyList<Figure>> MeasureAsync(Uri app, string adminToken, string eventKey, string technology,
        Func<string, Task<long>> apiMatrixBytes, Action<string> say)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(120_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Token").FillAsync(adminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();

        var path = $"/events/{Uri.EscapeDataString(eventKey)}?technology={Uri.EscapeDataString(technology)}";
        var times = new List<double>();
        long bytes = 0, elements = 0, cells = 0;
        await LoadAsync(page, path, "[data-matrix][data-ready]"); // warms the app's caches and Chromium's
        var (signInSeconds, _, _) = await LoadAsync(page, "/signin", "form");
        for (var r = 0; r < Runs; r++)
        {
            var (seconds, transferred, count) = await LoadAsync(page, path, "[data-matrix][data-ready]");
            times.Add(seconds);
            bytes = transferred;
            elements = count;
            cells = await page.EvaluateAsync<long>("document.querySelectorAll('[data-matrix] td').length");
        }
        var (defaultSeconds, defaultBytes, _) = await LoadAsync(page, $"/events/{Uri.EscapeDataString(eventKey)}", "[data-matrix][data-ready]");
        var apiBytes = await apiMatrixBytes(technology);
        var load = Sqlite3.Median(times);
        say($"event page ({technology}): {bytes / 1e6:0.000} MB, {elements:N0} elements ({cells:N0} cells), drawn in {load:0.00} s; " +
            $"default technology {defaultBytes / 1e6:0.000} MB in {defaultSeconds:0.00} s; sign-in page {signInSeconds:0.00} s");
        return
        [
            new Figure("event_page_mb", "MB", bytes / 1e6, apiBytes / 1e6, "MB", Rule.ValueBelow, 1,
                $"the API's JSON matrix of {technology} (GET …/matrix?technology=); the value is every byte Chromium receives for " +
                $"the event page showing {technology}: document, script, styles and the lists the script loads, until the network is idle",
                new Dictionary<string, double> { ["elements"] = elements, ["cells"] = cells, ["default_page_mb"] = defaultBytes / 1e6 }),
            new Figure("event_page_load_s", "s", load, signInSeconds, "s", Rule.ValueBelow, 2,
                $"Chromium loading the sign-in page; the value is the median of {Runs} loads of the event page showing {technology}, " +
                "from navigation until its matrix is drawn",
                new Dictionary<string, double> { ["default_page_s"] = defaultSeconds }),
        ];
    }

    /// <summary>Seconds until <paramref name="ready"/> is on the page; bytes received until the network is idle; elements then.</summary>
    private static async Task<(double Seconds, long Bytes, long Elements)> LoadAsync(IPage page, string path, string ready)
    {
        long bytes = 0;
        var pending = new List<Task>();
        void Count(object? _, IResponse response) => pending.Add(Task.Run(async () =>
        {
            try
            {
                Interlocked.Add(ref bytes, (await response.BodyAsync()).Length);
            }
            catch (PlaywrightException)
            {
                // A redirect or an aborted request has no body.
            }
        }));
        page.Response += Count;
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator(ready).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        var seconds = clock.Elapsed.TotalSeconds;
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        page.Response -= Count;
        await Task.WhenAll(pending);
        var elements = await page.EvaluateAsync<long>("document.getElementsByTagName('*').length");
        return (seconds, bytes, elements);
    }
}
