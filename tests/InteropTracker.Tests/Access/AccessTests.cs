using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;

namespace InteropTracker.Tests.Access;

public class AccessTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Healthz_answers_anonymously_with_the_database_reachable()
    {
        var health = await app.Anonymous().GetAsync("/healthz").ReadJson<JsonElement>();
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("reachable", health.GetProperty("database").GetString());
    }

    [Fact]
    public async Task No_token_and_an_unknown_token_get_401_problem()
    {
        var none = await app.Anonymous().GetAsync("/api/tokens");
        var problem = await Problem.ReadAsync(none, HttpStatusCode.Unauthorized);
        Assert.Equal(401, problem.Status);

        var bad = await app.WithToken("itk_not-a-real-token").GetAsync("/api/tokens");
        await Problem.ReadAsync(bad, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(Roles.Chair)]
    [InlineData(Roles.Member)]
    public async Task Only_an_admin_manages_tokens(string role)
    {
        var client = await app.ClientFor(role);
        var response = await client.PostAsJsonAsync("/api/tokens", new { role = Roles.Admin, name = "escalation" });
        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await client.GetAsync("/api/tokens"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_revoked_token_stops_working_at_once()
    {
        var created = await app.Admin().PostAsJsonAsync("/api/tokens", new { role = Roles.Admin, name = "short-lived admin" })
            .ReadJson<JsonElement>(HttpStatusCode.Created);
        var token = created.GetProperty("token").GetString()!;
        var id = created.GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.OK, (await app.WithToken(token).GetAsync("/api/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/tokens/{id}")).StatusCode);
        await Problem.ReadAsync(await app.WithToken(token).GetAsync("/api/tokens"), HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(await app.Admin().DeleteAsync($"/api/tokens/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_tokens_table_holds_no_plaintext_token()
    {
        var token = await app.NewToken(Roles.Member);
        using var db = app.OpenDatabase();
        var rows = db.Query("SELECT * FROM tokens").Cast<IDictionary<string, object?>>().ToList();
        Assert.NotEmpty(rows);
        foreach (var value in rows.SelectMany(r => r.Values).OfType<string>())
        {
            Assert.DoesNotContain(token, value);
            Assert.DoesNotContain(AppFixture.AdminToken, value);
        }
        Assert.Contains(rows, r => (string)r["hash"]! == Tokens.Hash(token));
    }

    [Fact]
    public async Task A_bad_role_or_an_engineer_without_organization_is_refused_and_nothing_is_stored()
    {
        using var db = app.OpenDatabase();
        var before = db.ExecuteScalar<long>("SELECT count(*) FROM tokens");

        var bogus = await Problem.ReadAsync(
            await app.Admin().PostAsJsonAsync("/api/tokens", new { role = "superuser", name = "x" }), HttpStatusCode.BadRequest);
        Assert.Contains("role", bogus.Errors.Keys);

        var engineer = await Problem.ReadAsync(
            await app.Admin().PostAsJsonAsync("/api/tokens", new { role = Roles.Engineer, name = "x" }), HttpStatusCode.BadRequest);
        Assert.Contains("organization", engineer.Errors.Keys);

        var unknownOrg = await Problem.ReadAsync(
            await app.Admin().PostAsJsonAsync("/api/tokens", new { role = Roles.Engineer, organization = "nobody", name = "x" }),
            HttpStatusCode.BadRequest);
        Assert.Contains("nobody", unknownOrg.Text);

        Assert.Equal(before, db.ExecuteScalar<long>("SELECT count(*) FROM tokens"));
    }

    [Fact]
    public async Task Every_token_records_who_created_it_and_when()
    {
        await app.NewToken(Roles.Chair);
        using var db = app.OpenDatabase();
        var row = db.QueryFirst("SELECT created_by, created_at FROM tokens WHERE role = 'chair' ORDER BY id DESC");
        Assert.Equal(1L, (long)row.created_by); // the first admin
        Assert.False(string.IsNullOrEmpty((string)row.created_at));
    }
}
