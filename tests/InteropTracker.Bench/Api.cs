using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace InteropTracker.Bench;

/// <summary>The app's HTTP API as the bench sets up its programme through it: every call must succeed.</summary>
public sealed class Api(HttpClient client, string adminToken)
{
    public HttpClient Client => client;

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null, string? token = null)
    {
        var message = new HttpRequestMessage(method, path) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? adminToken);
        return message;
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content, params HttpStatusCode[] expected)
    {
        using var response = await client.SendAsync(Request(method, path, content));
        var body = await response.Content.ReadAsStringAsync();
        if (!expected.Contains(response.StatusCode))
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {Trim(body)}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public Task<JsonElement> PostJsonAsync(string path, object body, params HttpStatusCode[] expected) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body), expected.Length == 0 ? [HttpStatusCode.Created, HttpStatusCode.OK] : expected);

    public Task<JsonElement> PostTextAsync(string path, string text, string mediaType) =>
        SendAsync(HttpMethod.Post, path, new StringContent(text, Encoding.UTF8, mediaType), HttpStatusCode.Created, HttpStatusCode.OK);

    public async Task<string> NewTokenAsync(string role, string? organization, string name)
    {
        var created = await PostJsonAsync("/api/tokens", new { role, organization, name });
        return created.GetProperty("token").GetString()!;
    }

    private static string Trim(string text) => text.Length > 2000 ? text[..2000] + "…" : text;
}
