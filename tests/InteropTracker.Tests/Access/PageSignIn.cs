using System.Net;
using System.Text.RegularExpressions;
using InteropTracker.Access;

namespace InteropTracker.Tests.Access;

/// <summary>The sign-in page driven over HTTP as a browser drives it: antiforgery field and cookie, then the form.</summary>
public static partial class PageSignIn
{
    /// <summary>Posts the token to the sign-in page and returns the answer (a redirect when it is accepted).</summary>
    public static async Task<HttpResponseMessage> PostTokenAsync(this HttpClient client, string token, params (string Name, string Value)[] headers)
    {
        var (field, cookie) = await FormAsync(client, "/signin", null, headers);
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Token"] = token, ["__RequestVerificationToken"] = field }),
        };
        request.Headers.Add("Cookie", cookie);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return await client.SendAsync(request);
    }

    /// <summary>Signs in and returns the sign-in cookie as a Cookie header value ("interop_session=…").</summary>
    public static async Task<string> SignInAsync(this HttpClient client, string token)
    {
        var answer = await client.PostTokenAsync(token);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return SetCookie(answer, TokenAuthentication.CookieName)!.Split(';')[0];
    }

    /// <summary>Presses the layout's Sign out button of a page opened with the cookie.</summary>
    public static async Task<HttpResponseMessage> SignOutAsync(this HttpClient client, string sessionCookie)
    {
        var (field, antiforgery) = await FormAsync(client, "/test-plans", sessionCookie, []);
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin?handler=SignOut")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = field }),
        };
        request.Headers.Add("Cookie", $"{sessionCookie}; {antiforgery}");
        return await client.SendAsync(request);
    }

    /// <summary>Posts a form of a page opened with the cookie (its first form's antiforgery field goes with it).</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string page, string action, string sessionCookie,
        Dictionary<string, string>? fields = null)
    {
        var (field, antiforgery) = await FormAsync(client, page, sessionCookie, []);
        var request = new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>(fields ?? []) { ["__RequestVerificationToken"] = field }),
        };
        request.Headers.Add("Cookie", $"{sessionCookie}; {antiforgery}");
        return await client.SendAsync(request);
    }

    /// <summary>The Set-Cookie header of the named cookie, attributes and all; null when none was set.</summary>
    public static string? SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal)) : null;

    private static async Task<(string Field, string Cookie)> FormAsync(HttpClient client, string page, string? sessionCookie,
        (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, page);
        if (sessionCookie is not null) request.Headers.Add("Cookie", sessionCookie);
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        var answer = await client.SendAsync(request);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"GET {page}: {(int)answer.StatusCode}");
        var field = AntiforgeryField().Match(html).Groups[1].Value;
        var cookie = SetCookie(answer, "interop_antiforgery")!.Split(';')[0];
        return (WebUtility.HtmlDecode(field), cookie);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
