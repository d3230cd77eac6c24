using System.Net.Http.Json;
using System.Text.Json;
using Bogus;
using System.Net.Http.Headers;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using InteropTracker.EventResults;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace InteropTracker.Demo;

/// <summary>
/// `--demo`: a realistic interop event on the shipped test plans, made through the public API as a chair and the
/// vendors' engineers would make it: about 16 vendors and 20 products with plausible capabilities, about 60% of
/// the planned cells logged, failures clustered on a few hard cases, some results revised, confirmed or disputed.
/// </summary>
public static class DemoEvent
{
    public const string Key = "demo-superop";

    private static readonly string[] Plans = ["sip-video-basic", "webrtc-gateway", "h323-video"];

    /// <summary>Tags that say what a product is rather than what it supports: only the right kinds declare them.</summary>
    private static readonly Dictionary<string, string[]> RoleTags = new()
    {
        ["registrar"] = ["sbc", "server", "mcu"],
        ["gatekeeper"] = ["mcu", "gateway"],
        ["sip-gateway"] = ["gateway"],
        ["h323-sip-gateway"] = ["gateway"],
        ["sfu"] = ["mcu", "server"],
        ["ice-lite"] = ["gateway", "server", "mcu"],
    };

    private static readonly HashSet<string> GatewayTags = ["sip-gateway", "h323-sip-gateway"];

    private sealed record Blueprint(string Kind, string[] Technologies, string Suffix, string? Role = null);

    // 20 products: room and desktop endpoints, MCUs, SBCs, browsers and clients, and three gateways.
    private static readonly Blueprint[] Lineup =
    [
        new("endpoint", ["SIP", "H.323"], "Room 70"), new("endpoint", ["SIP"], "Desk Pro"),
        new("endpoint", ["SIP", "H.323"], "Studio X"), new("endpoint", ["SIP"], "Phone V5"),
        new("endpoint", ["SIP"], "Huddle 30"), new("endpoint", ["SIP", "H.323"], "Board 55"),
        new("endpoint", ["H.323"], "Legacy HDX"), new("endpoint", ["SIP"], "Bar Mini"),
        new("mcu", ["SIP", "H.323", "WebRTC"], "Bridge 8000"), new("mcu", ["SIP", "H.323"], "Conductor"),
        new("mcu", ["SIP", "WebRTC"], "Meet Server"),
        new("sbc", ["SIP"], "Edge SBC"), new("sbc", ["SIP", "WebRTC"], "Border 4"),
        new("browser", ["WebRTC"], "Browser 131"), new("browser", ["WebRTC"], "Navigator"),
        new("client", ["WebRTC"], "Desktop App"), new("client", ["WebRTC", "SIP"], "Softphone"),
        new("gateway", ["SIP", "WebRTC"], "WebRTC Gateway", "sip-gateway"),
        new("gateway", ["SIP", "H.323"], "H.323 Gateway", "h323-sip-gateway"),
        new("gateway", ["SIP", "WebRTC", "H.323"], "Unified GW", "sip-gateway"),
    ];

    private sealed record PlanDocument
    {
        public TestPlanDocument Document { get; init; } = new();
    }

    private sealed record Created
    {
        public long Id { get; init; }
        public string Token { get; init; } = "";
    }

    private sealed record ResultRow
    {
        public long Id { get; init; }
        public string Plan { get; init; } = "";
        public string Case { get; init; } = "";
        public string Initiator { get; init; } = "";
        public string Responder { get; init; } = "";
        public string Verdict { get; init; } = "";
    }

    private sealed record ResultPage
    {
        public IReadOnlyList<ResultRow> Items { get; init; } = [];
        public long Total { get; init; }
    }

    /// <summary>
    /// Starts the server, makes the demo event through its own API with temporary tokens (revoked afterwards), and
    /// serves until shut down.
    /// </summary>
    public static async Task RunAsync(WebApplication app)
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1")
            .Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1"));

