using System.Net;
using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Tests.Access;

namespace InteropTracker.Tests.TestPlans;

/// <summary>
/// A plan declares result attributes at its top level (DESIGN.md "Evidence, causes and attributes") in every format the
/// import reads, and the same declaration is the same plan; a bad name or value is named at its place.
/// </summary>
public class PlanAttributesTests(AppFixture app) : IClassFixture<AppFixture>
{
    private const string Stored = """{"transport":["udp","tcp","tls"],"video-codec":["h264","vp8","av1"]}""";

    private static string Yaml(string plan, string attributes = "{transport: [udp, tcp, tls], video-codec: [h264, vp8, av1]}") => $"""
        plan: {plan}
        title: Attributes
        version: "1.0"
        technology: SIP
        attributes: {attributes}
        sections:
          - id: setup
            title: Setup
            cases:
              - id: A-001
                title: Call
                purpose: A call is set up.
                steps: [Dial]
                expected: [Rings]
                priority: mandatory
        """;

    private static string Json(string plan, object attributes) => JsonSerializer.Serialize(new
    {
        plan, title = "Attributes", version = "1.0", technology = "SIP", attributes,
        sections = new[]
        {
            new
            {
                id = "setup", title = "Setup",
                cases = new[] { new { id = "A-001", title = "Call", purpose = "A call is set up.", steps = new[] { "Dial" }, expected = new[] { "Rings" }, priority = "mandatory" } },
            },
        },
    });

    private static byte[] Workbook(string plan, params (string Name, string Values)[] attributes)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Plan");
        (string, string)[] fields = [("plan", plan), ("title", "Attributes"), ("version", "1.0"), ("technology", "SIP"), .. attributes];
        for (var r = 0; r < fields.Length; r++)
        {
            sheet.Cell(r + 1, 1).SetValue(fields[r].Item1);
            sheet.Cell(r + 1, 2).SetValue(fields[r].Item2).SetDataType(XLDataType.Text);
        }
        var cases = workbook.AddWorksheet("Cases");
        string[][] rows =
        [
            ["section", "section_title", "id", "title", "purpose", "steps", "expected", "priority"],
            ["setup", "Setup", "A-001", "Call", "A call is set up.", "Dial", "Rings", "mandatory"],
        ];
        for (var r = 0; r < rows.Length; r++)
        for (var c = 0; c < rows[r].Length; c++)
            cases.Cell(r + 1, c + 1).Value = rows[r][c];
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private const string Csv = "section,section_title,id,title,purpose,steps,expected,priority\nsetup,Setup,A-001,Call,A call is set up.,Dial,Rings,mandatory\n";

    private static string CsvQuery(string plan, string attributes) =>
        $"/api/test-plans?plan={plan}&title=Attributes&version=1.0&technology=SIP&{attributes}";

    [Fact]
    public async Task The_same_attributes_in_yaml_json_xlsx_and_csv_load_to_one_plan_that_stores_and_shows_them()
    {
        var chair = await app.ClientFor(Roles.Chair);
        const string plan = "attributes-four-ways";

        var yaml = await chair.PostYaml(Yaml(plan)).ReadJson<JsonElement>(HttpStatusCode.Created);
        var json = await chair.PostAsync("/api/test-plans", SamplePlans.Content(Json(plan, new Dictionary<string, string[]>
        {
            ["transport"] = ["udp", "tcp", "tls"], ["video-codec"] = ["h264", "vp8", "av1"],
        }), "application/json")).ReadJson<JsonElement>();
        var xlsx = await chair.PostAsync("/api/test-plans", SamplePlans.File(
            Workbook(plan, ("attr.transport", "udp; tcp; tls"), ("attr.video-codec", "h264;vp8;av1")), "plan.xlsx")).ReadJson<JsonElement>();
        var csv = await chair.PostAsync(CsvQuery(plan, "attr.transport=udp;tcp;tls&attr.video-codec=h264;vp8;av1"),
            SamplePlans.Content(Csv, "text/csv")).ReadJson<JsonElement>();

        var hash = yaml.GetProperty("contentHash").GetString();
        Assert.All([json, xlsx, csv], loaded => Assert.Equal(hash, loaded.GetProperty("contentHash").GetString()));
        using (var db = app.OpenDatabase())
            Assert.Equal(Stored, db.QuerySingle<string>("SELECT attributes FROM test_plans WHERE plan = @plan", new { plan }));

        var document = await chair.GetAsync($"/api/test-plans/{plan}/versions/1.0").ReadJson<JsonElement>();
        Assert.Equal(["udp", "tcp", "tls"], document.GetProperty("document").GetProperty("attributes").GetProperty("transport")
            .EnumerateArray().Select(v => v.GetString()));

        var browser = app.WithoutCookieJar();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/test-plans/{plan}");
        request.Headers.Add("Cookie", await browser.SignInAsync(await app.NewToken(Roles.Member)));
        var page = await (await browser.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("video-codec", page);
        Assert.Contains("h264, vp8, av1", page);
    }

    [Fact]
    public async Task A_plan_without_attributes_hashes_as_before_and_stores_none()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var loaded = await chair.PostYaml(SamplePlans.Yaml(plan: "no-attributes")).ReadJson<JsonElement>(HttpStatusCode.Created);

        // The canonical JSON of a plan without attributes has no attributes field, so its hash is unchanged.
        using var db = app.OpenDatabase();
        var (document, attributes) = db.QuerySingle<(string, string?)>("SELECT document, attributes FROM test_plans WHERE plan = 'no-attributes'");
        Assert.False(document.Contains("\"attributes\""), document);
        Assert.Null(attributes);
        Assert.NotNull(loaded.GetProperty("contentHash").GetString());
    }

