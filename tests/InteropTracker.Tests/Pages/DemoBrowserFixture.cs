using InteropTracker.Core;
using InteropTracker.Demo;
using InteropTracker.Tests.TestPlans;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Tests.Pages;

/// <summary>The browser fixture over the shipped test plans, with the demo event (20 products, three technologies) made once.</summary>
public sealed class DemoBrowserFixture : BrowserFixture
{
    private readonly Lazy<Task> _demo;

    public DemoBrowserFixture() =>
        _demo = new Lazy<Task>(() => DemoEvent.SeedAsync(Admin(), organization => ClientFor(Roles.Engineer, organization), NullLogger.Instance));

    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { [InteropTracker.TestPlans.TestCasesFolder.Setting] = ShippedTestCasesFixture.Folder };

    /// <summary>The demo event's key, once it is made.</summary>
    public async Task<string> DemoAsync()
    {
        await _demo.Value;
        return DemoEvent.Key;
    }
}
