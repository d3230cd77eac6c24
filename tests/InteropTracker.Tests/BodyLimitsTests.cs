using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Tests.Access;
using InteropTracker.Tests.EventResults;
using InteropTracker.TestPlans;
using InteropTracker.EventResults;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace InteropTracker.Tests;

/// <summary>The real app on a real Kestrel port, which enforces the body limits (the test server does not).</summary>
public sealed class KestrelFixture : AppFixture, IAsyncLifetime
{
    public KestrelFixture() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    public Uri Address { get; private set; } = null!;

    public Task InitializeAsync()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        Address = new Uri(addresses.Addresses.Single());
        ClientOptions.BaseAddress = Address;
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// Every body over its route's limit answers 413 as a problem naming the limit, whether it declares its length or comes
/// chunked, on each kind of route that takes a body: a JSON route, the results import, a multipart upload to the API
/// and to a page, and a page's form. Nothing is stored.
/// </summary>
public sealed partial class BodyLimitsTests(KestrelFixture app) : IClassFixture<KestrelFixture>
{
    public enum Route { Json, Import, ApiUpload, PageUpload, PageForm }

    private const string Boundary = "limit-boundary";

    private static int _floors;

    public static TheoryData<Route, bool> Routes()
    {
        var data = new TheoryData<Route, bool>();
        foreach (var route in Enum.GetValues<Route>())
        {
            data.Add(route, false);
            data.Add(route, true);
        }
        return data;
    }

    [Theory, MemberData(nameof(Routes))]
    public async Task A_body_over_the_routes_limit_answers_413_naming_the_limit_and_stores_nothing(Route route, bool chunked)
    {
        var request = await RequestAsync(route);
        var before = RowCounts();

        var response = await SendAsync(request, chunked);

        Assert.True(response.Status == 413, $"{route}, chunked {chunked}: {response.Status} {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        var megabytes = request.Limit / (1024 * 1024);
        Assert.True(response.Body.Contains($"{request.Limit} bytes", StringComparison.Ordinal)
                    || response.Body.Contains($"{megabytes} MB", StringComparison.Ordinal),
            $"the answer does not name the limit of {request.Limit} bytes: {response.Body}");
        Assert.Equal(before, RowCounts());
    }

    [Fact]
    public async Task A_body_within_the_limit_is_still_read()
    {
        using var admin = app.Admin();
        var response = await admin.PostAsync("/api/test-plans",
            new StringContent(Build.Plan(new CaseSpec { Id = "FITS-001" }).ToYaml(), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <param name="Credentials">The header that signs the request in: the API's bearer token, or a page's cookies.</param>
    /// <param name="Filler">What follows the prefix, over and over, past the limit; by default a run of letters.</param>
    private sealed record OversizeRequest(string Path, string ContentType, string Credentials, byte[] Prefix, long Limit,
        byte[]? Filler = null);

    private async Task<OversizeRequest> RequestAsync(Route route)
    {
        var bearer = $"Authorization: Bearer {AppFixture.AdminToken}";
        switch (route)
        {
            case Route.Json:
                return new("/api/events/any/results", "application/json", bearer, "{\"notes\":\""u8.ToArray(), BodyLimits.DefaultMaxBytes);
            case Route.Import:
            {
                // An open event the admin may import into: the import answers for an unknown event before reading a body.
                // Its rows are good ones, long enough to pass the byte limit before the row limit: a bad row would be
                // refused (422) as soon as it is read.
                var floor = await TestFloor.OpenAsync(app, new Build(seed: 4100 + Interlocked.Increment(ref _floors)));
                var row = $"{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},pass,{new string('n', 1000)},\n";
                var rows = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(row, 64 * 1024 / row.Length)));
                Assert.True((ResultImport.MaxBytes + 1024 * 1024) / row.Length < ResultImport.MaxRows);
                return new($"/api/events/{floor.Event}/results/import", "text/csv", bearer,
                    "plan,case,initiator,responder,verdict,notes,issue\n"u8.ToArray(), ResultImport.MaxBytes, rows);
            }
            case Route.ApiUpload:
                return new("/api/test-plans", $"multipart/form-data; boundary={Boundary}", bearer, FilePart("plan.yaml"),
                    TestPlanUpload.MaxBytes);
            case Route.PageUpload:
            {
                var (cookies, token) = await FormTokenAsync("/test-plans", await SignInAsync());
                var fields = Encoding.UTF8.GetBytes(
                    $"--{Boundary}\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{token}\r\n");
                return new("/test-plans", $"multipart/form-data; boundary={Boundary}", $"Cookie: {cookies}",
                    [.. fields, .. FilePart("Upload\"; filename=\"plan.yaml", field: true)], TestPlanUpload.MaxBytes + 64 * 1024);
            }
            default:
            {
                var (cookies, token) = await FormTokenAsync("/signin", null);
                return new("/signin", "application/x-www-form-urlencoded", $"Cookie: {cookies}",
                    Encoding.ASCII.GetBytes($"__RequestVerificationToken={Uri.EscapeDataString(token)}&Token="), BodyLimits.DefaultMaxBytes);
            }
        }
    }

    private static byte[] FilePart(string name, bool field = false) => Encoding.UTF8.GetBytes(
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{(field ? name : $"file\"; filename=\"{name}")}\"\r\n" +
        "Content-Type: application/yaml\r\n\r\nplan: ");

    /// <summary>The admin's sign-in cookie, from the sign-in page.</summary>
    private async Task<string> SignInAsync()
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = app.Address };
        return await client.SignInAsync(AppFixture.AdminToken);
    }

