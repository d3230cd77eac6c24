using System.Net.Http.Json;
using System.Text.Json;
using Bogus;
using InteropTracker.Core;

namespace InteropTracker.Demo;

/// <summary>
/// The demo's earlier event of the same series, half a year before, closed: the same vendors with older versions of
/// their products (new keys, the same lines), two of today's products not there yet, and results from which today's
/// differ as a series' do: most cells the same, some fixed since, fewer regressed, some not run again.
/// </summary>
public static class DemoEarlierEvent
{
    public const string Key = "demo-superop-spring";

    private sealed record ProductRow
    {
        public string Key { get; init; } = "";
        public string Organization { get; init; } = "";
        public string Name { get; init; } = "";
        public string Version { get; init; } = "";
        public string Kind { get; init; } = "";
        public IReadOnlyList<string> Technologies { get; init; } = [];
        public IReadOnlyList<string> Capabilities { get; init; } = [];
    }

    /// <param name="products">Today's products, as planning sees them.</param>
    /// <param name="logged">Today's results: each planned cell logged and its verdict.</param>
    public static async Task SeedAsync(HttpClient chair, Faker faker, IReadOnlyList<Participant> products,
        IReadOnlyList<PlannedCase> cases, IReadOnlyList<(PlannedCell Cell, string Verdict)> logged,
        IEnumerable<object> plans, CancellationToken ct)
    {
        var older = new List<Participant>();
        foreach (var product in products.Take(products.Count - 2))
        {
            var now = (await chair.GetFromJsonAsync<ProductRow>($"/api/products/{product.Key}", JsonSerializerOptions.Web, ct))!;
            var version = Older(now.Version);
            var key = $"{product.Key}-{version.Replace('.', '-')}";
            await DemoEvent.Post(chair, "/api/products", new
            {
                key, line = product.Key, organization = now.Organization, name = now.Name, version, kind = now.Kind,
                technologies = now.Technologies, capabilities = now.Capabilities,
            }, ct);
            older.Add(product with { Key = key });
        }

        await DemoEvent.Post(chair, "/api/events", new
        {
            key = Key, name = "SuperOp spring week", location = "Lab 3, Sophia Antipolis",
            startDate = DateTime.UtcNow.Date.AddDays(-184).ToString("yyyy-MM-dd"),
            endDate = DateTime.UtcNow.Date.AddDays(-180).ToString("yyyy-MM-dd"), plans,
        }, ct);
        await DemoEvent.Post(chair, $"/api/events/{Key}/participants", new { products = older.Select(p => p.Key) }, ct);
        await DemoEvent.Post(chair, $"/api/events/{Key}/status", new { status = "open" }, ct);

        // Today's verdict of each cell, by case and pair of lines (a non-directional case's pair in either order).
        var today = new Dictionary<(long Case, long A, long B), string>();
        foreach (var (cell, verdict) in logged) today[Cell(cell.Case, cell.Initiator.Id, cell.Responder.Id)] = verdict;

        var rows = new List<object>();
        foreach (var cell in Planning.Cells(cases, older, includeSameOrganization: false))
        {
            var now = today.GetValueOrDefault(Cell(cell.Case, cell.Initiator.Id, cell.Responder.Id));
            string? verdict = now switch
            {
                null => faker.Random.Bool(0.1f) ? faker.PickRandom("pass", "fail") : null, // dropped since
                _ when faker.Random.Bool(0.1f) => null, // not run then: new today
                "pass" when faker.Random.Bool(0.12f) => "fail", // fixed since
                "fail" when faker.Random.Bool(0.3f) => "pass", // regressed since
                _ => now,
            };
            if (verdict is not null)
                rows.Add(new { plan = cell.Case.Plan, @case = cell.Case.Key, initiator = cell.Initiator.Key, responder = cell.Responder.Key, verdict });
        }
        foreach (var chunk in rows.Chunk(5000))
            await DemoEvent.Post(chair, $"/api/events/{Key}/results/import", chunk, ct);
        await DemoEvent.Post(chair, $"/api/events/{Key}/status", new { status = "closed" }, ct);
    }

    private static (long, long, long) Cell(PlannedCase c, long a, long b) => c.Directional || a < b ? (c.Id, a, b) : (c.Id, b, a);

    /// <summary>A version before "major.minor".</summary>
    private static string Older(string version)
    {
        var parts = version.Split('.');
        var (major, minor) = (int.Parse(parts[0]), parts.Length > 1 ? int.Parse(parts[1]) : 0);
        return major > 1 ? $"{major - 1}.{minor}" : minor > 0 ? $"{major}.{minor - 1}" : "0.9";
    }
}
