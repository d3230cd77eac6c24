using System.Net;
using System.Net.Http.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.EventResults;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.Access;

/// <summary>
/// Refusals and scopes of DESIGN.md's Access table. Issue 16's hole first: a member or chair posting a verdict through
/// the results page with a valid antiforgery token. The write is refused, nothing is stored, and the refusal is on the
/// page with 403, for the full-page post and the script's in-place post alike.
/// </summary>
public sealed class RefusedAndScopedTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 161);

    private static async Task<HttpResponseMessage> PostVerdictAsync(AppFixture app, TestFloor floor, string token, bool fetch,
        string? query = null)
    {
        var client = app.WithoutCookieJar();
        var cookie = await client.SignInAsync(token);
        var (field, antiforgery) = await EveryDoorTests.AntiforgeryAsync(client, [cookie]);
        var request = new HttpRequestMessage(HttpMethod.Post,
            $"/events/{floor.Event}/results?handler=Verdict{query ?? $"&product={floor.A1.Key}&peer={floor.B1.Key}"}")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["plan"] = floor.Sip, ["case"] = TestFloor.Call, ["initiator"] = floor.A1.Key, ["responder"] = floor.B1.Key,
                ["verdict"] = "fail", ["__RequestVerificationToken"] = field,
            }),
        };
        request.Headers.Add("Cookie", $"{cookie}; {antiforgery}");
        if (fetch) request.Headers.Add("X-Requested-With", "fetch");
        return await client.SendAsync(request);
    }

    public static TheoryData<string, bool, bool> Refused => new()
    {
        { Roles.Member, false, true }, { Roles.Member, true, true }, { Roles.Chair, false, true }, { Roles.Chair, true, true },
        // Without the pairing in the address there is no card to put the answer on: it goes at the top of the page.
        { Roles.Member, false, false }, { Roles.Member, true, false },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_role_that_does_not_log_results_is_refused_on_the_results_page_and_nothing_is_stored(string role, bool fetch,
        bool withPairing)
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var before = floor.Counts();

        using var response = await PostVerdictAsync(app, floor, await app.NewToken(role), fetch, withPairing ? null : "");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains($"Your role ({role}) may not log results; engineers (for their organization's pairings) and admins may.", html);
        Assert.Equal(fetch ? "card" : null, response.Headers.TryGetValues("X-Fragment", out var f) ? f.Single() : null);
        if (!fetch) Assert.Contains("<label for=\"product\">Your product</label>", html); // the results page itself, not the error page
        Assert.Equal(before, floor.Counts());
    }

    [Fact]
    public async Task An_engineer_of_another_vendor_is_told_on_the_page_why_its_post_for_two_others_is_refused()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var before = floor.Counts();

        using var response = await PostVerdictAsync(app, floor, await app.NewToken(Roles.Engineer, floor.C1.Organization), fetch: false);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("You log only pairings your organization takes part in", html);
        // The page shows the pairing asked for, and its product list says so.
        Assert.Contains($"<option value=\"{floor.A1.Key}\" selected=\"selected\">", html);
        Assert.Equal(before, floor.Counts());
    }

    [Fact]
    public async Task A_chair_on_a_set_up_page_it_may_not_use_is_told_why()
    {
        var client = app.WithoutCookieJar();
        var request = new HttpRequestMessage(HttpMethod.Get, "/setup/tokens");
        request.Headers.Add("Cookie", await client.SignInAsync(await app.NewToken(Roles.Chair)));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Your role (chair) may not create or revoke tokens; only an admin may.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Only_an_admin_unpublishes_a_published_event_and_the_withdrawal_is_audited()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        await floor.Chair.MoveTo(floor.Event, "closed", published: true);

        var refused = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = false }),
            HttpStatusCode.Forbidden);
        Assert.Equal($"Event {floor.Event} is published: only an admin may unpublish it (withdraw its publication).", refused.Detail);
        Assert.True((await app.Admin().GetFromJsonAsync<InteropTracker.Events.EventInfo>($"/api/events/{floor.Event}"))!.Published);

        var withdrawn = await app.Admin().PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = false })
            .ReadJson<InteropTracker.Events.EventInfo>();
        Assert.False(withdrawn.Published);
        using var db = app.OpenDatabase();
        var audit = db.Query<(string Action, string Subject)>(
            "SELECT action, subject FROM audit_log WHERE subject LIKE @e || ':%' ORDER BY id", new { e = floor.Event }).ToList();
        Assert.Equal(("event.unpublish", $"{floor.Event}: closed → closed, publication withdrawn"), audit[^1]);
        Assert.Equal(1, audit.Count(a => a.Action == "event.unpublish"));
    }

    [Fact]
    public async Task An_engineer_reads_only_its_own_products_and_those_of_its_events_participants()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var elsewhere = await floor.Chair.Register(_build.Organization());
        var hidden = await floor.Chair.Register(_build.Product(elsewhere.Key) with { Technologies = ["SIP"], Capabilities = ["h264"] });

        var products = await floor.EngineerA.GetFromJsonAsync<List<Product>>("/api/products");
        var organizations = await floor.EngineerA.GetFromJsonAsync<List<Organization>>("/api/organizations");
        Assert.Equal(new[] { floor.A1, floor.A2, floor.B1, floor.C1 }.Select(p => p.Key).Order(), products!.Select(p => p.Key).Order());
        Assert.Equal(new[] { floor.A1, floor.B1, floor.C1 }.Select(p => p.Organization).Order(), organizations!.Select(o => o.Key).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await floor.EngineerA.GetAsync($"/api/products/{hidden.Key}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await floor.EngineerA.GetAsync($"/api/organizations/{elsewhere.Key}")).StatusCode);

        // An engineer whose organization takes part in no event sees its own catalogue only.
        var outsider = await floor.EngineerD.GetFromJsonAsync<List<Product>>("/api/products");
        Assert.Equal([floor.Outsider.Key], outsider!.Select(p => p.Key));
        var single = await Problem.ReadAsync(await floor.EngineerD.GetAsync($"/api/products/{floor.A1.Key}"), HttpStatusCode.NotFound);
        Assert.Equal($"There is no product with key '{floor.A1.Key}' that you can see.", single.Detail);

        // Members and chairs read the whole catalogue.
        foreach (var reader in new[] { floor.Member, floor.Chair })
        {
            var all = await reader.GetFromJsonAsync<List<Product>>("/api/products");
            Assert.Contains(all!, p => p.Key == hidden.Key);
            Assert.Contains(all!, p => p.Key == floor.Outsider.Key);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/organizations/{elsewhere.Key}")).StatusCode);
        }
    }
}
