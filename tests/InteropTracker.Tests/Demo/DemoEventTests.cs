using System.Text.Json;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Demo;
using InteropTracker.Tests.TestPlans;
using Microsoft.Extensions.Logging.Abstractions;

namespace InteropTracker.Tests.Demo;

public class DemoEventTests(ShippedTestCasesFixture app) : IClassFixture<ShippedTestCasesFixture>
{
    [Fact]
    public async Task The_demo_makes_a_living_event_with_clustered_failures_and_makes_it_only_once()
    {
        Assert.True(await DemoEvent.SeedAsync(app.Admin(), organization => app.ClientFor(Roles.Engineer, organization),
            NullLogger.Instance));

        var admin = app.Admin();
        var organizations = await admin.GetAsync("/api/organizations").ReadJson<JsonElement>();
        Assert.Equal(16, organizations.GetArrayLength());

        var summary = await admin.GetAsync($"/api/events/{DemoEvent.Key}/summary").ReadJson<JsonElement>();
        Assert.Equal(20, summary.GetProperty("participants").GetInt32());
        Assert.Equal(3, summary.GetProperty("technologies").GetArrayLength());
        var total = summary.GetProperty("total");
        Assert.InRange(total.GetProperty("progress").GetDouble(), 0.55, 0.65);
        Assert.All(summary.GetProperty("technologies").EnumerateArray(),
            t => Assert.True(t.GetProperty("tally").GetProperty("planned").GetInt64() > 0, t.ToString()));
        // Two results in three name two of their plan's attributes: each plan's shares are there, and a filter narrows.
        var shares = summary.GetProperty("attributeShares").EnumerateArray().ToList();
        Assert.Equal(["h323-video", "sip-video-basic", "webrtc-gateway"],
            shares.Where(s => s.GetProperty("plan").ValueKind == JsonValueKind.String).Select(s => s.GetProperty("plan").GetString()).Distinct().Order());
        Assert.All(shares, s => Assert.InRange(s.GetProperty("share").GetDouble(), 0.01, 0.99));
        var tls = await admin.GetAsync($"/api/events/{DemoEvent.Key}/summary?attr.transport=tls").ReadJson<JsonElement>();
        var sipTls = tls.GetProperty("technologies").EnumerateArray().Single(t => t.GetProperty("technology").GetString() == "SIP");
        var sipShare = shares.Single(s => s.GetProperty("plan").ValueKind == JsonValueKind.Null
                                          && s.GetProperty("technology").GetString() == "SIP" && s.GetProperty("value").GetString() == "tls");
        Assert.Equal(sipShare.GetProperty("results").GetInt64(), sipTls.GetProperty("tally").GetProperty("executed").GetInt64());

        var statuses = summary.GetProperty("statuses");
        Assert.True(statuses.GetProperty("confirmed").GetInt64() > 0);
        Assert.True(statuses.GetProperty("disputed").GetInt64() > 0);

        // Failures cluster on a few hard cases: the worst cases fail far more often than the typical one.
        var stats = (await admin.GetAsync($"/api/events/{DemoEvent.Key}/test-case-stats").ReadJson<JsonElement>())
            .EnumerateArray()
            .Select(s => s.GetProperty("tally"))
            .Where(t => t.GetProperty("rate").ValueKind == JsonValueKind.Number)
            .Select(t => t.GetProperty("rate").GetDouble())
            .ToList();
        Assert.True(stats[0] < 0.7, $"worst rate {stats[0]}");
        Assert.True(stats[stats.Count / 2] > 0.85, $"median rate {stats[stats.Count / 2]}");

        // The series' earlier event: today's lines at older versions, closed, some cells regressed or fixed since.
        var earlier = await admin.GetAsync($"/api/events/{DemoEarlierEvent.Key}").ReadJson<JsonElement>();
        Assert.Equal("closed", earlier.GetProperty("status").GetString());
        var counts = (await admin.GetAsync($"/api/history/diff?from={DemoEarlierEvent.Key}&to={DemoEvent.Key}")
            .ReadJson<JsonElement>()).GetProperty("counts");
        foreach (var change in new[] { "regressed", "fixed", "new", "dropped", "stayed" })
            Assert.True(counts.GetProperty(change).GetInt64() > 0, $"{change}: {counts}");
        Assert.True(counts.GetProperty("fixed").GetInt64() > counts.GetProperty("regressed").GetInt64(), counts.ToString());
        var product = (await admin.GetAsync($"/api/events/{DemoEvent.Key}/participants").ReadJson<JsonElement>())[0]
            .GetProperty("product").GetString();
        var line = await admin.GetAsync($"/api/history/lines/{product}").ReadJson<JsonElement>();
        Assert.Equal([DemoEarlierEvent.Key, DemoEvent.Key],
            line.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetProperty("key").GetString()));

        Assert.False(await DemoEvent.SeedAsync(admin, organization => app.ClientFor(Roles.Engineer, organization),
            NullLogger.Instance));
    }
}
