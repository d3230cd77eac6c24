using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Tests.TestPlans;

namespace InteropTracker.Tests.Access;

public sealed class TokenExpiryAndSessionTests(AppFixture app) : IClassFixture<AppFixture>
{
    private static readonly IPAddress Browser = IPAddress.Parse("192.0.2.10");

    private async Task<(long Id, string Token)> NewTokenAsync(string role, DateTimeOffset? expiresAt)
    {
        var created = await app.Admin().PostJson("/api/tokens", new { role, name = $"{role} {Guid.NewGuid():N}", expiresAt })
            .ReadJson<JsonElement>(HttpStatusCode.Created);
        return (created.GetProperty("id").GetInt64(), created.GetProperty("token").GetString()!);
    }

    private static HttpRequestMessage WithCookie(string url, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    [Fact]
    public async Task A_token_made_with_an_expiry_lists_it_and_one_already_past_is_refused_and_not_stored()
    {
        var expiry = DateTimeOffset.UtcNow.AddDays(30);
        var (id, _) = await NewTokenAsync(Roles.Member, expiry);
        var listed = (await app.Admin().GetAsync("/api/tokens").ReadJson<JsonElement>()).EnumerateArray()
            .Single(t => t.GetProperty("id").GetInt64() == id);
        Assert.Equal(expiry.UtcDateTime, DateTime.Parse(listed.GetProperty("expiresAt").GetString()!).ToUniversalTime(), TimeSpan.FromMilliseconds(1));

        using var db = app.OpenDatabase();
        var before = db.ExecuteScalar<long>("SELECT count(*) FROM tokens");
        var past = await Problem.ReadAsync(await app.Admin().PostJson("/api/tokens",
            new { role = Roles.Member, name = "too late", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }), HttpStatusCode.BadRequest);
        Assert.Contains("has passed", Assert.Single(past.Errors["expiresAt"]));
        Assert.Equal(before, db.ExecuteScalar<long>("SELECT count(*) FROM tokens"));
    }

    [Fact]
    public async Task An_expired_token_answers_401_saying_it_expired_also_from_the_token_cache_and_its_sign_in_session_ends()
    {
        await app.Admin().GetAsync("/api/tokens"); // the app started: the few seconds below are the token's alone
        var expiry = DateTimeOffset.UtcNow.AddSeconds(3);
        var (_, token) = await NewTokenAsync(Roles.Member, expiry);
        var bearer = app.WithToken(token);
        var browser = app.From(Browser);
        var cookie = await browser.SignInAsync(token);
        // Both are now in the token cache, which keeps an entry far longer than this token has left.
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/test-plans")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(WithCookie("/api/test-plans", cookie))).StatusCode);

        var left = expiry - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero) await Task.Delay(left + TimeSpan.FromMilliseconds(100));

        var expired = await Problem.ReadAsync(await bearer.GetAsync("/api/test-plans"), HttpStatusCode.Unauthorized);
        Assert.StartsWith("The token expired at ", expired.Detail);
        Assert.Contains("ask an administrator for a new one", expired.Detail);
        var viaCookie = await Problem.ReadAsync(await browser.SendAsync(WithCookie("/api/test-plans", cookie)), HttpStatusCode.Unauthorized);
        Assert.StartsWith("The token expired at ", viaCookie.Detail);
        var page = await browser.SendAsync(WithCookie("/test-plans", cookie));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.OriginalString);