    [Fact]
    public async Task A_yaml_plan_names_the_line_of_a_bad_attribute_name_or_value_and_stores_nothing()
    {
        var problem = await Refused(await (await app.ClientFor(Roles.Chair)).PostYaml(
            Yaml("bad-yaml-attributes", "{Transport: [udp], video-codec: [h264, VP8, h264], security: []}")));

        AssertNames(problem, "line 5", "attribute name 'Transport'", "tags");
        AssertNames(problem, "line 5", "video-codec", "'VP8'");
        AssertNames(problem, "line 5", "'h264' twice");
        AssertNames(problem, "line 5", "'security' has no values");
    }

    [Fact]
    public async Task A_json_plan_names_the_path_of_a_bad_attribute_value_and_stores_nothing()
    {
        var problem = await Refused(await (await app.ClientFor(Roles.Chair)).PostAsync("/api/test-plans", SamplePlans.Content(
            Json("bad-json-attributes", new { transport = new[] { "udp", "TLS 1.3" }, codec = "h264" }), "application/json")));

        AssertNames(problem, "attributes.transport[1]", "transport", "'TLS 1.3'");
        AssertNames(problem, "attributes.codec", "codec", "must be a list");
    }

    [Fact]
    public async Task A_workbook_names_the_cell_of_a_bad_attribute_value_and_stores_nothing()
    {
        var problem = await Refused(await (await app.ClientFor(Roles.Chair)).PostAsync("/api/test-plans",
            SamplePlans.File(Workbook("bad-xlsx-attributes", ("attr.transport", "udp;Tcp")), "plan.xlsx")));

        AssertNames(problem, "Plan!B5", "attribute 'transport'", "'Tcp'");
    }

    [Fact]
    public async Task A_csv_upload_names_the_query_parameter_of_a_bad_attribute_and_stores_nothing()
    {
        var problem = await Refused(await (await app.ClientFor(Roles.Chair)).PostAsync(
            CsvQuery("bad-csv-attributes", "attr.transport=udp;tcp&attr.Video=h264"), SamplePlans.Content(Csv, "text/csv")));

        AssertNames(problem, "query ?attr.Video=", "attribute name 'Video'");
        Assert.Single(problem.Errors);
    }

    private async Task<Problem> Refused(HttpResponseMessage response)
    {
        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        using var db = app.OpenDatabase();
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM test_plans WHERE plan LIKE 'bad-%'"));
        return problem;
    }

    private static void AssertNames(Problem problem, string place, params string[] fragments)
    {
        Assert.True(problem.Errors.TryGetValue(place, out var messages), $"No error at '{place}' in: {problem.Text}");
        Assert.True(messages.Any(m => fragments.All(f => m.Contains(f, StringComparison.Ordinal))),
            $"No error at '{place}' mentions {string.Join(" and ", fragments)}: {string.Join(" | ", messages)}");
    }
}
