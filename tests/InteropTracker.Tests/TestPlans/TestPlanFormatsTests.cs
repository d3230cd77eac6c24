using System.Net;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;

namespace InteropTracker.Tests.TestPlans;

/// <summary>The same plan written as YAML, JSON, an Excel workbook and CSV is one and the same plan.</summary>
public class TestPlanFormatsTests(AppFixture app) : IClassFixture<AppFixture>
{
    private const string Plan = "four-formats";

    [Fact]
    public async Task One_plan_written_as_yaml_json_xlsx_and_csv_loads_to_the_identical_plan()
    {
        var chair = await app.ClientFor(Roles.Chair);

        var fromYaml = await chair.PostYaml(SamplePlans.Yaml(plan: Plan)).ReadJson<JsonElement>(HttpStatusCode.Created);
        var fromJson = await chair.PostAsync("/api/test-plans", SamplePlans.Content(Json(), "application/json"))
            .ReadJson<JsonElement>(HttpStatusCode.OK);
        var fromXlsx = await chair.PostAsync("/api/test-plans", SamplePlans.File(Workbook(), "sample.xlsx"))
            .ReadJson<JsonElement>(HttpStatusCode.OK);
        var fromCsv = await chair.PostAsync(
                $"/api/test-plans?plan={Plan}&title=Sample%20video%20interoperability&version=1.0&technology=SIP" +
                "&source=SIP%20video%20profile%20best%20practice%2C%20section%204",
                SamplePlans.Content(Csv, "text/csv"))
            .ReadJson<JsonElement>(HttpStatusCode.OK);

        var hash = fromYaml.GetProperty("contentHash").GetString();
        Assert.All([fromJson, fromXlsx, fromCsv], summary => Assert.Equal(hash, summary.GetProperty("contentHash").GetString()));
        using var db = app.OpenDatabase();
        Assert.Equal(1, db.ExecuteScalar<long>("SELECT count(*) FROM test_plans WHERE plan = @Plan", new { Plan }));
        Assert.Equal(3, db.ExecuteScalar<long>("SELECT count(*) FROM test_cases c JOIN test_plans p ON p.id = c.plan_id WHERE p.plan = @Plan", new { Plan }));
    }

    [Fact]
    public async Task A_multipart_file_is_read_by_its_extension_and_a_workbook_also_by_its_content_type()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var yaml = SamplePlans.Yaml(plan: "by-extension");

        await chair.PostAsync("/api/test-plans", SamplePlans.File(Encoding.UTF8.GetBytes(yaml), "plan.yml"))
            .ReadJson<JsonElement>(HttpStatusCode.Created);
        await chair.PostAsync("/api/test-plans", SamplePlans.File(Encoding.UTF8.GetBytes(Json("by-extension")), "plan.json"))
            .ReadJson<JsonElement>(HttpStatusCode.OK);
        await chair.PostAsync("/api/test-plans?plan=by-extension&title=Sample%20video%20interoperability&version=1.0" +
                "&technology=SIP&source=SIP%20video%20profile%20best%20practice%2C%20section%204",
                SamplePlans.File(Encoding.UTF8.GetBytes(Csv.Replace(Plan, "by-extension")), "plan.CSV"))
            .ReadJson<JsonElement>(HttpStatusCode.OK);

        var workbook = new ByteArrayContent(Workbook("by-extension"));
        workbook.Headers.ContentType = new("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        await chair.PostAsync("/api/test-plans", workbook).ReadJson<JsonElement>(HttpStatusCode.OK);
    }

    /// <summary>The sample plan as a chair would write it in JSON: "directional" as a JSON boolean, lists as arrays.</summary>
    private static string Json(string plan = Plan) => JsonSerializer.Serialize(new
    {
        plan,
        title = "Sample video interoperability",
        version = "1.0",
        technology = "SIP",
        source = "SIP video profile best practice, section 4",
        sections = new object[]
        {
            new
            {
                id = "call-setup",
                title = "Call setup",
                cases = new object[]
                {
                    new
                    {
                        id = "CS-001",
                        title = "Audio and video call over UDP",
                        purpose = "Both sides establish a two-way audio and H.264 video call.",
                        preconditions = new[] { "Both products registered to their own SIP registrar" },
                        steps = new[] { "Initiator dials the responder's SIP URI", "Responder answers" },
                        expected = new[] { "Two-way audio within 2 s of answer", "Two-way video, \"no freeze\", at least 15 fps" },
                        references = new[] { "RFC 3261 §13", "RFC 6184" },
                        priority = "mandatory",
                        directional = true,
                        requires = new[] { "h264" },
                    },
                    new
                    {
                        id = "CS-002",
                        title = "Call over TLS",
                        purpose = "The call is signalled over TLS.",
                        steps = new[] { "Initiator dials with a sips URI" },
                        expected = new[] { "The call is established" },
                        priority = "recommended",
                        requires = new[] { "sip.tls", "h264" },
                        initiator = new[] { "sips-uri" },
                    },
                },
            },
            new
            {
                id = "media",
                title = "Media",
                cases = new object[]
                {
                    new
                    {
                        id = "MD-001",
                        title = "DTMF per RFC 4733",
                        purpose = "Digits reach the other side\nas telephone-events.",
                        steps = new[] { "Initiator sends 1 2 3" },
                        expected = new[] { "Responder reports 1 2 3" },
                        references = new[] { "RFC 4733 §2.3" },
                        priority = "optional",
                        directional = false,
                        requires = new[] { "dtmf.rfc4733" },
                        responder = new[] { "ivr" },
                    },
                },
            },
        },
    });