        var database = app.Services.GetRequiredService<InteropTracker.Storage.Database>();
        var secret = Tokens.NewSecret();
        await using (var connection = await database.OpenAsync())
            await Tokens.InsertAsync(connection, secret, Roles.Admin, null, "demo generator", null);

        HttpClient Client(string token) => new()
        {
            BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };
        using var admin = Client(secret);
        var made = new List<long>();
        try
        {
            await SeedAsync(admin, async organization =>
            {
                var response = await admin.PostAsJsonAsync("/api/tokens",
                    new { role = Roles.Engineer, organization, name = $"demo engineer of {organization}" });
                response.EnsureSuccessStatusCode();
                var created = (await response.Content.ReadFromJsonAsync<Created>(JsonSerializerOptions.Web))!;
                made.Add(created.Id);
                return Client(created.Token);
            }, app.Logger);
        }
        finally
        {
            foreach (var id in made) await admin.DeleteAsync($"/api/tokens/{id}");
            // The generator's own admin token goes the way of any revocation: announced with it, so that no instance
            // holds it on.
            var changes = app.Services.GetRequiredService<ChangeFeed>();
            await using var connection = await database.OpenAsync();
            await using var transaction = await connection.BeginWriteAsync();
            await Dapper.SqlMapper.ExecuteAsync(connection,
                "UPDATE tokens SET revoked_at = @at WHERE hash = @hash", new { at = Clock.Now(), hash = Tokens.Hash(secret) }, transaction);
            await changes.CommitAsync(connection, transaction, Change.Credentials);
        }
        app.Logger.LogInformation("Demo ready: sign in at {Address} and open the event '{Event}'.", baseAddress, Key);
        await app.WaitForShutdownAsync();
    }

    /// <summary>Makes the demo event through <paramref name="chair"/> (a client with an admin or chair token), unless it exists.</summary>
    /// <param name="engineerFor">Makes a client carrying an engineer token of the organization.</param>
    public static async Task<bool> SeedAsync(HttpClient chair, Func<string, Task<HttpClient>> engineerFor, ILogger logger,
        int seed = 2026, CancellationToken ct = default)
    {
        if ((await chair.GetAsync($"/api/events/{Key}", ct)).IsSuccessStatusCode)
        {
            logger.LogInformation("The demo event '{Event}' exists already.", Key);
            return false;
        }

        var faker = new Faker { Random = new Randomizer(seed) };
        var documents = new List<TestPlanDocument>();
        foreach (var plan in Plans)
        {
            var response = await chair.GetAsync($"/api/test-plans/{plan}", ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException(
                    $"The demo needs the shipped test plan '{plan}' (testcases/); it is not loaded in this database.");
            documents.Add((await response.Content.ReadFromJsonAsync<PlanDocument>(JsonSerializerOptions.Web, ct))!.Document);
        }

        var vocabulary = documents.ToDictionary(d => d.Technology, d => d.Sections.SelectMany(s => s.Cases)
            .SelectMany(c => c.Requires.Concat(c.Initiator).Concat(c.Responder)).ToHashSet());

        // 16 vendors: the first four bring two products each.
        var organizations = new List<(string Key, string Name)>();
        while (organizations.Count < 16)
        {
            var name = $"{faker.Name.LastName()} {faker.PickRandom("Networks", "Video", "Systems", "Labs", "Communications", "Media")}";
            if (organizations.All(o => o.Key != Slug(name))) organizations.Add((Slug(name), name));
        }
        foreach (var o in organizations)
            await Post(chair, "/api/organizations", new { key = o.Key, name = o.Name }, ct);

        var products = new List<Participant>();
        var organizationOf = new Dictionary<string, string>();
        for (var i = 0; i < Lineup.Length; i++)
        {
            var blueprint = Lineup[i];
            var organization = organizations[i < 8 ? i / 2 : i - 4];
            bool Declares(string tag) => RoleTags.TryGetValue(tag, out var kinds)
                ? kinds.Contains(blueprint.Kind) && (!GatewayTags.Contains(tag) || tag == blueprint.Role)
                : faker.Random.Bool(0.8f);
            var capabilities = blueprint.Technologies
                .SelectMany(t => vocabulary.GetValueOrDefault(t) ?? [])
                .Distinct()
                .Order(StringComparer.Ordinal)
                .Where(Declares)
                .ToList();
            var key = $"{organization.Key}-{Slug(blueprint.Suffix)}";
            await Post(chair, "/api/products", new
            {
                key, organization = organization.Key, name = $"{organization.Name.Split(' ')[0]} {blueprint.Suffix}",
                version = $"{faker.Random.Int(1, 9)}.{faker.Random.Int(0, 12)}", kind = blueprint.Kind,
                technologies = blueprint.Technologies, capabilities,
            }, ct);
            products.Add(new Participant
            {
                Id = i, Key = key, OrganizationId = organizations.IndexOf(organization),
                Technologies = new HashSet<string>(blueprint.Technologies, StringComparer.OrdinalIgnoreCase),
                Capabilities = new HashSet<string>(capabilities, StringComparer.Ordinal),
            });
            organizationOf[key] = organization.Key;
        }

        await Post(chair, "/api/events", new
        {
            key = Key, name = "SuperOp demo week", location = "Lab 3, Sophia Antipolis",
            startDate = DateTime.UtcNow.Date.AddDays(-2).ToString("yyyy-MM-dd"),
            endDate = DateTime.UtcNow.Date.AddDays(2).ToString("yyyy-MM-dd"),
            plans = documents.Select(d => new { plan = d.Plan, version = d.Version }),
            issueUrlTemplate = "https://bugs.example/browse/{issue}",
        }, ct);
        await Post(chair, $"/api/events/{Key}/participants", new { products = products.Select(p => p.Key) }, ct);
        await Post(chair, $"/api/events/{Key}/status", new { status = "open" }, ct);

        // Log about 60% of the planned cells; a few hard cases fail most of the time.
        var cases = documents.SelectMany(d => d.Sections.SelectMany(s => s.Cases.Select(c => (Document: d, Section: s, Case: c)))).ToList();
        var planned = cases.Select((c, i) => new PlannedCase
        {
            Id = i, PlanId = 0, Plan = c.Document.Plan, Section = c.Section.Id, Key = c.Case.Id, Technology = c.Document.Technology,
            Directional = c.Case.Directional, Requires = c.Case.Requires, Initiator = c.Case.Initiator, Responder = c.Case.Responder,
        }).ToList();
        var hard = faker.PickRandom(planned, 7).Select(c => c.Id).ToHashSet();
        var declared = documents.ToDictionary(d => d.Plan, d => d.Attributes ?? ResultAttributes.None);
        var rows = new List<object>();
        var logged = new List<(PlannedCell Cell, string Verdict)>();
        foreach (var cell in Planning.Cells(planned, products, includeSameOrganization: false))
        {
            if (!faker.Random.Bool(0.6f)) continue;
            var verdict = faker.Random.Double() switch
            {
                < 0.03 => "na",
                < 0.05 => "blocked",
                var x when x < (hard.Contains(cell.Case.Id) ? 0.55 : 0.10) => "fail",
                _ => "pass",
            };
            logged.Add((cell, verdict));
            rows.Add(new
            {
                plan = cell.Case.Plan, @case = cell.Case.Key, initiator = cell.Initiator.Key, responder = cell.Responder.Key, verdict,
                notes = verdict == "fail" ? faker.PickRandom(FailureNotes) : null,
                issue = verdict == "fail" && faker.Random.Bool(0.3f) ? $"BUG-{faker.Random.Int(1000, 9999)}" : null,
                // The hard cases fail for their documents' sake, the rest for an implementation's; nothing random is drawn
                // for it, so the demo's other figures stay as they were.
                cause = verdict switch
                {
                    "fail" when hard.Contains(cell.Case.Id) => cell.Case.Id % 2 == 0 ? "test-case" : "specification",
                    "fail" => "implementation",
                    "blocked" => "setup",
                    _ => null,
                },
                attributes = DemoAttributes(declared[cell.Case.Plan], cell),
            });
        }
        foreach (var chunk in rows.Chunk(5000))
            await Post(chair, $"/api/events/{Key}/results/import", chunk, ct);

        // The other side's engineers confirm many results and dispute some failures; a few failures are retested.
        var engineers = new Dictionary<string, HttpClient>(); // one per organization
        async Task<HttpClient> Engineer(string productKey)
        {
            var organization = organizationOf[productKey];
            if (!engineers.TryGetValue(organization, out var client))
                engineers[organization] = client = await engineerFor(organization);
            return client;
        }

        var page = await chair.GetFromJsonAsync<ResultPage>($"/api/events/{Key}/results?pageSize=500&page=1", JsonSerializerOptions.Web, ct);
        foreach (var result in page!.Items)
        {
            var roll = faker.Random.Double();
            var responder = await Engineer(result.Responder);
            if (result.Verdict == "fail" && roll < 0.25)
                await Post(responder, $"/api/events/{Key}/results/{result.Id}/dispute",
                    new { reason = faker.PickRandom(DisputeReasons) }, ct);
            else if (result.Verdict == "fail" && roll < 0.40)
                await Post(await Engineer(result.Initiator), $"/api/events/{Key}/results", new
                {
                    plan = result.Plan, @case = result.Case, initiator = result.Initiator, responder = result.Responder,
                    verdict = "pass", notes = "Retested after a fix",
                }, ct);
            else if (roll < 0.55)
                await Post(responder, $"/api/events/{Key}/results/{result.Id}/confirm", new { }, ct);
        }
        await DemoEarlierEvent.SeedAsync(chair, faker, products, planned, logged,
            documents.Select(d => new { plan = d.Plan, version = d.Version }), ct);
        logger.LogInformation("Demo event '{Event}': {Products} products of {Vendors} vendors, {Results} results logged.",
            Key, products.Count, organizations.Count, rows.Count);
        return true;
    }

    private static readonly string[] FailureNotes =
    [
        "No video from responder after answer", "One-way audio behind NAT", "Re-INVITE answered with 488",
        "Content channel never opened", "TLS handshake fails: no shared cipher suite", "DTMF digits duplicated",
        "Call drops after 32 s (session timer)", "Keyframe request ignored, video frozen", "SRTP authentication failures",
    ];

    private static readonly string[] DisputeReasons =
    [
        "Our trace shows the 200 OK was sent; the failure was the lab network", "Retested with firmware 2.1: passes",
        "The initiator offered a profile outside the test case",
    ];

    internal static async Task Post(HttpClient client, string url, object body, CancellationToken ct)
    {
        var response = await client.PostAsJsonAsync(url, body, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException(
                $"Demo: POST {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>
    /// Two of the plan's attributes for two results in three, chosen from the cell's ids rather than drawn, so that the
    /// demo's other random figures stay as they were; the third result names none, as a busy engineer would.
    /// </summary>
    private static Dictionary<string, string>? DemoAttributes(IReadOnlyDictionary<string, IReadOnlyList<string>> declared, PlannedCell cell)
    {
        var spread = cell.Case.Id + cell.Initiator.Id * 7 + cell.Responder.Id * 13;
        if (declared.Count == 0 || spread % 3 == 0) return null;
        return declared.Take(2).Select((a, i) => (a.Key, Value: a.Value[(int)((spread / (i + 1)) % a.Value.Count)]))
            .ToDictionary(a => a.Key, a => a.Value);
    }

    private static string Slug(string text) =>
        new string(text.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-').Replace("--", "-");
}