    /// <summary>A page's antiforgery cookie and form token, as a browser gets them by opening the page.</summary>
    private async Task<(string Cookies, string Token)> FormTokenAsync(string path, string? cookie)
    {
        using var client = new HttpClient { BaseAddress = app.Address };
        using var get = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) get.Headers.Add("Cookie", cookie);
        var page = await client.SendAsync(get);
        page.EnsureSuccessStatusCode();
        var antiforgery = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("interop_antiforgery", StringComparison.Ordinal));
        var token = FormToken().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        return (cookie is null ? antiforgery : $"{cookie}; {antiforgery}", token);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    private Dictionary<string, long> RowCounts()
    {
        using var db = app.OpenDatabase();
        return TestDatabase.Tables(db)
            .ToDictionary(t => t, t => db.ExecuteScalar<long>($"SELECT count(*) FROM \"{t}\""));
    }

    private sealed record RawResponse(int Status, string? ContentType, string Body);

    /// <summary>
    /// Sends the request over a socket of its own: the prefix, then filler past the limit (declared by Content-Length or
    /// sent in chunks), reading the answer while sending, as the server answers and stops reading once over the limit.
    /// </summary>
    private async Task<RawResponse> SendAsync(OversizeRequest request, bool chunked)
    {
        var total = request.Limit + 1024 * 1024;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(app.Address.Host, app.Address.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append($"POST {request.Path} HTTP/1.1\r\nHost: {app.Address.Authority}\r\nContent-Type: {request.ContentType}\r\n")
            .Append($"{request.Credentials}\r\nAccept: application/json, text/html\r\nConnection: close\r\n")
            .Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {total}\r\n")
            .Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));

        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            try
            {
                var filler = request.Filler ?? new byte[64 * 1024];
                if (request.Filler is null) Array.Fill(filler, (byte)'a');
                for (long sent = 0; sent < total && !stop.IsCancellationRequested;)
                {
                    var part = sent == 0 ? [.. request.Prefix, .. filler] : filler;
                    var length = (int)Math.Min(part.Length, total - sent);
                    if (chunked) await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"), stop.Token);
                    await stream.WriteAsync(part.AsMemory(0, length), stop.Token);
                    if (chunked) await stream.WriteAsync("\r\n"u8.ToArray(), stop.Token);
                    sent += length;
                }
                if (chunked) await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The server answered and closed the connection before the body was all sent: as it should.
            }
        });

        using var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60))) > 0) answer.Write(buffer, 0, read);
        }
        catch (IOException) when (answer.Length > 0)
        {
            // Reset after the whole answer was read.
        }
        await stop.CancelAsync();
        await sending;
        return Parse(answer.ToArray());
    }

    private static RawResponse Parse(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no answer: '{text}'");
        var lines = text[..split].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        string? Header(string name) => lines.Skip(1).Select(l => l.Split(':', 2))
            .Where(p => p[0].Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).FirstOrDefault();
        var body = text[(split + 4)..];
        if (Header("Transfer-Encoding") == "chunked")
        {
            var whole = new StringBuilder();
            for (var at = 0; ;)
            {
                var end = body.IndexOf("\r\n", at, StringComparison.Ordinal);
                var size = Convert.ToInt32(body[at..end], 16);
                if (size == 0) break;
                whole.Append(body, end + 2, size);
                at = end + 2 + size + 2;
            }
            body = whole.ToString();
        }
        return new RawResponse(status, Header("Content-Type")?.Split(';')[0], body);
    }
}
