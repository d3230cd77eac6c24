using System.Net;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using Microsoft.Playwright;

namespace InteropTracker.Tests.Pages;

/// <summary>A vendor engineer drops traces on a failed result of the pairing page; another vendor sees nothing of them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EvidencePageTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private readonly Build _build = new(seed: 47);

    /// <summary>Drops files, made in the page from their bytes, on an element, as a drag from the desktop would.</summary>
    private static async Task DropAsync(IPage page, ILocator zone, params (string Name, byte[] Bytes)[] files)
    {
        var transfer = await page.EvaluateHandleAsync("""
            files => {
              const transfer = new DataTransfer();
              for (const [name, bytes] of files) transfer.items.add(new File([new Uint8Array(bytes)], name));
              return transfer;
            }
            """, files.Select(f => new object[] { f.Name, f.Bytes.Select(b => (int)b).ToArray() }).ToArray());
        await zone.DispatchEventAsync("dragenter", new { dataTransfer = transfer });
        await zone.DispatchEventAsync("drop", new { dataTransfer = transfer });
    }

    [Fact]
    public async Task An_engineer_drops_traces_on_a_failed_result_and_another_vendor_sees_none_of_them()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        await floor.Log(floor.EngineerA, new
        {
            plan = floor.Sip, @case = TestFloor.Call, initiator = floor.A1.Key, responder = floor.B1.Key, verdict = "fail", cause = "test-case",
        });
        var pairing = $"/events/{floor.Event}/pairing?a={floor.A1.Key}&b={floor.B1.Key}";
        var page = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.A1.Organization));
        await page.GotoAsync(pairing);

        var row = page.Locator("tr").Filter(new() { HasText = TestFloor.Call });
        await row.GetByText("cause test-case").WaitForAsync();
        var zone = row.Locator("[data-evidence-drop]");
        await DropAsync(page, zone, ("call.pcap", Evidence.EvidenceApiTests.Pcap(400)), ("ua.log", "INVITE sip:b@example.com\n"u8.ToArray()));
        await zone.GetByText("Attached call.pcap (400 B). Attached ua.log (25 B).").WaitForAsync();
        await row.GetByRole(AriaRole.Link, new() { Name = "call.pcap" }).WaitForAsync();
        await row.GetByRole(AriaRole.Link, new() { Name = "ua.log" }).WaitForAsync();

        await DropAsync(page, zone, ("screen.pcap", Evidence.EvidenceApiTests.Png));
        await zone.GetByText("The content is not a pcap capture", new() { Exact = false }).WaitForAsync();
        Assert.Contains("is-error", await zone.Locator("[data-evidence-status]").GetAttributeAsync("class"));
        Assert.Equal(2, await row.Locator("[data-evidence-files] li").CountAsync());

        await page.ScreenshotAsync(new() { Path = "/tmp/evidence-pairing-1280.png", FullPage = true });
        await page.SetViewportSizeAsync(375, 800);
        await page.ScreenshotAsync(new() { Path = "/tmp/evidence-pairing-375.png", FullPage = true });

        // The evidence page lists both and removes one.
        await row.GetByRole(AriaRole.Link, new() { Name = "Evidence", Exact = false }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Evidence of {TestFloor.Call}" }).WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove ua.log" }).ClickAsync();
        await page.GetByText("Removed ua.log.").WaitForAsync();
        Assert.Equal(1, await page.Locator("tbody tr").CountAsync());
        await page.ScreenshotAsync(new() { Path = "/tmp/evidence-page-375.png", FullPage = true });

        // Another vendor's engineer of the same event reads the pairing, but no evidence; its page is not there for them.
        var other = await app.NewPageAsync(await app.NewToken(Roles.Engineer, floor.C1.Organization));
        await other.GotoAsync(pairing);
        await other.Locator("tr").Filter(new() { HasText = TestFloor.Call }).WaitForAsync();
        Assert.Equal(0, await other.Locator("[data-evidence]").CountAsync());
        var refused = await other.GotoAsync(page.Url);
        Assert.Equal((int)HttpStatusCode.NotFound, refused!.Status);
        var member = await app.NewPageAsync(await app.NewToken(Roles.Member));
        await member.GotoAsync(pairing);
        Assert.Equal(0, await member.Locator("[data-evidence]").CountAsync());
    }
}