    /// <summary>
    /// The sample plan as CSV from a spreadsheet: CRLF rows, quoted cells holding commas, doubled quotes and line breaks,
    /// a section title only on the section's first row, TRUE/FALSE as Excel writes them, tags separated by ";".
    /// </summary>
    private const string Csv =
        "section,section_title,id,title,purpose,preconditions,steps,expected,references,priority,directional,requires,initiator,responder\r\n" +
        "call-setup,Call setup,CS-001,Audio and video call over UDP,Both sides establish a two-way audio and H.264 video call.," +
        "Both products registered to their own SIP registrar,\"Initiator dials the responder's SIP URI\r\nResponder answers\"," +
        "\"Two-way audio within 2 s of answer\nTwo-way video, \"\"no freeze\"\", at least 15 fps\",\"RFC 3261 §13\nRFC 6184\",mandatory,TRUE,h264,,\r\n" +
        "call-setup,,CS-002,Call over TLS,The call is signalled over TLS.,,Initiator dials with a sips URI,The call is established,," +
        "recommended,,sip.tls; h264,sips-uri,\r\n" +
        "media,Media,MD-001,DTMF per RFC 4733,\"Digits reach the other side\nas telephone-events.\",,Initiator sends 1 2 3," +
        "Responder reports 1 2 3,RFC 4733 §2.3,optional,FALSE,dtmf.rfc4733,,ivr\r\n";

    /// <summary>The sample plan as an Excel workbook: sheet Plan of key/value rows, sheet Cases of one row a case.</summary>
    private static byte[] Workbook(string plan = Plan)
    {
        using var workbook = new XLWorkbook();
        var planSheet = workbook.AddWorksheet("Plan");
        string[][] fields =
        [
            ["plan", plan], ["title", "Sample video interoperability"], ["version", "1.0"], ["technology", "SIP"],
            ["source", "SIP video profile best practice, section 4"],
        ];
        for (var r = 0; r < fields.Length; r++)
        {
            planSheet.Cell(r + 1, 1).SetValue(fields[r][0]);
            planSheet.Cell(r + 1, 2).SetValue(fields[r][1]).SetDataType(XLDataType.Text);
        }

        var cases = workbook.AddWorksheet("Cases");
        object[][] rows =
        [
            ["section", "section_title", "id", "title", "purpose", "preconditions", "steps", "expected", "references", "priority", "directional", "requires", "initiator", "responder"],
            ["call-setup", "Call setup", "CS-001", "Audio and video call over UDP", "Both sides establish a two-way audio and H.264 video call.",
                "Both products registered to their own SIP registrar", "Initiator dials the responder's SIP URI\nResponder answers",
                "Two-way audio within 2 s of answer\nTwo-way video, \"no freeze\", at least 15 fps", "RFC 3261 §13\nRFC 6184", "mandatory", true, "h264", "", ""],
            ["call-setup", "Call setup", "CS-002", "Call over TLS", "The call is signalled over TLS.", "", "Initiator dials with a sips URI",
                "The call is established", "", "recommended", "", "sip.tls;h264", "sips-uri", ""],
            ["media", "Media", "MD-001", "DTMF per RFC 4733", "Digits reach the other side\nas telephone-events.", "", "Initiator sends 1 2 3",
                "Responder reports 1 2 3", "RFC 4733 §2.3", "optional", false, "dtmf.rfc4733", "", "ivr"],
        ];
        for (var r = 0; r < rows.Length; r++)
        for (var c = 0; c < rows[r].Length; c++)
            cases.Cell(r + 1, c + 1).Value = rows[r][c];

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
