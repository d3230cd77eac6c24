using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;

namespace InteropTracker.Tests;

/// <summary>
/// The real app over its own database, one per test class (IClassFixture&lt;AppFixture&gt;): a SQLite file, or, when
/// INTEROP_TEST_POSTGRES names a PostgreSQL server (what .ci/run's second pass does), a fresh database on it.
/// The sample test plans of testcases/ are not loaded unless a test class asks for them.
/// </summary>
public class AppFixture : WebApplicationFactory<Program>
{
    public const string AdminToken = "itk_test-admin-token-0123456789abcdef";

    public string DatabaseFile { get; } =
        Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");

    private readonly TestDatabase _database = TestDatabase.Create();

    /// <summary>The connection string the app runs on.</summary>
    public string ConnectionString => _database.ConnectionString ?? $"Data Source={DatabaseFile}";

    /// <summary>Settings a derived fixture adds (for example a test-case folder to load at start).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabaseFile)!);
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Interop", ConnectionString);
        builder.UseSetting("INTEROP_ADMIN_TOKEN", AdminToken);
        builder.UseSetting("Interop:TestCasesDirectory", "");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    public Database Database => Services.GetRequiredService<Database>();

    /// <summary>A client with no token at all.</summary>
    public HttpClient Anonymous() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress });

    /// <summary>A client that keeps no cookies of its own: a test sends exactly the cookies it names.</summary>
    public HttpClient WithoutCookieJar() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = ClientOptions.BaseAddress });

    public HttpClient Admin() => WithToken(AdminToken);

    /// <summary>
    /// A client whose requests come from this address (a browser there, or a proxy), with no cookie handling and no
    /// redirects followed: tests of what is counted or trusted per address, and of the cookies themselves.
    /// </summary>
    public HttpClient From(IPAddress address) =>
        new(Server.CreateHandler(context => context.Connection.RemoteIpAddress = address)) { BaseAddress = new Uri("http://localhost") };

    public HttpClient WithToken(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Makes a token of the role through the API and returns a client that carries it.</summary>
    public async Task<HttpClient> ClientFor(string role, string? organization = null)
    {
        var token = await NewToken(role, organization);
        return WithToken(token);
    }

    public async Task<string> NewToken(string role, string? organization = null)
    {
        var response = await Admin().PostAsJsonAsync("/api/tokens",
            new { role, organization, name = $"{role} {organization} {Guid.NewGuid():N}".Replace("  ", " ") });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedToken>();
        return created!.Token;
    }

    public sealed record CreatedToken(long Id, string Token);

    /// <summary>A connection straight to the test's database, to check what the API stored.</summary>
    public DbConnection OpenDatabase()
    {
        _ = Services; // make sure the app started and migrated (TestServer or Kestrel alike)
        return Connect();
    }

    /// <summary>A connection to the test's database whether or not the app started.</summary>
    public DbConnection Connect()
    {
        DbConnection connection = _database.ConnectionString is { } postgres
            ? new NpgsqlConnection(postgres)
            : new SqliteConnection($"Data Source={DatabaseFile};Foreign Keys=True");
        connection.Open();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(DatabaseFile + suffix);
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