        // Signing in with it again is refused on the page, in words.
        var again = await browser.PostTokenAsync(token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("The token expired at ", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
        Assert.Null(PageSignIn.SetCookie(again, TokenAuthentication.CookieName));
    }

    [Fact]
    public async Task A_token_whose_expiry_passed_while_not_cached_answers_401_saying_it_expired()
    {
        var (id, token) = await NewTokenAsync(Roles.Chair, null);
        using (var db = app.OpenDatabase())
            db.Execute("UPDATE tokens SET expires_at = '2000-01-01T00:00:00.0000000Z' WHERE id = @id", new { id });
        var expired = await Problem.ReadAsync(await app.WithToken(token).GetAsync("/api/test-plans"), HttpStatusCode.Unauthorized);
        Assert.Equal("The token expired at 2000-01-01T00:00:00.0000000Z; ask an administrator for a new one.", expired.Detail);
    }

    [Fact]
    public async Task The_sign_in_cookie_carries_a_session_not_the_token_and_is_HttpOnly_and_SameSite_Strict()
    {
        var (id, token) = await NewTokenAsync(Roles.Member, null);
        var answer = await app.From(Browser).PostTokenAsync(token);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var setCookie = PageSignIn.SetCookie(answer, TokenAuthentication.CookieName)!;
        var session = setCookie.Split(';')[0][(TokenAuthentication.CookieName.Length + 1)..];
        Assert.DoesNotContain(token, setCookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase); // plain HTTP, no trusted proxy

        using var db = app.OpenDatabase();
        var row = db.QuerySingle("SELECT token_id, hash, ended_at FROM sign_in_sessions WHERE hash = @hash", new { hash = Tokens.Hash(session) });
        Assert.Equal(id, (long)row.token_id);
        Assert.Null(row.ended_at);
        Assert.DoesNotContain(db.Query<string>("SELECT hash FROM sign_in_sessions"), h => h.Contains(session));
    }

    [Fact]
    public async Task A_cookie_copied_before_sign_out_no_longer_signs_in()
    {
        var (_, token) = await NewTokenAsync(Roles.Member, null);
        var browser = app.From(Browser);
        var cookie = await browser.SignInAsync(token);
        var copy = app.From(IPAddress.Parse("198.51.100.66"));
        Assert.Equal(HttpStatusCode.OK, (await copy.SendAsync(WithCookie("/test-plans", cookie))).StatusCode);

        var signedOut = await browser.SignOutAsync(cookie);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains("expires=Thu, 01 Jan 1970", PageSignIn.SetCookie(signedOut, TokenAuthentication.CookieName));

        var page = await copy.SendAsync(WithCookie("/test-plans", cookie));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", page.Headers.Location!.OriginalString);
        var api = await Problem.ReadAsync(await copy.SendAsync(WithCookie("/api/test-plans", cookie)), HttpStatusCode.Unauthorized);
        Assert.Contains("sign-in session has ended", api.Detail);
        using var db = app.OpenDatabase();
        Assert.NotNull(db.ExecuteScalar<string?>("SELECT ended_at FROM sign_in_sessions WHERE hash = @hash",
            new { hash = Tokens.Hash(cookie.Split('=', 2)[1]) }));
        // The token itself is still good: only the session ended.
        Assert.Equal(HttpStatusCode.OK, (await app.WithToken(token).GetAsync("/api/test-plans")).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_token_ends_its_sign_in_sessions_at_once()
    {
        var (id, token) = await NewTokenAsync(Roles.Member, null);
        var browser = app.From(Browser);
        var cookie = await browser.SignInAsync(token);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(WithCookie("/api/test-plans", cookie))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/tokens/{id}")).StatusCode);
        var api = await Problem.ReadAsync(await browser.SendAsync(WithCookie("/api/test-plans", cookie)), HttpStatusCode.Unauthorized);
        Assert.Contains("sign-in session has ended", api.Detail);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(WithCookie("/test-plans", cookie))).StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_still_never_authorizes_an_API_write()
    {
        var (_, token) = await NewTokenAsync(Roles.Chair, null);
        var browser = app.From(Browser);
        var cookie = await browser.SignInAsync(token);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/test-plans")
        {
            Content = new StringContent(SamplePlans.Yaml(plan: "cookie-write"), Encoding.UTF8, "application/yaml"),
        };
        request.Headers.Add("Cookie", cookie);
        var refused = await Problem.ReadAsync(await browser.SendAsync(request), HttpStatusCode.Unauthorized);
        Assert.Contains("Authorization header", refused.Detail);
        Assert.DoesNotContain("cookie-write", await (await app.Admin().GetAsync("/api/test-plans")).Content.ReadAsStringAsync());
    }
}
