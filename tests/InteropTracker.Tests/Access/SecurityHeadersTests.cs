using System.Net;
using System.Net.Http.Headers;
using InteropTracker.Access;

namespace InteropTracker.Tests.Access;

/// <summary>One proxy, 10.0.0.5, is named: its forwarded headers are believed, everyone else's ignored.</summary>
public sealed class BehindProxyApp : AppFixture
{
    public static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.5");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ForwardedHeaders:KnownProxies"] = "10.0.0.5",
        ["Interop:FailedAuthentication:Limit"] = "2",
    };
}

public sealed class SecurityHeadersTests(BehindProxyApp app) : IClassFixture<BehindProxyApp>
{
    [Theory]
    [InlineData("/signin")]
    [InlineData("/api/test-plans")]
    [InlineData("/healthz")]
    [InlineData("/site.css")]
    [InlineData("/no-such-page")]
    public async Task Every_answer_carries_the_security_headers(string url)
    {
        var answer = await app.From(IPAddress.Loopback).GetAsync(url);
        var csp = answer.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'; script-src 'self'; style-src 'self';", csp);
        Assert.DoesNotContain("unsafe", csp.Replace("style-src-attr 'unsafe-inline'", ""));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Behind_the_named_proxy_the_sign_in_cookie_is_Secure_and_from_anyone_else_X_Forwarded_Proto_is_ignored()
    {
        var viaProxy = await app.From(BehindProxyApp.Proxy).PostTokenAsync(AppFixture.AdminToken, ("X-Forwarded-Proto", "https"));
        Assert.Equal(HttpStatusCode.Redirect, viaProxy.StatusCode);
        Assert.Contains("; secure", PageSignIn.SetCookie(viaProxy, TokenAuthentication.CookieName), StringComparison.OrdinalIgnoreCase);

        var spoofed = await app.From(IPAddress.Parse("10.0.0.9")).PostTokenAsync(AppFixture.AdminToken, ("X-Forwarded-Proto", "https"));
        Assert.Equal(HttpStatusCode.Redirect, spoofed.StatusCode);
        Assert.DoesNotContain("secure", PageSignIn.SetCookie(spoofed, TokenAuthentication.CookieName), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Behind_the_named_proxy_failures_count_against_the_forwarded_client_not_the_proxy()
    {
        HttpRequestMessage Request(string token, string client)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/test-plans");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("X-Forwarded-For", client);
            return request;
        }
        var proxy = app.From(BehindProxyApp.Proxy);
        for (var i = 0; i < 2; i++)
            await Problem.ReadAsync(await proxy.SendAsync(Request("itk_guess", "198.51.100.7")), HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(await proxy.SendAsync(Request(AppFixture.AdminToken, "198.51.100.7")), HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await proxy.SendAsync(Request(AppFixture.AdminToken, "198.51.100.8"))).StatusCode);

        // Not through the proxy, X-Forwarded-For is ignored: a guesser cannot spread its failures over made-up addresses.
        var direct = app.From(IPAddress.Parse("10.0.0.9"));
        for (var i = 0; i < 2; i++)
            await Problem.ReadAsync(await direct.SendAsync(Request("itk_guess", $"198.51.100.{20 + i}")), HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(await direct.SendAsync(Request(AppFixture.AdminToken, "198.51.100.30")), HttpStatusCode.TooManyRequests);
    }
}
