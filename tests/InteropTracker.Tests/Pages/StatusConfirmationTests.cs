using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Tests.Access;
using InteropTracker.Tests.EventResults;

namespace InteropTracker.Tests.Pages;

/// <summary>The manage page's status form posted as a page without script would post it: nothing changes before it is confirmed.</summary>
public sealed class StatusConfirmationTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 78);

    [Fact]
    public async Task A_status_post_without_confirmation_changes_nothing_and_shows_the_confirmation()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var client = app.WithoutCookieJar();
        var cookie = await client.SignInAsync(await app.NewToken(Roles.Chair));
        var (field, antiforgery) = await EveryDoorTests.AntiforgeryAsync(client, [cookie]);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/setup/events/{floor.Event}?handler=Status")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["status"] = "closed", ["__RequestVerificationToken"] = field }),
        };
        request.Headers.Add("Cookie", $"{cookie}; {antiforgery}");
        var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/setup/events/{floor.Event}?confirm=close", response.Headers.Location?.OriginalString);
        Assert.Equal("open", (await floor.Member.GetAsync($"/api/events/{floor.Event}").ReadJson<EventInfo>()).Status);
    }
}
