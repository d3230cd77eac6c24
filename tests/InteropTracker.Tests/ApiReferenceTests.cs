using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using InteropTracker.Core;
using InteropTracker.Tests.Access;

namespace InteropTracker.Tests;

/// <summary>The API reference as Scalar reads it, and the problems every refusal answers with.</summary>
public sealed class ApiReferenceTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 18);

    private async Task<JsonElement> DocumentAsync() => await app.Anonymous().GetAsync("/openapi/v1.json").ReadJson<JsonElement>();

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (p.Name, o.Name, o.Value)));

    [Fact]
    public async Task The_document_declares_the_bearer_scheme_and_every_operation_that_needs_a_token_asks_for_it()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var wrong = new List<string>();
        foreach (var (path, method, operation) in Operations(document))
        {
            var codes = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
            var secured = operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
            if (path.StartsWith("/api/", StringComparison.Ordinal) && path != "/api/ping" && !path.Contains("/report."))
            {
                if (!secured) wrong.Add($"{method} {path}: no security requirement");
                if (!codes.IsSupersetOf(["401", "403"])) wrong.Add($"{method} {path}: no 401/403");
            }
            if (path.Contains('{') && !codes.Contains("404")) wrong.Add($"{method} {path}: no 404");
            if (operation.TryGetProperty("requestBody", out var body))
            {
                if (!codes.IsSupersetOf(["400", "415"])) wrong.Add($"{method} {path}: no 400/415");
                foreach (var media in body.GetProperty("content").EnumerateObject())
                    if (!media.Value.TryGetProperty("example", out _)) wrong.Add($"{method} {path}: no example of {media.Name}");
            }
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('4')))
                if (string.IsNullOrWhiteSpace(response.Value.GetProperty("description").GetString()))
                    wrong.Add($"{method} {path}: {response.Name} undescribed");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Contains(Operations(document), o => o.Operation.GetProperty("operationId").GetString() == "LogResult"
            && o.Operation.GetProperty("responses").TryGetProperty("422", out _) && o.Operation.GetProperty("responses").TryGetProperty("409", out _));
    }

    [Fact]
    public async Task Verdict_priority_kind_status_and_role_are_enums_in_the_schemas()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        string[] Enum(string schema, string property) => schemas.GetProperty(schema).GetProperty("properties").GetProperty(property)
            .GetProperty("enum").EnumerateArray().Select(v => v.GetString()!).ToArray();
        Assert.Equal(["pass", "fail", "na", "blocked"], Enum("ResultInput", "verdict"));
        Assert.Equal(["mandatory", "recommended", "optional"], Enum("TestCase", "priority"));
        Assert.Contains("gateway", Enum("NewProduct", "kind"));
        Assert.Equal(["open", "closed"], Enum("StatusChange", "status"));
        Assert.Equal(["reported", "confirmed", "disputed"], Enum("ResultInfo", "status"));
        Assert.Equal(Roles.All, Enum("CreateToken", "role"));
    }

    [Fact]
    public async Task Every_problem_carries_a_detail_and_names_fields_as_the_body_does()
    {
        var admin = app.Admin();
        var before = await admin.GetAsync("/api/organizations").ReadJson<JsonElement>();

        var wrongType = await admin.PostAsync("/api/organizations", new StringContent("key=x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Contains("Content-Type text/plain", await Detail(wrongType));

        var malformed = await admin.PostAsync("/api/organizations", new StringContent("{\"key\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("not valid JSON", await Detail(malformed));

        var missing = await admin.PostJson("/api/events/none/results", new { plan = "p", @case = "c" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["initiator", "responder", "verdict"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal("The responder field is required.", problem.GetProperty("errors").GetProperty("responder")[0].GetString());
        Assert.Contains("initiator, responder, verdict", problem.GetProperty("detail").GetString());

        var organization = _build.Organization();
        (await admin.PostJson("/api/organizations", organization)).EnsureSuccessStatusCode();
        var twice = await admin.PostJson("/api/organizations", organization with { Name = "Another name" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("An organization with this key already exists (organizations.key is unique); choose another key, or change the existing one.",
            await Detail(twice));

        var nowhere = await admin.GetAsync("/api/nowhere");
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        Assert.Contains("/api/nowhere", await Detail(nowhere));

        var unsigned = await app.Anonymous().GetAsync("/api/events");
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Contains("Bearer", await Detail(unsigned));

        var after = await admin.GetAsync("/api/organizations").ReadJson<JsonElement>();
        Assert.Equal(before.GetArrayLength() + 1, after.GetArrayLength()); // only the one created on purpose
    }

    [Fact]
    public async Task The_new_event_form_asks_for_a_plan_in_its_own_words_and_the_favicon_is_served()
    {
        await (await app.ClientFor(Roles.Chair)).LoadPlan(Build.Plan(new CaseSpec { Id = "FORM-001" })); // the form needs a plan to offer
        var client = app.WithoutCookieJar();
        var cookie = await client.SignInAsync(await app.NewToken(Roles.Chair));
        var answer = await client.PostFormAsync("/setup/events/new", "/setup/events/new", cookie, new()
        {
            ["Form.Key"] = Build.UniqueKey("no-plan"), ["Form.Name"] = "No plan", ["Form.StartDate"] = "2026-05-01", ["Form.EndDate"] = "2026-05-02",
        });
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Contains("Tick at least one test plan for the event to pin.", System.Net.WebUtility.HtmlDecode(html));
        Assert.DoesNotContain("&quot;plan&quot;", html);
        Assert.DoesNotContain("{\"plan\"", html);

        var icon = await app.Anonymous().GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/x-icon", icon.Content.Headers.ContentType?.MediaType);
        var bytes = await icon.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0, 0, 1, 0 }, bytes[..4]); // an ICO header
    }

    private static async Task<string> Detail(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
}
