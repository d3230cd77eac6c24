using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace InteropTracker.Tests.Access;

/// <summary>The last admin token, and start-ups over a database that already holds INTEROP_ADMIN_TOKEN.</summary>
public sealed class AdminTokenTests : IAsyncLifetime
{
    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");

    /// <summary>On PostgreSQL, the database every start of a test runs on; on SQLite, <see cref="_databaseFile"/>.</summary>
    private readonly TestDatabase _database = TestDatabase.Create();

    private string ConnectionString => _database.ConnectionString ?? $"Data Source={_databaseFile}";

    private DbConnection Connect() => _database.ConnectionString is { } postgres
        ? new NpgsqlConnection(postgres)
        : new SqliteConnection($"Data Source={_databaseFile}");

    /// <summary>The app over the test's database, which outlives it: one start after another on the same database.</summary>
    private sealed class Boot(string connectionString, string? adminToken) : AppFixture
    {
        public ConcurrentQueue<string> Logs { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:Interop"] = connectionString,
            ["INTEROP_ADMIN_TOKEN"] = adminToken,
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddLogging(l => l.AddProvider(new Collect(Logs))));
        }

        public bool Logged(string text) => Logs.Any(l => l.Contains(text, StringComparison.Ordinal));
    }

    private sealed class Collect(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        public void Dispose() { }
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var db = Connect();
        return await db.ExecuteScalarAsync<long>(sql);
    }

    private async Task<long> NewAdminAsync(HttpClient admin)
    {
        var created = await admin.PostJson("/api/tokens", new { role = Roles.Admin, name = "second admin" })
            .ReadJson<JsonElement>(HttpStatusCode.Created);
        return created.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task The_last_active_admin_token_cannot_be_revoked_and_nothing_changes()
    {
        await using var app = new Boot(ConnectionString, AppFixture.AdminToken);
        var refused = await Problem.ReadAsync(await app.Admin().DeleteAsync("/api/tokens/1"), HttpStatusCode.Conflict);
        Assert.Contains("last active admin token", refused.Detail);
        Assert.Contains("Make another admin token first", refused.Detail);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL"));

        // With a second admin the first may go; then the second is the last one.
        var second = await NewAdminAsync(app.Admin());
        var created = await app.Admin().PostJson("/api/tokens", new { role = Roles.Admin, name = "third admin" })
            .ReadJson<JsonElement>(HttpStatusCode.Created);
        var third = app.WithToken(created.GetProperty("token").GetString()!);
        Assert.Equal(HttpStatusCode.NoContent, (await third.DeleteAsync("/api/tokens/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await third.DeleteAsync($"/api/tokens/{second}")).StatusCode);
        var last = await Problem.ReadAsync(await third.DeleteAsync($"/api/tokens/{created.GetProperty("id").GetInt64()}"), HttpStatusCode.Conflict);
        Assert.Contains("last active admin token", last.Detail);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL"));
    }

    [Fact]
    public async Task The_tokens_page_shows_why_the_last_admin_token_stays()
    {
        await using var app = new Boot(ConnectionString, AppFixture.AdminToken);
        var browser = app.From(IPAddress.Loopback);
        var cookie = await browser.SignInAsync(AppFixture.AdminToken);

        var answer = await browser.PostFormAsync("/setup/tokens", "/setup/tokens?handler=Revoke&id=1", cookie);
        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        var html = WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync());
        Assert.Contains("role=\"alert\">Token 1 is the last active admin token", html);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL"));
    }

    [Fact]
    public async Task A_restart_with_the_stored_active_INTEROP_ADMIN_TOKEN_starts_and_says_so()
    {
        await using (var first = new Boot(ConnectionString, AppFixture.AdminToken))
            Assert.Equal(HttpStatusCode.OK, (await first.Admin().GetAsync("/api/tokens")).StatusCode);

        await using var again = new Boot(ConnectionString, AppFixture.AdminToken);
        Assert.Equal(HttpStatusCode.OK, (await again.Admin().GetAsync("/api/tokens")).StatusCode);
        Assert.True(again.Logged("INTEROP_ADMIN_TOKEN is admin token 1, already stored and active: nothing to do."), string.Join("\n", again.Logs));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tokens"));
    }

    [Fact]
    public async Task A_restart_whose_INTEROP_ADMIN_TOKEN_was_revoked_keeps_it_revoked_and_makes_a_new_admin_when_none_is_left()
    {
        await using (var first = new Boot(ConnectionString, AppFixture.AdminToken))
        {
            var second = await NewAdminAsync(first.Admin());
            await using (var db = Connect())
            {
                // The second admin revokes the first, then runs out of time: no admin token is active any more.
                await db.ExecuteAsync("UPDATE tokens SET revoked_at = '2000-01-01T00:00:00.0000000Z', revoked_by = @second WHERE id = 1", new { second });
                await db.ExecuteAsync("UPDATE tokens SET expires_at = '2000-01-02T00:00:00.0000000Z' WHERE id = @second", new { second });
            }
        }

        await using var again = new Boot(ConnectionString, AppFixture.AdminToken);
        var refused = await Problem.ReadAsync(await again.Admin().GetAsync("/api/tokens"), HttpStatusCode.Unauthorized);
        Assert.Contains("unknown or has been revoked", refused.Detail);
        Assert.True(again.Logged("INTEROP_ADMIN_TOKEN is token 1, revoked at 2000-01-01T00:00:00.0000000Z: it stays revoked"), string.Join("\n", again.Logs));
        Assert.True(again.Logged("created a new admin token instead and printed it once on the console"), string.Join("\n", again.Logs));
        Assert.Equal(1, await CountAsync(
            "SELECT count(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL AND expires_at IS NULL AND id > 2"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tokens WHERE id = 1 AND revoked_at IS NOT NULL"));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("itk_0123456789abcdef0123456789a")]
    public async Task A_bootstrap_token_under_32_characters_stops_start_up_naming_the_variable(string token)
    {
        await using var app = new Boot(ConnectionString, token);
        var failure = Assert.ThrowsAny<Exception>(() => app.Services);
        var message = failure.GetBaseException().Message;
        Assert.Contains("INTEROP_ADMIN_TOKEN", message);
        Assert.Contains($"holds {token.Length} characters", message);
        Assert.Contains("at least 32", message);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tokens"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_databaseFile + suffix);
        await _database.DisposeAsync();
    }
}
