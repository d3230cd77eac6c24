using System.Net;
using System.Net.Http.Headers;
using InteropTracker.Access;

namespace InteropTracker.Tests.Access;

/// <summary>Three failures a minute per address, so the tests reach the limit quickly.</summary>
public sealed class ThrottledApp : AppFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Interop:FailedAuthentication:Limit"] = "3",
        ["Interop:FailedAuthentication:WindowSeconds"] = "60",
    };
}

public sealed class FailedAuthenticationThrottleTests(ThrottledApp app) : IClassFixture<ThrottledApp>
{
    private HttpClient From(string address, string token)
    {
        var client = app.From(IPAddress.Parse(address));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task After_the_allowed_failures_an_address_gets_429_with_Retry_After_for_any_token_and_other_addresses_are_untouched()
    {
        var guesser = From("203.0.113.5", "itk_guess");
        for (var i = 0; i < 3; i++)
            await Problem.ReadAsync(await guesser.GetAsync("/api/test-plans"), HttpStatusCode.Unauthorized);

        var blocked = await guesser.GetAsync("/api/test-plans");
        var problem = await Problem.ReadAsync(blocked, HttpStatusCode.TooManyRequests);
        Assert.StartsWith("Too many failed sign-ins from your address: try again in ", problem.Detail);
        var retryAfter = int.Parse(blocked.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);

        // A good token from the same address is not even looked at: the answer says nothing about a guess.
        var sameAddress = From("203.0.113.5", AppFixture.AdminToken);
        await Problem.ReadAsync(await sameAddress.GetAsync("/api/test-plans"), HttpStatusCode.TooManyRequests);

        // Another address: good tokens work, a bad one is an ordinary 401.
        Assert.Equal(HttpStatusCode.OK, (await From("203.0.113.6", AppFixture.AdminToken).GetAsync("/api/test-plans")).StatusCode);
        await Problem.ReadAsync(await From("203.0.113.6", "itk_other-guess").GetAsync("/api/test-plans"), HttpStatusCode.Unauthorized);

        // Requests without a token (the public pages, /healthz) go on from the blocked address.
        Assert.Equal(HttpStatusCode.OK, (await app.From(IPAddress.Parse("203.0.113.5")).GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Failed_sign_ins_on_the_page_count_too_and_the_page_says_when_to_try_again()
    {
        var browser = app.From(IPAddress.Parse("203.0.113.20"));
        for (var i = 0; i < 3; i++)
        {
            var refused = await browser.PostTokenAsync("itk_not-a-real-token");
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("This token is unknown or has been revoked", await refused.Content.ReadAsStringAsync());
        }

        var blocked = await browser.PostTokenAsync(AppFixture.AdminToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.True(int.Parse(blocked.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Contains("Too many failed sign-ins from your address", await blocked.Content.ReadAsStringAsync());
        Assert.Null(PageSignIn.SetCookie(blocked, TokenAuthentication.CookieName));

        // The page counts against the same address as the API.
        await Problem.ReadAsync(await From("203.0.113.20", AppFixture.AdminToken).GetAsync("/api/test-plans"), HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.Redirect, (await app.From(IPAddress.Parse("203.0.113.21")).PostTokenAsync(AppFixture.AdminToken)).StatusCode);
    }
}
