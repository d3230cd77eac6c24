using System.Net;
using System.Text.Json;
using InteropTracker.Demo;
using InteropTracker.Tests.Performance;
using InteropTracker.Tests.TestPlans;

namespace InteropTracker.Tests.Demo;

/// <summary>
/// `--demo` as README gives it: the app started as a process of its own with the shipped test cases generates the demo
/// event through its own API once it is up, and leaves no token of the generator's usable behind it.
/// </summary>
public sealed class DemoCommandTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Create();

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "interop-tests", $"demo-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_demo_command_makes_the_demo_event_and_revokes_every_token_it_made_for_itself()
    {
        var connectionString = _database.ConnectionString ?? $"Data Source={Path.Combine(_folder, "interop.db")}";
        await using var app = await ChildApp.StartAsync(connectionString, _folder, ShippedTestCasesFixture.Folder, "--demo");
        var ready = await app.WaitForOutputAsync("Demo ready", TimeSpan.FromMinutes(3));
        Assert.Contains($"open the event '{DemoEvent.Key}'", ready);

        using var admin = app.Client(AppFixture.AdminToken);
        var summary = await admin.GetAsync($"/api/events/{DemoEvent.Key}/summary").ReadJson<JsonElement>();
        Assert.Equal(20, summary.GetProperty("participants").GetInt32());
        Assert.True(summary.GetProperty("total").GetProperty("executed").GetInt64() > 5_000, summary.ToString());

        // The generator's admin token and the engineer tokens it made for each vendor are all revoked: only the
        // operator's first admin token is left active.
        var tokens = (await admin.GetAsync("/api/tokens").ReadJson<JsonElement>()).EnumerateArray().ToList();
        static bool Revoked(JsonElement token) => token.GetProperty("revokedAt").ValueKind == JsonValueKind.String;
        Assert.True(Revoked(tokens.Single(t => t.GetProperty("name").GetString() == "demo generator")));
        var engineers = tokens.Where(t => t.GetProperty("role").GetString() == "engineer").ToList();
        Assert.NotEmpty(engineers);
        Assert.All(engineers, t => Assert.True(Revoked(t), t.ToString()));
        var active = tokens.Where(t => t.GetProperty("revokedAt").ValueKind == JsonValueKind.Null).ToList();
        Assert.Equal("admin", Assert.Single(active).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/events")).StatusCode);
    }
}
