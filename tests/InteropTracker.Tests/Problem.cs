using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace InteropTracker.Tests;

/// <summary>Reads a problem+json answer and asserts on it.</summary>
public sealed record Problem(int Status, string? Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var errors = new Dictionary<string, string[]>();
        if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
                errors[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                    ? p.Value.EnumerateArray().Select(x => x.ToString()).ToArray()
                    : [p.Value.ToString()];
        return new Problem(
            root.TryGetProperty("status", out var s) ? s.GetInt32() : 0,
            root.TryGetProperty("title", out var t) ? t.GetString() : null,
            root.TryGetProperty("detail", out var d) ? d.GetString() : null,
            errors);
    }

    /// <summary>All messages of the problem in one string, for "names the place" assertions.</summary>
    public string Text => string.Join(" | ", new[] { Title, Detail }.Concat(Errors.Select(e => $"{e.Key}: {string.Join("; ", e.Value)}")));
}

public static class HttpExtensions
{
    public static async Task<T> ReadJson<T>(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)!;
    }

    public static async Task<T> ReadJson<T>(this Task<HttpResponseMessage> response, HttpStatusCode expected = HttpStatusCode.OK) =>
        await (await response).ReadJson<T>(expected);

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);
}
